"""Demo accounts: password alone in demo mode; production refuses to run with them."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhuanban.accounts import services
from zhuanban.accounts.checks import demo_accounts_check, refuse_demo_accounts_in_production
from zhuanban.accounts.models import AccountSecurity
from zhuanban.accounts.tests.helpers import post_login
from zhuanban.org.tests.factories import UserFactory


@pytest.fixture
def demo_leader(world):
    services.mark_demo_account(user=world.leader)
    return world.leader


def test_in_demo_mode_the_demo_leader_logs_in_with_the_password_alone(
    demo_leader, client, settings
):
    settings.DEMO_MODE = True
    # Even an old password does not expire for a demo account in demo mode.
    AccountSecurity.objects.filter(user=demo_leader).update(must_change_password=True)
    response = post_login(client, "leader", follow=True)
    # Home, then the leader's home page: the dashboard.
    assert [url for url, _status in response.redirect_chain][-2:] == [
        reverse("home"),
        reverse("reports:dashboard"),
    ]
    assert response.status_code == 200
    assert client.get(reverse("tasks:ledger")).status_code == 200


def test_outside_demo_mode_the_same_account_must_enrol(demo_leader, client, settings):
    settings.DEMO_MODE = False
    response = post_login(client, "leader", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:enrol"))


def test_demo_accounts_are_still_locked_out(demo_leader, client, settings):
    settings.DEMO_MODE = True
    for _ in range(5):
        post_login(client, "leader", "wrong")
    assert post_login(client, "leader").status_code == 429


def test_demo_accounts_still_get_the_idle_timeout(demo_leader, client, settings):
    import time

    from zhuanban.accounts.middleware import LAST_ACTIVITY_KEY

    settings.DEMO_MODE = True
    post_login(client, "leader")
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_production_start_up_refuses_demo_accounts(demo_leader, settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="leader"):
        refuse_demo_accounts_in_production()
    [error] = demo_accounts_check()
    assert error.id == "accounts.E001"
    assert "accounts.E001" in {e.id for e in run_checks(include_deployment_checks=True)}


def test_production_start_up_accepts_a_database_without_demo_accounts(db, settings):
    settings.PRODUCTION = True
    UserFactory(username="wangzh")  # not a demo username
    leader = UserFactory(username="leader")  # a demo username, but its own password
    leader.set_password("Real#Secret2024")
    leader.save()
    refuse_demo_accounts_in_production()
    assert demo_accounts_check() == []


def test_a_documented_demo_username_with_the_published_password_counts(db, settings):
    settings.PRODUCTION = True
    UserFactory(username="sysadmin")  # password Demo@2023, not flagged
    with pytest.raises(ImproperlyConfigured, match="sysadmin"):
        refuse_demo_accounts_in_production()
    other = UserFactory(username="auditor")
    other.set_password("Real#Secret2024")
    other.save()
    assert demo_accounts_check()[0].msg.endswith("sysadmin")


def test_outside_production_nothing_is_refused(demo_leader, settings):
    settings.PRODUCTION = False
    refuse_demo_accounts_in_production()
    assert demo_accounts_check() == []


def test_the_demo_command_refuses_to_run_outside_demo_mode(db, settings):
    # Production settings force DEMO_MODE off (settings.py refuses ZHUANBAN_DEMO=1 there).
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo", "--quiet-accounts")
