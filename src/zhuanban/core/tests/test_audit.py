import pytest
from django.db import connection
from django.urls import reverse

from zhuanban.core import audit
from zhuanban.core.models import AppendOnlyError, AuditAction, AuditEvent
from zhuanban.org.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="zhang", password="Demo@2023")


def test_events_are_hash_chained_and_verify(user):
    first = audit.record(actor=user, action=AuditAction.SYSTEM, message="one")
    second = audit.record(actor=None, action=AuditAction.SYSTEM, message="two")
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert (first.seq, second.seq) == (1, 2)
    assert audit.verify_chain() == (True, None)


def test_editing_a_row_in_the_database_breaks_the_chain(user):
    audit.record(actor=user, action=AuditAction.SYSTEM, message="one")
    tampered = audit.record(actor=user, action=AuditAction.SYSTEM, message="two")
    audit.record(actor=user, action=AuditAction.SYSTEM, message="three")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET message = %s WHERE seq = %s",
            ["altered", tampered.seq],
        )
    assert audit.verify_chain() == (False, tampered.seq)


def test_deleting_a_row_in_the_database_breaks_the_chain(user):
    for n in range(3):
        audit.record(actor=user, action=AuditAction.SYSTEM, message=str(n))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = 2")
    assert audit.verify_chain() == (False, 3)


def test_events_cannot_be_changed_or_deleted_through_the_orm(user):
    event = audit.record(actor=user, action=AuditAction.SYSTEM, message="x")
    event.message = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(message="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).message == "x"


def test_snapshot_never_contains_the_password_hash(user):
    data = audit.snapshot(user)
    assert data["username"] == "zhang"
    assert "password" not in data


def test_login_logout_and_failed_login_are_recorded_with_ip(client, user):
    url = reverse("login")
    client.post(url, {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(url, {"username": "zhang", "password": "Demo@2023"}, REMOTE_ADDR="10.1.2.4")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.4")

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == [
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
    ]
    failed, login, logout = events
    assert failed.ip == "10.1.2.3"
    assert failed.actor is None
    assert failed.object_repr == "zhang"
    assert (login.actor, login.ip) == (user, "10.1.2.4")
    assert logout.actor == user


def test_forwarded_for_is_ignored_unless_trusted(client, user, settings):
    url = reverse("login")
    client.post(url, {"username": "zhang", "password": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1")
    settings.TRUST_X_FORWARDED_FOR = True
    client.post(
        url, {"username": "zhang", "password": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.1"
    )
    untrusted, trusted = AuditEvent.objects.order_by("seq")
    assert untrusted.ip == "127.0.0.1"
    assert trusted.ip == "1.1.1.1"


def test_changed_fields_lists_only_differences():
    assert audit.changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]
    assert audit.changed_fields(None, None) == []


def test_a_wrong_password_is_refused_in_chinese_and_nobody_is_logged_in(client, user):
    response = client.post(reverse("login"), {"username": "zhang", "password": "wrong"})
    assert response.status_code == 200
    error = response.context["form"].non_field_errors()[0]
    assert "密码" in error
    assert "_auth_user_id" not in client.session
