"""Password changes are recorded; an issued or expired password must be changed before
anything else; the administrator's password forces a change at first login."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuanban.accounts import policy, services
from zhuanban.accounts.models import AccountSecurity
from zhuanban.accounts.tests.helpers import PASSWORD, post_login
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.tests.factories import UserFactory

NEW = "Tudou#Field2024"


def test_a_user_without_a_row_counts_from_joining_and_has_no_forced_change(world):
    state = policy.password_state(world.office)
    assert state.changed_at == world.office.date_joined
    assert state.expires_at == world.office.date_joined + timedelta(days=90)
    assert not state.change_required
    assert not AccountSecurity.objects.filter(user=world.office).exists()  # read, no write


def test_password_change_records_time_clears_the_forced_change_and_audits(world):
    AccountSecurity.objects.create(user=world.office, must_change_password=True)
    services.password_change(user=world.office, new_password=NEW, actor=world.office)
    world.office.refresh_from_db()
    row = AccountSecurity.for_user(world.office)
    assert world.office.check_password(NEW)
    assert row.must_change_password is False
    assert timezone.now() - row.password_changed_at < timedelta(minutes=1)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert event.actor == world.office
    assert "pbkdf2" not in json.dumps(event.after)
    assert "md5" not in json.dumps(event.after)
    assert NEW not in json.dumps(event.after) + event.message


def test_a_new_password_differs_from_the_current_one_and_the_four_before(world, settings):
    from django.core.exceptions import ValidationError

    from zhuanban.accounts.models import PasswordHistory

    user = world.office
    for n in range(1, 7):
        services.password_change(user=user, new_password=password_of(n), actor=user)
    # Current: Harvest#6Potato; before it #5, #4, #3, #2 (five in all with the current).
    for reused in [password_of(6), password_of(5), password_of(2)]:
        with pytest.raises(ValidationError) as error:
            services.password_change(user=user, new_password=reused, actor=user)
        assert [e.code for e in error.value.error_list] == ["password_reused"]
    user.refresh_from_db()
    assert user.check_password(password_of(6))
    # #1 is six passwords back, and the very first (the issued Demo@2023) further still.
    services.password_change(user=user, new_password=password_of(1), actor=user)
    services.password_change(user=user, new_password="Seven#Fields7", actor=user)
    services.password_change(user=user, new_password=PASSWORD, actor=user)
    assert PasswordHistory.objects.filter(user=user).count() == settings.PASSWORD_HISTORY_COUNT


def password_of(n: int) -> str:
    return f"Harvest#{n}Potato"


def test_the_change_page_says_when_a_password_was_used_before(world, login):
    client = login(world.office)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "不能与最近 5 次使用过的密码相同" in response.content.decode()


def test_password_change_refuses_a_weak_password(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.password_change(user=world.office, new_password="office123", actor=world.office)
    world.office.refresh_from_db()
    assert world.office.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_an_issued_password_must_be_changed_before_anything_else(world, client):
    services.password_issue(user=world.office, new_password=NEW, actor=world.sysadmin)
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE).actor == world.sysadmin
    response = post_login(client, "office", NEW)
    assert response.status_code == 302
    response = client.get(reverse("tasks:ledger"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:password_change"))
    page = client.get(response.url).content.decode()
    assert "管理员" in page or "administrator" in page  # says why

    # Logout and the language switch stay reachable.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302

    response = client.post(
        reverse("accounts:password_change") + "?next=/tasks/",
        {
            "old_password": NEW,
            "new_password1": "Another#Field25",
            "new_password2": "Another#Field25",
            "next": "/tasks/",
        },
    )
    assert response.status_code == 302
    assert response.url == "/tasks/"
    assert client.get(reverse("tasks:ledger")).status_code == 200  # still logged in
    assert AccountSecurity.for_user(world.office).must_change_password is False


def test_the_api_answers_403_json_instead_of_a_redirect(world, client):
    services.password_issue(user=world.office, new_password=NEW, actor=world.sysadmin)
    post_login(client, "office", NEW)
    response = client.get("/api/v1/org/units")
    assert response.status_code == 403
    assert response.json()["code"] == "password"


def test_an_expired_password_must_be_changed_and_the_page_says_since_when(world, login, settings):
    old = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 3)
    AccountSecurity.objects.create(user=world.office, password_changed_at=old)
    client = login(world.office)
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("accounts:password_change"))
    page = client.get(reverse("accounts:password_change")).content.decode()
    expired_on = timezone.localtime(old + timedelta(days=settings.PASSWORD_MAX_AGE_DAYS))
    assert expired_on.strftime("%Y-%m-%d") in page


def test_a_password_younger_than_the_limit_is_fine(world, login, settings):
    recent = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS - 1)
    AccountSecurity.objects.create(user=world.office, password_changed_at=recent)
    assert login(world.office).get(reverse("home")).status_code == 200


def test_the_change_page_refuses_a_weak_password_with_the_reason(world, login):
    client = login(world.office)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "office2024", "new_password2": "office2024"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    world.office.refresh_from_db()
    assert world.office.check_password(PASSWORD)


def test_the_admin_add_form_issues_the_password(world, login, client):
    admin = login(world.sysadmin)
    response = admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "first_name": "新人",
            "password1": NEW,
            "password2": NEW,
            "usable_password": "true",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    newbie = UserFactory._meta.model.objects.get(username="newbie")
    assert AccountSecurity.for_user(newbie).must_change_password is True
    assert newbie.check_password(NEW)


def test_the_admin_add_form_refuses_a_weak_password(world, login):
    admin = login(world.sysadmin)
    response = admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "weak",
            "password1": "weak1234",
            "password2": "weak1234",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert not UserFactory._meta.model.objects.filter(username="weak").exists()


def test_the_admin_change_password_form_issues_the_password(world, login):
    admin = login(world.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[world.office.pk])
    response = admin.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302
    world.office.refresh_from_db()
    assert world.office.check_password(NEW)
    assert AccountSecurity.for_user(world.office).must_change_password is True
    event = AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).get()
    assert (event.actor, event.object_id) == (world.sysadmin, str(world.office.pk))


def test_only_the_system_administrator_issues_passwords(world, login):
    url = reverse("admin:auth_user_password_change", args=[world.office.pk])
    client = login(world.auditor)
    response = client.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 403
    world.office.refresh_from_db()
    assert world.office.check_password(PASSWORD)
