"""The hash chain finds edits and removals anywhere (including the newest events), and
`zhuanban audit verify|prune` report and prune it; a prune keeps the chain verifiable."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone, translation

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from zhuanban.org.tests.factories import UserFactory

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def user(db):
    return UserFactory(username="zhang", first_name="张三")


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def record_days_ago(days: int, monkeypatch, **fields) -> AuditEvent:
    """An event written `days` ago (the clock, not the row, is moved)."""
    moment = timezone.now() - datetime.timedelta(days=days)
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        return audit.record(**({"actor": None, "action": AuditAction.SYSTEM} | fields))


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_removing_the_newest_event_is_found(user):
    for n in range(3):
        audit.record(actor=user, action=AuditAction.SYSTEM, message=str(n))
    sql(f"DELETE FROM {TABLE} WHERE seq = 3")
    assert audit.verify_chain() == (False, 3)
    report = audit.check_chain()
    assert (report.problem, report.seq, report.last_seq) == (audit.ChainProblem.MISSING_TAIL, 3, 2)


def test_removing_the_newest_events_names_the_first_missing_one(user):
    for n in range(5):
        audit.record(actor=user, action=AuditAction.SYSTEM, message=str(n))
    sql(f"DELETE FROM {TABLE} WHERE seq >= 4")
    assert audit.verify_chain() == (False, 4)
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("audit", "verify")
    assert "#4–#5" in str(caught.value)
    assert "missing" in str(caught.value)


def test_removing_every_event_is_found(user):
    audit.record(actor=user, action=AuditAction.SYSTEM)
    sql(f"DELETE FROM {TABLE}")
    assert audit.verify_chain() == (False, 1)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", AuditOutcome.SUCCESS),  # a refusal turned into a success
        ("before", '{"status": "closed"}'),
        ("after", "null"),
        ("ip", "10.9.9.9"),
        ("actor_username", "someone-else"),
    ],
)
def test_editing_any_recorded_column_is_found(user, column, value):
    audit.record(actor=user, action=AuditAction.SYSTEM)
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        before={"status": "open"},
        after={"status": "open"},
        ip="10.1.1.1",
        outcome=AuditOutcome.DENIED,
    )
    audit.record(actor=user, action=AuditAction.SYSTEM)
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = 2", [value])
    assert audit.verify_chain() == (False, 2)
    assert audit.check_chain().problem == audit.ChainProblem.ALTERED


def test_rewriting_the_newest_event_with_fresh_hashes_is_found(user):
    """Recomputing the last row's hash makes it self-consistent; the head disagrees."""
    audit.record(actor=user, action=AuditAction.SYSTEM)
    last = audit.record(actor=user, action=AuditAction.SYSTEM, message="real")
    forged = AuditEvent.objects.get(pk=last.pk)
    forged.message = "forged"
    new_hash = audit._event_hash(forged.prev_hash, audit._payload(forged))
    sql(
        f"UPDATE {TABLE} SET message = %s, hash = %s WHERE seq = 2",
        ["forged", new_hash],
    )
    assert audit.verify_chain() == (False, 2)


def test_verify_command_reports_an_intact_chain(user):
    for n in range(4):
        audit.record(actor=user, action=AuditAction.SYSTEM, message=str(n))
    assert "The audit trail is intact: 4 records, #1–#4." in run("verify")


def test_verify_command_names_the_altered_record_and_fails(user):
    audit.record(actor=user, action=AuditAction.LOGIN)
    audit.record(actor=user, action=AuditAction.EXPORT)
    sql(f"UPDATE {TABLE} SET message = 'x' WHERE seq = 2")
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("audit", "verify")
    message = str(caught.value)
    assert "#2" in message
    assert "zhang" in message
    assert "Export" in message
    assert "altered" in message


def test_verify_command_speaks_chinese_by_default(user):
    audit.record(actor=user, action=AuditAction.SYSTEM)
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("audit", "verify", stdout=out)
    assert "#1–#1" in out.getvalue()


# --- prune ----------------------------------------------------------------------------


@pytest.fixture
def aged(user, monkeypatch):
    """Four events 400 days old, three 300 days old, two today."""
    for _n in range(4):
        record_days_ago(400, monkeypatch, actor=user, message="old")
    for _n in range(3):
        record_days_ago(300, monkeypatch, actor=user, message="older than retention")
    for _n in range(2):
        audit.record(actor=user, action=AuditAction.SYSTEM, message="recent")
    return user


def days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def test_prune_refuses_a_date_inside_the_retention_period(aged):
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("audit", "prune", "--before", days_ago(100), "--confirm")
    assert "180 days" in str(caught.value)
    assert "Nothing was deleted" in str(caught.value)
    assert AuditEvent.objects.count() == 9
    assert audit.verify_chain() == (True, None)


