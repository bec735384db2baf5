"""The audit trail screen (/audit/): only the audit administrator gets in; filters,
detail with before/after, a formula-safe .xlsx export that is itself audited, the
"verify now" button, and a list whose query count does not grow with the trail."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome


@pytest.fixture
def events(world):
    update = audit.record(
        actor=world.office,
        action=AuditAction.UPDATE,
        object_type="tasks.task",
        object_id="42",
        object_repr="建设种薯繁育基地",
        before={"status": "assigned", "progress": 10},
        after={"status": "in_progress", "progress": 30},
        ip="10.1.2.3",
    )
    failed = audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="auth.user",
        object_repr='=HYPERLINK("http://evil")',
        message="username=admin",
        ip="192.168.0.9",
        outcome=AuditOutcome.FAILURE,
    )
    export = audit.record(
        actor=world.zhuozi_liaison,
        action=AuditAction.EXPORT,
        object_type="tasks.ledger",
        message="ledger exported to xlsx",
        ip="10.1.2.4",
    )
    return [update, failed, export]


@pytest.mark.parametrize(
    "persona", ["sysadmin", "secadmin", "leader", "office", "zhuozi_liaison", "outsider"]
)
def test_only_the_audit_administrator_gets_in(login, world, events, persona):
    client = login(getattr(world, persona))
    before = AuditEvent.objects.exclude(action=AuditAction.DENIED).count()
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:detail", args=[events[0].pk])).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    assert AuditEvent.objects.exclude(action=AuditAction.DENIED).count() == before


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_methods_are_refused(login, world):
    client = login(world.auditor)
    assert client.get(reverse("audit:verify")).status_code == 405
    assert client.post(reverse("audit:list")).status_code == 405


def test_the_list_shows_newest_first_with_every_column(login, world, events):
    client = login(world.auditor)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    shown = [event.seq for event in response.context["page"]]
    assert shown == sorted(shown, reverse=True)
    html = response.content.decode()
    assert "10.1.2.3" in html
    assert "建设种薯繁育基地" in html
    assert "username=admin" in html
    assert "office" in html  # the actor's username
    assert reverse("audit:detail", args=[events[0].pk]) in html
    # the main navigation leads here
    assert f'href="{reverse("audit:list")}"' in html


@pytest.mark.parametrize(
    ("query", "expected_actions"),
    [
        ({"action": "login_failed"}, {AuditAction.LOGIN_FAILED}),
        ({"outcome": "failure"}, {AuditAction.LOGIN_FAILED}),
        ({"user": "zhuozi"}, {AuditAction.EXPORT}),
        ({"ip": "10.1.2.3"}, {AuditAction.UPDATE}),
        ({"object_type": "tasks.task"}, {AuditAction.UPDATE}),
        ({"text": "种薯"}, {AuditAction.UPDATE}),
        ({"text": "ledger exported"}, {AuditAction.EXPORT}),
        ({"text": "42", "object_type": "tasks"}, {AuditAction.UPDATE}),
        ({"date_to": "2000-01-01"}, set()),
        # values that do not parse are ignored, never an error
        ({"action": "nonsense", "date_from": "yesterday", "text": "种薯"}, {AuditAction.UPDATE}),
    ],
)
def test_filters(login, world, events, query, expected_actions):
    client = login(world.auditor)
    response = client.get(reverse("audit:list"), query)
    assert response.status_code == 200
    fixture_seqs = {e.seq for e in events}
    found = {e.action for e in response.context["page"] if e.seq in fixture_seqs}
    assert found == expected_actions


def test_date_filters_use_local_days(login, world, events):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client = login(world.auditor)
    page = client.get(reverse("audit:list"), {"date_from": today, "date_to": today}).context["page"]
    assert {e.seq for e in events} <= {e.seq for e in page}


def test_the_detail_page_shows_before_and_after(login, world, events):
    client = login(world.auditor)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("audit:detail", args=[events[0].pk]))
    assert response.status_code == 200
    rows = {row["field"]: row for row in response.context["rows"]}
    assert (rows["status"]["before"], rows["status"]["after"]) == ("assigned", "in_progress")
    assert (rows["progress"]["before"], rows["progress"]["after"]) == ("10", "30")
    assert rows["status"]["changed"]
    html = response.content.decode()
    assert "in_progress" in html
    assert events[0].hash in html
    assert client.get(reverse("audit:detail", args=[999_999])).status_code == 404


def test_the_export_is_a_formula_safe_workbook_of_the_filtered_events_and_is_audited(
    login, world, events
):
    client = login(world.auditor)
    response = client.get(reverse("audit:export"), {"outcome": "failure"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert str(events[1].seq) in [row[0] for row in rows]
    assert {row[5] for row in rows} == {str(AuditOutcome.FAILURE.label)}
    line = 4 + [row[0] for row in rows].index(str(events[1].seq))
    cell = sheet.cell(row=line, column=9)
    assert cell.value == '=HYPERLINK("http://evil")'
    assert cell.data_type == "s"  # text, not a formula
    assert cell.quotePrefix

    export = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.auditor).get()
    assert export.object_type == "core.auditevent"
    assert "outcome=failure" in export.after["query"]
    assert export.ip == "127.0.0.1"


def test_verify_now_reports_an_intact_chain_and_records_the_check(login, world, events):
    client = login(world.auditor)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("audit:verify"), follow=True)
    html = response.content.decode()
    assert "The audit trail is intact" in html
    check = AuditEvent.objects.filter(actor=world.auditor, action=AuditAction.SYSTEM).get()
    assert check.outcome == AuditOutcome.SUCCESS


def test_verify_now_names_a_tampered_record(login, world, events):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET outcome = %s WHERE seq = %s",
            [AuditOutcome.SUCCESS, events[1].seq],
        )
    client = login(world.auditor)
    client.cookies["django_language"] = "en"
    html = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert f"record #{events[1].seq}" in html
    assert "altered" in html
    check = AuditEvent.objects.filter(actor=world.auditor, action=AuditAction.SYSTEM).get()
    assert check.outcome == AuditOutcome.FAILURE


def test_list_queries_do_not_grow_with_the_trail(login, world, events):
    client = login(world.auditor)
    url = reverse("audit:list")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(120):
        audit.record(actor=world.office, action=AuditAction.UPDATE, message=f"bulk {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page": "2"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]
