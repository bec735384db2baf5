"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

The audit trail (`org.audit_events`): the audit administrator's export of the events the
screen's filters select, which may be millions. The request and the job prepare it with
the same functions: the same filters, file name, subtitle and audit event, and the same
writer (`views_audit.write_events_xlsx`).
"""

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.ops import exports as job_exports
from zhuanban.ops.registry import JobError, Outcome, register
from zhuanban.org.permissions import Perm
from zhuanban.org.scoping import scope_for

AUDIT_EVENTS = "org.audit_events"


@dataclass
class EventsExport:
    """The audit trail's events of one query, exported by `user` at `now`."""

    events: QuerySet[AuditEvent]
    user: object
    now: datetime.datetime

    @property
    def title(self) -> str:
        return str(_("Audit trail"))

    @property
    def filename(self) -> str:
        return _("Audit trail-%(date)s.xlsx") % {"date": self.now.strftime("%Y%m%d-%H%M")}

    @property
    def subtitle(self) -> str:
        return _("Exported %(time)s by %(user)s") % {
            "time": self.now.strftime("%Y-%m-%d %H:%M"),
            "user": self.user.get_full_name() or self.user.get_username(),
        }

    def write(self, out: BinaryIO, events=None) -> int:
        from zhuanban.org.views_audit import write_events_xlsx

        return write_events_xlsx(
            self.events if events is None else events, out, subtitle=self.subtitle
        )


def events_export(user, query: Mapping) -> EventsExport:
    """The events the audit screen's filters in `query` (a QueryDict) select. The caller
    has checked READ_AUDIT."""
    # The screen's filter form and the writer live with the screen, which imports this
    # module: imported when used, not when the app starts.
    from zhuanban.org.views_audit import AuditFilterForm, filtered_events

    return EventsExport(
        events=filtered_events(AuditFilterForm(query).values()),
        user=user,
        now=timezone.localtime(),
    )


def audit_events_export(user, query: str, **extra) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=AuditEvent._meta.label_lower,
        object_repr=str(_("Audit trail")),
        after={"query": query, **extra},
        message="audit trail exported to xlsx",
    )


class _Counted:
    """The events as `write_events_xlsx` reads them (`.iterator(chunk_size=...)`), each
    counted by the job's progress."""

    def __init__(self, events: QuerySet[AuditEvent], progress, total: int):
        self.events, self.progress, self.total = events, progress, total

    def iterator(self, chunk_size: int) -> Iterator[AuditEvent]:
        return self.progress.track(self.events.iterator(chunk_size=chunk_size), self.total)


@register(AUDIT_EVENTS, unit=gettext_lazy("rows"))
def audit_events(job, progress) -> Outcome:
    """The events of the query the job was started with, if its owner may still read the
    audit trail."""
    if not scope_for(job.owner).has_perm(Perm.READ_AUDIT):
        raise JobError(
            _("You may no longer make this export: your access changed after the job was started.")
        )
    query = job.params.get("query", "")
    export = events_export(job.owner, QueryDict(query))
    total = export.events.count()
    audit_events_export(job.owner, query, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, _Counted(export.events, progress, total)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )
