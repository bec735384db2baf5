"""`zhuanban audit verify` and `zhuanban audit prune --before YYYY-MM-DD [--confirm]`.

verify recomputes the hash chain and exits non-zero naming the first altered or
missing record. prune removes events older than the retention period
(AUDIT_RETENTION_DAYS): without --confirm it only says how many would go.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": value}
        ) from None


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or prune events older than the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Recompute every hash; exit non-zero if anything is off.")
        prune = sub.add_parser(
            "prune", help="Delete events before a date older than AUDIT_RETENTION_DAYS."
        )
        prune.add_argument("--before", required=True, help="YYYY-MM-DD (local date)")
        prune.add_argument("--confirm", action="store_true", help="Delete; without it only report.")
        prune.add_argument("--user", help="Username of the person running the prune.")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            return self.verify()
        return self.prune(_date(options["before"]), options["confirm"], options.get("user"))

    def verify(self) -> None:
        report = audit.check_chain()
        if not report.ok:
            raise CommandError(report.describe())
        self.stdout.write(self.style.SUCCESS(report.describe()))

    def prune(self, before: datetime.date, confirm: bool, username: str | None) -> None:
        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("There is no active user %(name)s.") % {"name": username})
        try:
            audit.check_prune_date(before)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not confirm:
            plan = audit.prune_plan(before)
            if not plan.count:
                self.stdout.write(_("No audit events before %(date)s.") % {"date": before})
                return
            self.stdout.write(
                _(
                    "%(count)s audit events (#%(first)s–#%(last)s, %(from)s to %(to)s) would "
                    "be deleted. Run again with --confirm to delete them."
                )
                % {
                    "count": plan.count,
                    "first": plan.first_seq,
                    "last": plan.last_seq,
                    "from": _local(plan.first_at),
                    "to": _local(plan.last_at),
                }
            )
            return
        try:
            plan, event = audit.prune(before=before, actor=actor)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if event is None:
            self.stdout.write(_("No audit events before %(date)s.") % {"date": before})
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Deleted %(count)s audit events (#%(first)s–#%(last)s); the pruning is "
                    "recorded as #%(seq)s."
                )
                % {
                    "count": plan.count,
                    "first": plan.first_seq,
                    "last": plan.last_seq,
                    "seq": event.seq,
                }
            )
        )
