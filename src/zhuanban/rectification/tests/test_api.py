"""/api/v1/rectifications: the same scoping, lifecycle and version checks as the screens,
by session and by bearer token."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditEvent
from zhuanban.core.tests.hardening import bearer
from zhuanban.rectification import services
from zhuanban.rectification.lifecycle import Action, Status
from zhuanban.rectification.models import Rectification, RectificationResponse, SourceKind, Verdict

API = "/api/v1/rectifications"
D = datetime.timedelta
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HUADE_PROBLEM = "化德县冷库温控记录缺失"


def post(client, url, body, **kwargs):
    return client.post(url, body, content_type="application/json", **kwargs)


def state(item) -> tuple:
    """What a refused request must leave as it was."""
    fresh = Rectification.objects.get(pk=item.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.closed_at,
        fresh.responses.count(),
        fresh.events.count(),
    )


@pytest.fixture
def huade_item(world, raise_item):
    return raise_item(world.huade, problem=HUADE_PROBLEM, requirement="补建温控台账")


# --- reading ---------------------------------------------------------------------------------


def test_a_liaison_lists_and_reads_only_their_countys_items(client, login, world, item, huade_item):
    for headers, who in (({}, login(world.zhuozi_liaison)), (bearer(world.zhuozi_liaison), client)):
        if headers:
            client.logout()
        body = who.get(API, **headers).json()
        assert body["count"] == 1
        (row,) = body["items"]
        assert (row["id"], row["unit"]["name"], row["county"]["name"]) == (
            item.pk,
            "卓资县",
            "卓资县",
        )
        assert HUADE_PROBLEM not in str(body)
        # Asking for 化德县's by filter finds nothing; by id it does not exist.
        assert who.get(API, {"county": world.huade.pk}, **headers).json()["count"] == 0
        response = who.get(f"{API}/{huade_item.pk}", **headers)
        assert response.status_code == 404
        assert HUADE_PROBLEM not in response.content.decode()
    office = login(world.office).get(API).json()
    assert {row["id"] for row in office["items"]} == {item.pk, huade_item.pk}


def test_the_detail_shows_the_reports_and_what_the_caller_may_do(login, world, item):
    evidence = store_upload(
        SimpleUploadedFile("灭火器照片.pdf", PDF, content_type="application/pdf"),
        user=world.zhuozi_liaison,
        allowed={".pdf"},
    )
    services.rectification_respond(
        actor=world.zhuozi_liaison, item=item, text="已配齐灭火器12具", evidence=[evidence]
    )
    body = login(world.office).get(f"{API}/{item.pk}").json()
    assert body["status"] == Status.RESPONDED
    assert body["light"] == "green"
    assert body["version"] == 2
    assert body["source_kind"] == SourceKind.VISIT
    assert body["allowed_actions"] == ["accept", "reject", "extend", "withdraw", "comment"]
    (report,) = body["responses"]
    assert report["text"] == "已配齐灭火器12具"
    assert report["responder"]["name"] == "郭晓军"
    assert report["verdict"] == Verdict.PENDING
    (attached,) = report["evidence"]
    assert attached["name"] == "灭火器照片.pdf"
    assert attached["url"] == reverse("rectification:file", args=[item.pk, evidence.pk])
    # The screen's download serves it to a signed-in session.
    assert login(world.office).get(attached["url"]).status_code == 200
    liaison = login(world.zhuozi_liaison).get(f"{API}/{item.pk}").json()
    assert liaison["allowed_actions"] == ["comment"]


def test_the_list_filters_like_the_screen(login, world, raise_item, today):
    overdue = raise_item(problem="逾期未整改", raised_on=today - D(days=40), due_in=30)
    soon = raise_item(problem="临近期限", due_in=2)
    later = raise_item(world.huade, problem="期限尚远", due_in=60)
    services.rectification_respond(actor=world.huade_liaison, item=later, text="已整改")
    client = login(world.office)

    def ids(**query) -> list[int]:
        body = client.get(API, query).json()
        return [row["id"] for row in body["items"]]

    # Worst light first, then by deadline.
    assert ids() == [overdue.pk, soon.pk, later.pk]
    assert ids(light="red") == [overdue.pk]
    assert ids(overdue="true") == [overdue.pk]
    assert ids(status="responded") == [later.pk]
    assert ids(county=world.huade.pk) == [later.pk]
    assert ids(unit=world.zhuozi.pk) == [overdue.pk, soon.pk]
    assert ids(source_kind="notice") == []
    assert ids(text="临近") == [soon.pk]
    row = client.get(API, {"light": "red"}).json()["items"][0]
    assert row["days_overdue"] == 10
    assert client.get(API, {"status": "bogus"}).status_code == 422
    assert client.get(API, {"light": "purple"}).status_code == 422
    # An id beyond 64 bits would overflow the database's parameter: refused, not a 500.
    assert client.get(API, {"county": 10**30}).status_code == 422
    assert client.get(f"{API}/counts", {"unit": 10**30}).status_code == 422


def test_counts_by_light_status_and_county_are_scoped(login, world, raise_item, today):
    raise_item(problem="逾期未整改", raised_on=today - D(days=40), due_in=30)
    raise_item(problem="期限尚远", due_in=60)
    raise_item(world.huade, problem=HUADE_PROBLEM, due_in=60)
    office = login(world.office).get(f"{API}/counts").json()
    assert (office["total"], office["overdue"]) == (3, 1)
    assert office["by_light"] == {"red": 1, "yellow": 0, "green": 2, "grey": 0}
    assert office["by_status"]["open"] == 3
    by_county = {
        row["name"]: (row["total"], row["open"], row["overdue"]) for row in office["by_county"]
    }
    assert by_county == {"卓资县": (2, 2, 1), "化德县": (1, 1, 0)}

    liaison = login(world.zhuozi_liaison).get(f"{API}/counts").json()
    assert liaison["total"] == 2
    assert [row["name"] for row in liaison["by_county"]] == ["卓资县"]
    huade = login(world.zhuozi_liaison).get(f"{API}/counts", {"county": world.huade.pk}).json()
    assert (huade["total"], huade["by_county"]) == (0, [])


def test_the_three_administrators_read_no_items(login, world, item):
    for admin in (world.auditor, world.sysadmin):
        client = login(admin)
        assert client.get(API).status_code == 403
        assert client.get(f"{API}/counts").status_code == 403
        assert client.get(f"{API}/{item.pk}").status_code == 404


def test_the_lists_take_as_many_queries_for_30_items_as_for_3(login, world, raise_item):
    client = login(world.office)

    def queries(url: str) -> tuple[int, int]:
        client.get(url)  # the session and the throttle settle on the first request
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.json().get("count", response.json().get("total"))

    for n in range(3):
        raise_item(problem=f"问题{n}", due_in=n + 1)
    few = {url: queries(url) for url in (API, f"{API}/counts")}
    for n in range(27):
        raise_item(world.huade if n % 2 else world.zhuozi, problem=f"问题{n}", due_in=n + 1)
    many = {url: queries(url) for url in (API, f"{API}/counts")}
    assert [count for _queries, count in many.values()] == [30, 30]
    assert {url: q for url, (q, _count) in few.items()} == {
        url: q for url, (q, _count) in many.items()
    }


# --- the loop ----------------------------------------------------------------------------------


def test_a_liaison_responds_and_the_office_accepts(client, world, item):
    liaison = bearer(world.zhuozi_liaison)
    detail = client.get(f"{API}/{item.pk}", **liaison).json()
    assert detail["allowed_actions"] == ["respond", "comment"]
    response = post(
        client,
        f"{API}/{item.pk}/responses",
        {"text": "已配齐灭火器12具，应急照明8套", "expected_version": detail["version"]},
        **liaison,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"]) == (Status.RESPONDED, 2)
    assert body["responses"][0]["text"] == "已配齐灭火器12具，应急照明8套"
    assert body["allowed_actions"] == ["comment"]

    office = bearer(world.office)
    response = post(
        client,
        f"{API}/{item.pk}/actions/accept",
        {"comment": "现场核实，同意销号", "expected_version": 2},
        **office,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == Status.CLOSED
    assert body["light"] == "grey"
    assert body["responses"][0]["verdict"] == Verdict.ACCEPTED
    assert body["responses"][0]["verified_by"]["name"] == "马晓静"
    assert body["allowed_actions"] == ["reopen", "comment"]

    item.refresh_from_db()
    assert item.status == Status.CLOSED
    assert item.closed_at is not None
    report = RectificationResponse.objects.get(item=item)
    assert (report.verdict, report.verified_by, report.verdict_comment) == (
        Verdict.ACCEPTED,
        world.office,
        "现场核实，同意销号",
    )
    assert list(item.events.values_list("action", flat=True)) == ["raise", "respond", "accept"]
    assert (
        AuditEvent.objects.filter(
            object_type="rectification.rectification", object_id=str(item.pk)
        ).count()
        == 3
    )


def test_rejecting_needs_a_reason_and_sends_the_item_back(login, world, responded):
    client = login(world.office)
    url = f"{API}/{responded.pk}/actions/reject"
    before = state(responded)
    response = post(client, url, {"comment": "  ", "expected_version": responded.version})
    assert response.status_code == 400
    assert response.json()["detail"]["comment"]
    assert state(responded) == before
    response = post(
        client, url, {"comment": "照片不清晰，请补充", "expected_version": responded.version}
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.REWORK
    assert response.json()["responses"][0]["verdict"] == Verdict.REJECTED
    # The unit answers again.
    response = post(
        login(world.zhuozi_liaison),
        f"{API}/{responded.pk}/responses",
        {"text": "已补充清晰照片", "expected_version": response.json()["version"]},
    )
    assert response.json()["status"] == Status.RESPONDED
    assert [r["text"] for r in response.json()["responses"]] == [
        "已补充清晰照片",
        "已配齐灭火器12具，应急照明8套",
    ]


def test_a_stale_version_is_refused_with_409_and_nothing_changes(login, world, item):
    liaison = login(world.zhuozi_liaison)
    before = state(item)
    response = post(
        liaison, f"{API}/{item.pk}/responses", {"text": "已整改", "expected_version": 7}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert response.json()["detail"]
    assert state(item) == before

    # The office urged meanwhile: the version the liaison read is stale.
    services.rectification_act(actor=world.office, item=item, action=Action.URGE)
    before = state(item)
    response = post(
        liaison, f"{API}/{item.pk}/responses", {"text": "已整改", "expected_version": 1}
    )
    assert response.status_code == 409
    assert state(item) == before
    office = login(world.office)
    response = post(office, f"{API}/{item.pk}/actions/urge", {"expected_version": 1})
    assert response.status_code == 409
    assert state(item) == before


def test_wrong_actions_are_refused_and_change_nothing(login, world, item):
    before = state(item)
    office = login(world.office)
    body = {"comment": "理由", "expected_version": item.version}
    # Responding has its endpoint; extending and commenting are done on the page.
    for action in ("respond", "extend", "comment"):
        response = post(office, f"{API}/{item.pk}/actions/{action}", body)
        assert response.status_code == 400, action
        assert response.json()["detail"]
    assert post(office, f"{API}/{item.pk}/actions/explode", body).status_code == 422
    # The item is open: nothing to accept yet.
    response = post(office, f"{API}/{item.pk}/actions/accept", body)
    assert response.status_code == 400
    assert response.json()["detail"]
    # The unit does not verify its own report, the office does not report for the unit.
    liaison = login(world.zhuozi_liaison)
    assert post(liaison, f"{API}/{item.pk}/actions/accept", body).status_code == 403
    assert post(liaison, f"{API}/{item.pk}/actions/urge", body).status_code == 403
    office = login(world.office)
    response = post(office, f"{API}/{item.pk}/responses", {"text": "代报", "expected_version": 1})
    assert response.status_code == 403
    # An inspector reads every item and acts on none.
    inspector = login(world.inspector)
    assert inspector.get(f"{API}/{item.pk}").json()["allowed_actions"] == []
    assert post(inspector, f"{API}/{item.pk}/actions/withdraw", body).status_code == 403
    assert state(item) == before


def test_another_countys_item_cannot_be_answered_or_acted_on(login, world, huade_item):
    before = state(huade_item)
    liaison = login(world.zhuozi_liaison)
    body = {"text": "越权反馈", "expected_version": huade_item.version}
    assert post(liaison, f"{API}/{huade_item.pk}/responses", body).status_code == 404
    body = {"comment": "越权", "expected_version": huade_item.version}
    assert post(liaison, f"{API}/{huade_item.pk}/actions/withdraw", body).status_code == 404
    # Another office's staff see none of the potato office's items.
    assert login(world.brand_staff).get(f"{API}/{huade_item.pk}").status_code == 404
    assert state(huade_item) == before


def test_unknown_or_missing_fields_are_refused_with_422(login, world, item):
    before = state(item)
    liaison = login(world.zhuozi_liaison)
    url = f"{API}/{item.pk}/responses"
    for body in (
        {"text": "已整改", "expected_version": 1, "status": "closed"},
        {"text": "已整改"},
        {"text": "", "expected_version": 1},
        {"text": "已整改\x00", "expected_version": 1},
        {"text": "已整改", "expected_version": 0},
    ):
        assert post(liaison, url, body).status_code == 422, body
    office = login(world.office)
    body = {"comment": "", "expected_version": 1, "due_date": "2030-01-01"}
    assert post(office, f"{API}/{item.pk}/actions/urge", body).status_code == 422
    assert state(item) == before


def test_wrong_methods_are_refused(login, world, item):
    client = login(world.office)
    assert client.delete(f"{API}/{item.pk}").status_code == 405
    assert client.get(f"{API}/{item.pk}/responses").status_code == 405
    assert post(client, f"{API}/counts", {}).status_code == 405


def test_the_schema_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    respond = paths["/api/v1/rectifications/{item_id}/responses"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409", "422"} <= set(respond)
    act = paths["/api/v1/rectifications/{item_id}/actions/{action}"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409", "422"} <= set(act)
    assert {"/api/v1/rectifications", "/api/v1/rectifications/counts"} <= set(paths)
