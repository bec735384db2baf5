from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhuanban.org import services
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role


class Command(BaseCommand):
    help = (
        "Give a user a role (e.g. the first system administrator of a new installation). "
        "The same rules apply as in the administration screens."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("--unit", help="Code of the org unit, for roles held in a unit.")

    def handle(self, *args, username: str, role: str, unit: str | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        org_unit = None
        if unit:
            org_unit = OrgUnit.objects.filter(code=unit).first()
            if org_unit is None:
                raise CommandError(f"No org unit with code {unit!r}.")
        try:
            # Run by the operator on the server: the system itself is the actor.
            services.role_assign(actor=None, user=user, role=role, unit=org_unit)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{username} is now {Role(role).label}.")