def test_prune_without_confirm_only_counts(aged):
    out = run("prune", "--before", days_ago(350))
    assert "4 audit events (#1–#4" in out
    assert "--confirm" in out
    assert AuditEvent.objects.count() == 9


def test_prune_deletes_the_oldest_records_it_and_the_chain_still_verifies(aged):
    first_kept = AuditEvent.objects.get(seq=5)
    doomed_last_hash = AuditEvent.objects.get(seq=4).hash
    out = run("prune", "--before", days_ago(350), "--confirm", "--user", "zhang")
    assert "Deleted 4 audit events (#1–#4)" in out

    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [5, 6, 7, 8, 9, 10]
    head = AuditChainHead.objects.get()
    assert (head.base_seq, head.base_hash) == (5, first_kept.prev_hash)
    assert first_kept.prev_hash == doomed_last_hash

    prune = AuditEvent.objects.get(action=AuditAction.PRUNE)
    assert prune.seq == 10
    assert prune.actor == aged
    assert prune.before["count"] == 4
    assert (prune.before["first_seq"], prune.before["last_seq"]) == (1, 4)
    assert prune.before["last_hash"] == doomed_last_hash
    assert prune.after["base_seq"] == 5

    assert audit.verify_chain() == (True, None)
    assert "6 records, #5–#10" in run("verify")
    # ...and still finds tampering in what is left
    sql(f"UPDATE {TABLE} SET message = 'x' WHERE seq = 6")
    assert audit.verify_chain() == (False, 6)


def test_a_second_prune_moves_the_base_again(aged):
    run("prune", "--before", days_ago(350), "--confirm")
    run("prune", "--before", days_ago(200), "--confirm")
    assert AuditChainHead.objects.get().base_seq == 8
    assert AuditEvent.objects.filter(action=AuditAction.PRUNE).count() == 2  # #10 kept
    assert audit.verify_chain() == (True, None)


def test_removing_the_first_kept_event_after_a_prune_is_found(aged):
    run("prune", "--before", days_ago(350), "--confirm")
    sql(f"DELETE FROM {TABLE} WHERE seq = 5")
    report = audit.check_chain()
    assert (report.ok, report.problem, report.seq) == (False, audit.ChainProblem.MISSING, 5)


def test_prune_refuses_a_broken_chain(aged):
    sql(f"UPDATE {TABLE} SET message = 'x' WHERE seq = 2")
    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("audit", "prune", "--before", days_ago(350), "--confirm")
    assert "#2" in str(caught.value)
    assert AuditEvent.objects.count() == 9


def test_prune_rejects_an_unknown_user_and_a_bad_date(aged):
    with pytest.raises(CommandError):
        call_command("audit", "prune", "--before", days_ago(350), "--user", "nobody")
    with pytest.raises(CommandError):
        call_command("audit", "prune", "--before", "2023-13-01")
    assert AuditEvent.objects.count() == 9


def test_the_orm_still_refuses_to_delete_events(aged):
    from zhuanban.core.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq__lt=3).delete()
    assert AuditEvent.objects.count() == 9


def test_events_appended_in_bulk_chain_after_the_others_in_a_constant_number_of_queries(
    user, django_assert_max_num_queries
):
    audit.record(actor=user, action=AuditAction.SYSTEM, message="before")
    # 60 events: one INSERT still on SQLite (999 parameters a statement, 15 a row).
    for count in (3, 60):
        events = [
            audit.new_event(actor=user, action=AuditAction.CREATE, after={"n": n}, message=str(n))
            for n in range(count)
        ]
        with django_assert_max_num_queries(5):  # savepoint, head, inserts, head, release
            audit.record_many(events, batch_size=500)
    audit.record(actor=user, action=AuditAction.SYSTEM, message="after")

    assert audit.verify_chain() == (True, None)
    trail = list(AuditEvent.objects.order_by("seq").values_list("seq", "message"))
    messages = ["before", *map(str, range(3)), *map(str, range(60)), "after"]
    assert trail == list(enumerate(messages, start=1))
    assert AuditChainHead.objects.get().seq == len(messages)


def test_events_appended_in_bulk_leave_nothing_when_the_write_rolls_back(user):
    audit.record(actor=user, action=AuditAction.SYSTEM, message="kept")
    head = AuditChainHead.objects.values_list("seq", "hash").get()

    def failing_import():
        with transaction.atomic():
            event = audit.new_event(actor=user, action=AuditAction.CREATE, message="x")
            audit.record_many([event])
            raise RuntimeError("the import failed after its audit events")

    with pytest.raises(RuntimeError, match="failed after"):
        failing_import()
    assert AuditChainHead.objects.values_list("seq", "hash").get() == head
    assert list(AuditEvent.objects.values_list("message", flat=True)) == ["kept"]
    assert audit.record_many([]) is None
