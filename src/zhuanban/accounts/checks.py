"""Production refuses to run with demo accounts (their password is published).

`accounts.E001` is reported by `check --deploy`; `refuse_demo_accounts_in_production()`
is called by the WSGI entry point so the server does not start either.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from zhuanban.accounts.models import AccountSecurity


def demo_accounts_present() -> list[str]:
    """Usernames of demo accounts: flagged by the demo loader, or a documented demo
    username that still has the published password. Empty before `migrate`."""
    from zhuanban.demo.loader import DEMO_ACCOUNTS  # the demo is optional, import late
    from zhuanban.demo.org_data import DEMO_PASSWORD

    try:
        flagged = set(
            AccountSecurity.objects.filter(is_demo_account=True).values_list(
                "user__username", flat=True
            )
        )
        documented = get_user_model().objects.filter(
            username__in=[name for name, _description in DEMO_ACCOUNTS]
        )
        known = {user.username for user in documented if user.check_password(DEMO_PASSWORD)}
    except DatabaseError:  # tables not created yet
        return []
    return sorted(flagged | known)


def _problem(names: list[str]) -> str:
    shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
    return f"Demo accounts exist in a production database: {shown}"


_HINT = (
    "Production must not hold the demo's published accounts: delete them (or load the "
    "production data into a fresh database)."
)


@register(Tags.security, deploy=True)
def demo_accounts_check(app_configs=None, databases=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    names = demo_accounts_present()
    if not names:
        return []
    return [Error(_problem(names), hint=_HINT, id="accounts.E001")]


def refuse_demo_accounts_in_production() -> None:
    """Called at start-up (wsgi.py)."""
    if not settings.PRODUCTION:
        return
    names = demo_accounts_present()
    if names:
        raise ImproperlyConfigured(f"{_problem(names)}. {_HINT}")
