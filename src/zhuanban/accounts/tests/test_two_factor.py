"""TOTP second factor: required for the leader and the three administrators, optional
for everyone else; enrolment with a QR code and recovery codes; the second login step."""

import hashlib

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts.models import RecoveryCode
from zhuanban.accounts.tests.helpers import PASSWORD, post_login, totp_code
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome
from zhuanban.org.roles import ADMIN_ROLES, Role


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def unthrottle():
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_the_required_roles_are_the_leader_and_the_three_administrators():
    assert set(settings.TWO_FACTOR_REQUIRED_ROLES) == {Role.LEADER} | ADMIN_ROLES


@pytest.mark.parametrize("persona", ["leader", "sysadmin", "secadmin", "auditor"])
def test_a_required_role_without_a_device_must_enrol_first(world, client, persona):
    user = getattr(world, persona)
    response = post_login(client, user.username)
    assert response.status_code == 302
    for url in [reverse("home"), reverse("admin:index"), reverse("accounts:account")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:enrol"))
    assert client.get("/api/v1/org/units").status_code == 403


@pytest.mark.parametrize("persona", ["office", "zhuozi_liaison", "inspector", "outsider"])
def test_other_roles_are_not_asked_for_a_second_factor(world, client, persona):
    user = getattr(world, persona)
    post_login(client, user.username)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_enrolment_shows_a_qr_code_then_recovery_codes_once(world, client):
    post_login(client, "leader")
    page = client.get(reverse("accounts:enrol"))
    html = page.content.decode()
    assert "<svg" in html
    assert "<script" not in html.split("<main")[1]
    device = TOTPDevice.objects.get(user=world.leader, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")

    response = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
    device.refresh_from_db()
    assert device.confirmed is False
    unthrottle()

    response = client.post(reverse("accounts:enrol"), {"code": totp_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    stored = set(RecoveryCode.objects.filter(user=world.leader).values_list("digest", flat=True))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("tasks:ledger")).status_code == 200  # verified in this session
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR)
    assert (event.actor, event.message) == (world.leader, "two-factor authentication enrolled")


def test_a_device_user_is_asked_for_the_code_after_the_password(world, client):
    device = confirmed_device(world.leader)
    response = post_login(client, "leader", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:verify"))
    assert client.get(reverse("tasks:ledger")).url.startswith(reverse("accounts:verify"))
    response = client.post(
        reverse("accounts:verify"), {"code": totp_code(device), "next": "/tasks/"}
    )
    assert response.status_code == 302
    assert response.url == "/tasks/"
    assert client.get(reverse("tasks:ledger")).status_code == 200


def test_an_optional_user_who_enrolled_is_asked_too(world, client):
    confirmed_device(world.office)
    post_login(client, "office")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:verify"))


def test_a_recovery_code_works_once_and_is_audited(world, client):
    confirmed_device(world.leader)
    post_login(client, "leader")
    # Enrolment normally makes them; here through the service the page uses.
    from zhuanban.accounts import services

    codes = services.recovery_codes_regenerate(user=world.leader)
    response = client.post(reverse("accounts:verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("tasks:ledger")).status_code == 200
    assert RecoveryCode.objects.filter(user=world.leader, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR, message="recovery code used to sign in"
    ).exists()

    client.post(reverse("logout"))
    post_login(client, "leader")
    response = client.post(reverse("accounts:verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_five_wrong_codes_log_out_and_are_audited(world, client):
    confirmed_device(world.leader)
    post_login(client, "leader")
    for _ in range(4):
        response = client.post(reverse("accounts:verify"), {"code": "123456"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:verify"), {"code": "123456"})
    assert "_auth_user_id" not in client.session
    denied = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR, outcome=AuditOutcome.DENIED)
    assert denied.actor == world.leader
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.TWO_FACTOR, outcome=AuditOutcome.FAILURE
        ).count()
        == 5
    )
    # The wrong codes count as failed logins: the account is now locked.
    assert response.status_code == 429
    assert post_login(client, "leader").status_code == 429


def test_the_account_page_shows_password_age_and_two_factor_status(world, login):
    client = login(world.leader)
    response = client.get(reverse("accounts:account"))
    html = response.content.decode()
    expires = response.context["password"].expires_at
    # Shown as the bureau's calendar day: after 16:00 UTC that is already tomorrow's.
    assert timezone.localtime(expires).strftime("%Y-%m-%d") in html
    assert response.context["device"] is not None
    assert response.context["required"] is True
    assert reverse("accounts:two_factor_disable") not in html


def test_a_required_role_cannot_turn_two_factor_off(world, login):
    client = login(world.leader)
    response = client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=world.leader).exists()
    assert AuditEvent.objects.get(action=AuditAction.TWO_FACTOR).outcome == AuditOutcome.DENIED


def test_an_optional_user_turns_it_off_with_the_password(world, login):
    device = confirmed_device(world.office)
    client = login(world.office)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    html = client.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:two_factor_disable") in html
    client.post(reverse("accounts:two_factor_disable"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=world.office).exists()
    client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=world.office).exists()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR, message="two-factor authentication disabled"
    ).exists()


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(world, login):
    from zhuanban.accounts import services

    client = login(world.leader)
    old = services.recovery_codes_regenerate(user=world.leader)
    response = client.post(reverse("accounts:recovery_codes"), {"password": "wrong"})
    assert response.status_code == 302
    response = client.post(reverse("accounts:recovery_codes"), {"password": PASSWORD})
    new = response.context["codes"]
    assert not set(old) & set(new)
    assert not services.recovery_code_use(user=world.leader, code=old[0])
    assert services.recovery_code_use(user=world.leader, code=new[0])


def test_the_account_pages_need_a_login(client, db):
    for name in ["account", "verify", "enrol", "password_change"]:
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_security_administrator_resets_a_lost_device_and_nobody_else(world, login):
    device = confirmed_device(world.office)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert login(world.sysadmin).post(url, {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client = login(world.secadmin)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200
    assert device.key not in listing.content.decode()  # the secret is never shown
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.office).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR)
    assert (event.actor, event.object_id) == (world.secadmin, str(world.office.pk))
