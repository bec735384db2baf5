"""/api/v1/supervision: groups, visits, their counts and notices, read through the same
scoping as the screens; nothing is written through it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.tests.hardening import bearer
from zhuanban.supervision import notice_services
from zhuanban.supervision import services as supervision_services
from zhuanban.supervision.models import FindingKind, Notice, Visit, VisitKind, VisitStatus

from .conftest import png
from .notice_fixtures import draft, issued, with_reason

API = "/api/v1/supervision"
D = datetime.timedelta
HUADE_PLACE = "化德县冷库建设现场"
HUADE_GROUP = "化德县冷链专项督导组"
HUADE_REASON = "化德县冷库项目投资完成率偏低。"
HUADE_REPLY = "化德县已制定冷库整改方案"


def queries(client, url: str) -> tuple[int, dict]:
    client.get(url)  # the session and the throttle settle on the first request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.json()


@pytest.fixture
def huade_group(world, today):
    return supervision_services.group_create(
        actor=world.office,
        office=world.potato,
        name=HUADE_GROUP,
        year=today.year,
        leader=world.leader,
        members=[world.office],
        counties=[world.huade],
        starts_on=today - D(days=30),
        ends_on=today + D(days=30),
    )


# --- visits ----------------------------------------------------------------------------------


def test_a_liaison_lists_the_visits_carried_out_in_their_county(
    client, login, world, visit, huade_visit, planned_visit
):
    liaison = bearer(world.zhuozi_liaison)
    body = client.get(f"{API}/visits", **liaison).json()
    # Not 化德县's visit, nor the one still planned in 卓资县 itself.
    assert [row["id"] for row in body["items"]] == [visit.pk]
    assert HUADE_PLACE not in str(body)
    row = body["items"][0]
    assert (row["kind"], row["status"], row["county"]["name"]) == ("inspection", "done", "卓资县")
    assert row["group"]["name"] == "第一督导检查组"
    assert client.get(f"{API}/visits", {"county": world.huade.pk}, **liaison).json()["count"] == 0
    for other in (huade_visit, planned_visit):
        response = client.get(f"{API}/visits/{other.pk}", **liaison)
        assert response.status_code == 404
        assert HUADE_PLACE not in response.content.decode()
    office = login(world.office).get(f"{API}/visits").json()
    assert office["count"] == 3


def test_the_visit_list_filters_by_kind_county_group_year_and_month(
    login, world, make_visit, group, today
):
    earlier = today.replace(day=1) - D(days=40)  # in an earlier month
    forum = make_visit(
        None, kind=VisitKind.FORUM, group=None, office=world.potato, days=(earlier - today).days
    )
    inspection = make_visit()
    huade = make_visit(world.huade, kind=VisitKind.RESEARCH)
    client = login(world.office)

    def ids(**query) -> list[int]:
        response = client.get(f"{API}/visits", query)
        assert response.status_code == 200, query
        return sorted(row["id"] for row in response.json()["items"])

    assert ids(kind="forum") == [forum.pk]
    assert ids(county=world.huade.pk) == [huade.pk]
    assert ids(group=group.pk) == sorted([inspection.pk, huade.pk])
    assert ids(year=earlier.year, month=earlier.month) == [forum.pk]
    assert ids(year=today.year + 1) == []
    bad_filters = (
        {"kind": "picnic"},
        {"month": 13},
        {"year": 1999},
        {"status": "maybe"},
        {"county": 10**30},  # would overflow the database's integer parameter
    )
    for bad in bad_filters:
        assert client.get(f"{API}/visits", bad).status_code == 422, bad


def test_a_visit_shows_its_findings_with_their_rectification_items(login, world, visit, today):
    supervision_services.visit_add_photos(
        actor=world.office, visit=visit, uploads=[png("全景.png")]
    )
    problem = supervision_services.finding_add(
        actor=world.office,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text="种薯窖通风设施不足",
        unit=world.zhuozi,
        photos=[png("通风口.png")],
        rectify=True,
        requirement="增设通风设施",
        due_date=today + D(days=30),
    )
    supervision_services.finding_add(
        actor=world.office, visit=visit, kind=FindingKind.GOOD_PRACTICE, text="台账规范"
    )
    (item,) = problem.rectifications.all()
    body = login(world.zhuozi_liaison).get(f"{API}/visits/{visit.pk}").json()
    assert (body["finding_count"], body["open_rectifications"]) == (2, 1)
    assert {p["name"] for p in body["participants"]} == {"邵军", "马晓静"}
    (photo,) = body["photos"]
    assert photo["url"] == reverse("supervision:visit_file", args=[visit.pk, photo["id"]])
    first, second = body["findings"]
    assert (first["kind"], first["text"], first["unit"]["name"]) == (
        "problem",
        "种薯窖通风设施不足",
        "卓资县",
    )
    assert first["rectification_ids"] == [item.pk]
    assert first["photos"][0]["name"] == "通风口.png"
    assert (second["kind"], second["rectification_ids"]) == ("good_practice", [])
    # The item itself is read through the rectification API.
    rectification = login(world.zhuozi_liaison).get(f"/api/v1/rectifications/{item.pk}").json()
    assert rectification["source_url"] == problem.get_absolute_url()
    # The photo is the screen's download.
    assert login(world.zhuozi_liaison).get(photo["url"]).status_code == 200


def test_visits_are_counted_per_county_and_month_within_scope(
    login, world, make_visit, planned_visit, today
):
    make_visit()
    make_visit()
    make_visit(world.huade)
    office = login(world.office).get(f"{API}/visits/counts", {"year": today.year}).json()
    assert office["months"] == list(range(1, 13))
    rows = {row["county"]["name"]: row for row in office["rows"]}
    yesterday = today - D(days=1)
    if yesterday.year == today.year:
        assert rows["卓资县"]["cells"][yesterday.month - 1] == 2
        assert (rows["卓资县"]["total"], rows["化德县"]["total"], office["total"]) == (2, 1, 3)
    liaison = login(world.zhuozi_liaison).get(f"{API}/visits/counts").json()
    assert [row["county"]["name"] for row in liaison["rows"]] == ["卓资县"]
    assert liaison["year"] == today.year
    assert login(world.office).get(f"{API}/visits/counts", {"year": 99999}).status_code == 422


# --- groups ----------------------------------------------------------------------------------


def test_a_liaison_sees_the_groups_covering_their_county(
    login, world, group, huade_group, visit, huade_visit
):
    body = login(world.zhuozi_liaison).get(f"{API}/groups").json()
    assert [row["name"] for row in body["items"]] == ["第一督导检查组"]
    row = body["items"][0]
    assert row["leader"]["name"] == "王振华"
    assert {c["name"] for c in row["counties"]} == {"卓资县", "化德县"}
    # Counted within the liaison's scope: 卓资县's visit, not 化德县's.
    assert (row["visits_done"], row["visits_planned"]) == (1, 0)
    assert HUADE_GROUP not in str(body)
    office = login(world.office).get(f"{API}/groups").json()
    assert {row["name"] for row in office["items"]} == {"第一督导检查组", HUADE_GROUP}
    assert login(world.office).get(f"{API}/groups", {"year": 1800}).status_code == 422


# --- notices ---------------------------------------------------------------------------------


@pytest.fixture
def notices(world):
    """A notice to both counties (化德县 has replied), one to 化德县 alone, and a draft."""
    shared = draft(world, units=[world.zhuozi, world.huade], title="关于仓储设施建设进度的督办通报")
    with_reason(world, shared, world.zhuozi, "卓资县仓储设施建设滞后。")
    with_reason(world, shared, world.huade, "化德县仓储设施建设滞后。")
    shared = issued(world, shared)
    recipient = shared.recipients.get(unit=world.huade)
    notice_services.notice_reply(
        actor=world.huade_liaison, notice=shared, recipient=recipient, text=HUADE_REPLY
    )
    huade = issued(
        world,
        with_reason(
            world,
            draft(world, units=[world.huade], title="关于化德县冷库建设滞后的督办通报"),
            world.huade,
            HUADE_REASON,
        ),
    )
    pending = draft(world, title="关于卓资县种薯基地的督办通报（草稿）")
    return shared, huade, pending


def test_a_liaison_lists_the_issued_notices_that_concern_their_county(
    client, login, world, notices
):
    shared, huade, pending = notices
    liaison = bearer(world.zhuozi_liaison)
    body = client.get(f"{API}/notices", **liaison).json()
    assert [row["id"] for row in body["items"]] == [shared.pk]
    row = body["items"][0]
    assert row["number"] == shared.number
    assert row["status"] == "issued"
    assert {u["name"] for u in row["units"]} == {"卓资县", "化德县"}
    assert (row["recipients_total"], row["recipients_replied"]) == (2, 1)
    assert "冷库建设滞后" not in str(body)
    for other in (huade, pending):
        assert client.get(f"{API}/notices/{other.pk}", **liaison).status_code == 404
    # The office sees its draft beside the issued ones.
    office = login(world.office).get(f"{API}/notices").json()
    assert {row["id"] for row in office["items"]} == {shared.pk, huade.pk, pending.pk}
    drafts = login(world.office).get(f"{API}/notices", {"status": "draft"}).json()
    assert [row["number"] for row in drafts["items"]] == [""]
    assert login(world.office).get(f"{API}/notices", {"kind": "memo"}).status_code == 422


def test_a_notice_reads_as_the_screen_shows_it_to_the_caller(login, world, notices):
    shared, _huade, _pending = notices
    url = f"{API}/notices/{shared.pk}"
    body = login(world.zhuozi_liaison).get(url).json()
    assert body["title"] == "关于仓储设施建设进度的督办通报"
    assert body["authority"]["number_prefix"] == "乌农牧督"
    assert body["opening"] == shared.opening
    assert body["requirements"] == ["立即组织整改，明确完成时限"]
    reasons = {(r["unit"]["name"], r["text"]) for r in body["reasons"]}
    assert reasons == {
        ("卓资县", "卓资县仓储设施建设滞后。"),
        ("化德县", "化德县仓储设施建设滞后。"),
    }
    # 化德县 has replied: the liaison of 卓资县 learns that, not what it said.
    recipients = {r["unit"]["name"]: r for r in body["recipients"]}
    assert recipients["化德县"]["replied"] is True
    assert recipients["化德县"]["reply_text"] is None
    assert recipients["化德县"]["replied_by"] is None
    assert recipients["卓资县"]["replied"] is False
    assert HUADE_REPLY not in str(body)
    # Only 卓资县's own rectification item.
    own = shared.rectifications.get(unit=world.zhuozi)
    assert body["rectification_ids"] == [own.pk]
    assert body["documents"]["docx"] == reverse("supervision:notice_file", args=[shared.pk, "docx"])
    assert body["documents"]["pdf"] is None  # LibreOffice is off in the tests

    office = login(world.office).get(url).json()
    recipients = {r["unit"]["name"]: r for r in office["recipients"]}
    assert recipients["化德县"]["reply_text"] == HUADE_REPLY
    assert recipients["化德县"]["replied_by"]["name"] == "乔文慧"
    assert len(office["rectification_ids"]) == 2
    assert login(world.office).get(body["documents"]["docx"]).status_code == 200


def test_a_draft_is_read_by_its_office_without_number_or_documents(login, world, notices):
    _shared, _huade, pending = notices
    body = login(world.office).get(f"{API}/notices/{pending.pk}").json()
    assert (body["status"], body["number"], body["sequence"]) == ("draft", "", None)
    assert body["documents"] == {"docx": None, "pdf": None}
    assert login(world.brand_staff).get(f"{API}/notices/{pending.pk}").status_code == 404


# --- the API as a whole ---------------------------------------------------------------------


def test_the_lists_take_as_many_queries_for_30_rows_as_for_3(login, world, make_visit, group):
    client = login(world.office)
    urls = (f"{API}/visits", f"{API}/notices", f"{API}/groups")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_visit(world.huade if i % 2 else world.zhuozi, place=f"第{i}号基地")
            notice = with_reason(world, draft(world, units=[world.zhuozi, world.huade]))
            if i % 3 == 0:
                issued(world, notice)
            supervision_services.group_create(
                actor=world.office,
                office=world.potato,
                name=f"第{i}督导组",
                year=group.year,
                leader=world.leader,
                members=[world.office, world.inspector],
                counties=[world.zhuozi, world.huade],
                starts_on=group.starts_on,
                ends_on=group.ends_on,
            )

    add(3, 0)
    few = {url: queries(client, url) for url in urls}
    add(27, 3)
    many = {url: queries(client, url) for url in urls}
    assert [body["count"] for _q, body in many.values()] == [30, 30, 31]
    assert {url: q for url, (q, _b) in few.items()} == {url: q for url, (q, _b) in many.items()}


def test_nothing_is_written_through_the_supervision_api(login, world, visit, notices):
    shared, _huade, _pending = notices
    client = login(world.office)
    before = (Visit.objects.count(), Notice.objects.count())
    for url in (
        f"{API}/visits",
        f"{API}/visits/{visit.pk}",
        f"{API}/groups",
        f"{API}/notices",
        f"{API}/notices/{shared.pk}",
    ):
        assert client.post(url, {}, content_type="application/json").status_code == 405, url
        assert client.delete(url).status_code == 405, url
    assert (Visit.objects.count(), Notice.objects.count()) == before


def test_the_three_administrators_read_no_supervision(login, world, visit):
    client = login(world.auditor)
    for url in (f"{API}/visits", f"{API}/visits/counts", f"{API}/groups", f"{API}/notices"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"{API}/visits/{visit.pk}").status_code == 404


def test_the_schema_says_supervision_is_read_only(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/supervision/visits",
        "/api/v1/supervision/visits/{visit_id}",
        "/api/v1/supervision/notices",
        "/api/v1/supervision/notices/{notice_id}",
    ):
        assert set(paths[path]) == {"get"}, path
        assert "Read-only" in paths[path]["get"]["description"], path
    assert {"/api/v1/supervision/visits/counts", "/api/v1/supervision/groups"} <= set(paths)
    assert VisitStatus.PLANNED in schema["components"]["schemas"]["VisitStatus"]["enum"]
