"""django-axes: 5 failures lock the account and the address for 15 minutes; the page
says until when; the lock-out is audited."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from zhuanban.accounts.tests.helpers import post_login
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome


def fail_five_times(client, username="office", ip="10.0.0.1"):
    for _ in range(5):
        post_login(client, username, "wrong", ip=ip)


def test_the_sixth_attempt_is_refused_even_with_the_right_password(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    fail_five_times(client)
    before = timezone.now()
    response = post_login(client, "office")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "id_username" in html
    assert "id_password" in html
    retry = timezone.localtime(before + timedelta(minutes=15))
    # The lock lifts 15 minutes after the 5th failure, rounded up to the minute.
    assert any((retry + timedelta(minutes=m)).strftime("%H:%M") in html for m in (0, 1)), html
    assert response.context["lockout_message"]


def test_the_lockout_message_in_english_names_the_time(world, client):
    fail_five_times(client)
    client.cookies["django_language"] = "en"
    response = post_login(client, "office")
    message = response.context["lockout_message"]
    assert message.startswith("Too many failed logins")
    assert "Please try again after " in message


def test_the_account_is_locked_from_another_address(world, client):
    fail_five_times(client, ip="10.0.0.1")
    response = post_login(client, "office", ip="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_address_is_locked_for_other_accounts(world, client):
    for username in ["a", "b", "c", "d", "e"]:
        post_login(client, username, "wrong", ip="10.0.0.1")
    response = post_login(client, "zhuozi", ip="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same account from elsewhere is not locked.
    assert post_login(client, "zhuozi", ip="10.0.0.2").status_code == 302


def test_four_failures_do_not_lock_and_success_resets_the_count(world, client):
    for _ in range(4):
        post_login(client, "office", "wrong")
    assert post_login(client, "office").status_code == 302
    assert not AccessAttempt.objects.filter(username="office").exists()


def test_after_the_lockout_time_login_works(world, client):
    fail_five_times(client)
    assert post_login(client, "office").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = post_login(client, "office")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_refused_attempts_during_the_lock_do_not_extend_it(world, client):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    post_login(client, "office", "wrong")  # refused while locked
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert post_login(client, "office").status_code == 302


def test_the_lockout_is_audited_once_with_username_and_address(world, client):
    fail_five_times(client, ip="10.7.7.7")
    post_login(client, "office", ip="10.7.7.7")  # refused: a failed login, not a new lock
    events = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT)
    assert events.count() == 1
    event = events.get()
    assert event.outcome == AuditOutcome.DENIED
    assert event.ip == "10.7.7.7"
    assert event.object_repr == "office"
    assert "username=office" in event.message
    assert "ip=10.7.7.7" in event.message
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 6


def test_the_forwarded_address_counts_only_when_trusted(world, client, settings):
    for n in range(5):
        post_login(client, f"x{n}", "wrong", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    # Untrusted header: all five came from 10.0.0.1, which is now locked.
    assert post_login(client, "zhuozi", ip="10.0.0.1").status_code == 429
    AccessAttempt.objects.all().delete()
    settings.TRUST_X_FORWARDED_FOR = True
    for n in range(5):
        post_login(client, f"y{n}", "wrong", ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    assert (
        post_login(client, "zhuozi", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code
        == 302
    )


def test_the_security_administrator_sees_and_lifts_lockouts(world, client, login):
    fail_five_times(client)
    attempt = AccessAttempt.objects.get()
    url = reverse("admin:axes_accessattempt_changelist")
    assert login(world.sysadmin).get(url).status_code == 403
    secadmin = login(world.secadmin)
    assert secadmin.get(url).status_code == 200
    response = secadmin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="axes.accessattempt")
    assert event.actor == world.secadmin
