"""/api/v1/documents: what each caller reads, and what they may not."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhuanban.documents import services
from zhuanban.documents.lifecycle import DocAction, MeetingAction, MeetingStatus, Outcome
from zhuanban.documents.models import Disposition, Kind, MeetingKind
from zhuanban.documents.tests.conftest import PLAN_V2, TODAY, docx_upload

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"
RULES = "“原味乌兰察布”区域公用品牌管理办法"
BRAND_PLAN = "2023年品牌建设工作计划"
PLAN = "乌兰察布市马铃薯产业发展示范区建设方案"


def _zh(text) -> str:
    """A lazy msgid as the API, in the default language, writes it."""
    with translation.override("zh-hans"):
        return str(text)


def _doc(world, title: str, kind: str, text: str):
    document = services.document_save(
        actor=world.brand_staff,
        office=world.brand,
        data={"title": title, "kind": kind, "lead_author": world.brand_staff},
    )
    services.version_add(actor=world.brand_staff, document=document, text=text, label="初稿")
    return document


def _issued(world):
    """The brand office's rules, approved by a leader and issued."""
    document = _doc(world, RULES, Kind.RULES, "第一条 为规范品牌授权使用，制定本办法。")
    services.document_act(actor=world.brand_staff, document=document, action=DocAction.SUBMIT)
    services.document_act(
        actor=world.leader,
        document=document,
        action=DocAction.APPROVE,
        deliberation="市农牧局2023年第5次局务会",
        approved_on=TODAY,
    )
    services.document_act(
        actor=world.brand_staff,
        document=document,
        action=DocAction.ISSUE,
        issue_number="乌农牧发〔2023〕5号",
        issued_on=TODAY,
        issuing_authority="乌兰察布市农牧局",
    )
    document.refresh_from_db()
    return document


def _decided(world, meeting):
    """A potato office topic decided at the meeting, followed up with a task."""
    topic = services.topic_submit(
        actor=world.office,
        meeting=meeting,
        office=world.potato,
        data={"title": "研究种薯繁育基地建设"},
    )
    services.topic_act(actor=world.leader, topic=topic, action="approve")
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.FIX_AGENDA)
    services.meeting_act(actor=world.leader, meeting=meeting, action=MeetingAction.HOLD)
    services.topic_decide(
        actor=world.leader, topic=topic, outcome=Outcome.APPROVED, decision="同意建设，年内完成。"
    )
    task = services.decision_task_create(
        actor=world.office,
        topic=topic,
        content="建设种薯繁育基地",
        lead_unit=world.zhuozi,
        due_date=datetime.date(2023, 12, 1),
    )
    topic.refresh_from_db()
    return topic, task


@pytest.fixture
def scene(world, consulting, meeting):
    """The potato plan consulted on (卓资县 answered with two opinions, the leader with
    none, 化德县 not yet), the brand rules issued, a brand work plan still in draft, and
    a meeting held whose topic's decision became a task."""
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=consulting.zhuozi,
        opinions=[
            {"location": "二、(一)", "text": "建议基地规模调整为120万亩。"},
            {"location": "三、", "text": "建议增加资金保障条款。"},
        ],
    )
    services.answer_submit(
        actor=world.leader, request=consulting.leader, opinions=[], no_opinion=True
    )
    first = consulting.zhuozi.opinions.get(position=1)
    services.opinion_decide(
        actor=world.office,
        opinion=first,
        disposition=Disposition.NOT_ADOPTED,
        reason="100万亩为省定目标。",
    )
    topic, task = _decided(world, meeting)
    return SimpleNamespace(
        plan=consulting.document,
        round=consulting.round,
        rules=_issued(world),
        brand_plan=_doc(world, BRAND_PLAN, Kind.WORK_PLAN, "一、工作目标"),
        meeting=meeting,
        topic=topic,
        task=task,
    )


# --- documents ---------------------------------------------------------------------------------


def test_the_leader_lists_every_document_with_its_stage(world, login, scene):
    listed = login(world.leader).get(API).json()
    assert listed["count"] == 3
    rows = {row["title"]: row for row in listed["items"]}
    assert set(rows) == {PLAN, RULES, BRAND_PLAN}
    plan = rows[PLAN]
    assert plan["stage"] == "consulting"
    assert plan["stage_label"] == _zh(pgettext_lazy("document stage", "Seeking opinions"))
    assert plan["kind_label"] == _zh(gettext_lazy("Implementation plan"))
    assert plan["office"]["name"] == "马铃薯产业办"
    assert plan["pen_holder"]["name"] == "马晓静"
    assert plan["latest_version"] == 1
    assert plan["open_round_deadline"] == "2023-06-10"
    assert plan["url"] == f"/documents/{scene.plan.pk}/"
    rules = rows[RULES]
    assert (rules["issue_number"], rules["issued_on"], rules["issuing_authority"]) == (
        "乌农牧发〔2023〕5号",
        "2023-06-01",
        "乌兰察布市农牧局",
    )
    assert rules["deliberation"] == "市农牧局2023年第5次局务会"
    assert rules["open_round_deadline"] is None


def test_the_list_filters_by_kind_stage_and_office(world, login, scene):
    client = login(world.leader)

    def titles(query: str) -> set[str]:
        return {row["title"] for row in client.get(f"{API}?{query}").json()["items"]}

    assert titles("kind=rules") == {RULES}
    assert titles("stage=issued") == {RULES}
    assert titles(f"office={world.brand.pk}") == {RULES, BRAND_PLAN}
    assert titles(f"office={world.brand.pk}&stage=drafting") == {BRAND_PLAN}
    assert client.get(f"{API}?kind=memo").status_code == 422


def test_the_detail_shows_versions_and_rounds_not_the_text(world, login, scene):
    detail = login(world.leader).get(f"{API}/{scene.plan.pk}").json()
    assert detail["lead_author"]["name"] == "马晓静"
    assert [
        (v["number"], v["label"], v["has_file"], v["issued_at"]) for v in detail["versions"]
    ] == [(1, "初稿", True, None)]
    version = scene.plan.versions.get()
    assert detail["versions"][0]["file_url"] == f"/documents/versions/{version.pk}/download/"
    assert "text" not in detail["versions"][0]
    assert detail["rounds"] == [
        {
            "id": scene.round.pk,
            "number": 1,
            "version": 1,
            "deadline": "2023-06-10",
            "open": True,
            "opened_at": detail["rounds"][0]["opened_at"],
            "closed_at": None,
            "answered": 2,
            "total": 3,
        }
    ]


def test_a_county_reads_issued_and_consulted_documents_only(world, login, scene):
    client = login(world.zhuozi_liaison)
    listed = client.get(API).json()
    assert {row["title"] for row in listed["items"]} == {PLAN, RULES}
    assert client.get(f"{API}/{scene.brand_plan.pk}").status_code == 404
    detail = client.get(f"{API}/{scene.plan.pk}").json()
    # Its own answer counted, not the others'.
    assert [(r["answered"], r["total"]) for r in detail["rounds"]] == [(1, 1)]
    # Not consulted on the rules: no round of theirs, only the issued version.
    rules = client.get(f"{API}/{scene.rules.pk}").json()
    assert rules["rounds"] == []
    assert [v["number"] for v in rules["versions"]] == [1]


def test_a_county_reads_the_version_put_to_it_not_later_drafts(world, login, scene):
    services.round_close(actor=world.office, round=scene.round)
    services.version_add(
        actor=world.office, document=scene.plan, upload=docx_upload(PLAN_V2), label="送审稿"
    )
    county = login(world.zhuozi_liaison)
    detail = county.get(f"{API}/{scene.plan.pk}").json()
    assert [v["number"] for v in detail["versions"]] == [1]
    text = county.get(f"{API}/{scene.plan.pk}/versions/1/text").json()
    assert "（一）建设标准化种植基地100万亩。" in text["text"].splitlines()
    assert county.get(f"{API}/{scene.plan.pk}/versions/2/text").status_code == 404

    leader = login(world.leader)
    assert [v["number"] for v in leader.get(f"{API}/{scene.plan.pk}").json()["versions"]] == [1, 2]
    text = leader.get(f"{API}/{scene.plan.pk}/versions/2/text").json()
    assert (text["number"], text["label"]) == (2, "送审稿")
    assert "（三）建设脱毒种薯繁育体系。" in text["text"].splitlines()
    assert leader.get(f"{API}/{scene.plan.pk}/versions/3/text").status_code == 404


def test_anyone_in_a_county_reads_an_issued_text(world, login, scene):
    text = login(world.huade_liaison).get(f"{API}/{scene.rules.pk}/versions/1/text").json()
    assert text["text"] == "第一条 为规范品牌授权使用，制定本办法。"
    assert text["issued_at"] is not None


# --- opinion rounds ----------------------------------------------------------------------------


def test_the_bureau_reads_every_answer_and_how_it_was_handled(world, login, scene):
    got = login(world.office).get(f"{API}/rounds/{scene.round.pk}").json()
    assert got["document"] == {"id": scene.plan.pk, "title": PLAN, "stage": "consulting"}
    assert (got["version"], got["version_label"], got["answered"], got["total"]) == (
        1,
        "初稿",
        2,
        3,
    )
    requests = {r["consulted"]: r for r in got["requests"]}
    assert set(requests) == {"卓资县", "化德县", "王振华"}
    zhuozi = requests["卓资县"]
    assert zhuozi["unit"]["code"] == "150921"
    # The deadline (2023-06-10) had passed when the answer came: taken, marked late.
    assert zhuozi["answered"]
    assert zhuozi["late"]
    first, second = zhuozi["opinions"]
    assert (first["clause"], first["text"], first["disposition"]) == (
        "二、(一)",
        "建议基地规模调整为120万亩。",
        "not_adopted",
    )
    assert first["disposition_label"] == _zh(pgettext_lazy("opinion disposition", "Not adopted"))
    assert first["reason"] == "100万亩为省定目标。"
    assert second["disposition_label"] == _zh(
        pgettext_lazy("opinion disposition", "Not yet handled")
    )
    leader = requests["王振华"]
    assert leader["person"]["name"] == "王振华"
    assert leader["no_opinion"]
    assert leader["opinions"] == []
    assert not requests["化德县"]["answered"]


def test_a_county_reads_its_own_answer_only(world, login, scene):
    got = login(world.zhuozi_liaison).get(f"{API}/rounds/{scene.round.pk}").json()
    assert [r["consulted"] for r in got["requests"]] == ["卓资县"]
    assert (got["answered"], got["total"]) == (1, 1)
    got = login(world.huade_liaison).get(f"{API}/rounds/{scene.round.pk}").json()
    assert [(r["consulted"], r["answered"], r["opinions"]) for r in got["requests"]] == [
        ("化德县", False, [])
    ]


def test_a_round_is_hidden_from_those_not_consulted(world, login, scene):
    services.round_close(actor=world.office, round=scene.round)
    round = services.round_open(
        actor=world.office,
        document=scene.plan,
        deadline=timezone.localdate() + datetime.timedelta(days=5),
        units=[world.huade],
    )
    assert login(world.zhuozi_liaison).get(f"{API}/rounds/{round.pk}").status_code == 404
    assert login(world.huade_liaison).get(f"{API}/rounds/{round.pk}").status_code == 200


# --- meetings ----------------------------------------------------------------------------------


def test_meetings_with_topics_decisions_and_tasks(world, login, scene):
    client = login(world.leader)
    listed = client.get(f"{API}/meetings").json()
    assert [m["title"] for m in listed["items"]] == [scene.meeting.title]
    row = listed["items"][0]
    assert (row["kind"], row["year"], row["sequence"], row["status"]) == ("bureau", 2023, 1, "held")
    assert row["kind_label"] == _zh(gettext_lazy("Bureau meeting"))
    assert row["status_label"] == _zh(pgettext_lazy("meeting status", "Held"))
    assert (row["topic_count"], row["agenda_count"]) == (1, 1)
    assert row["chair"]["name"] == "王振华"

    detail = client.get(f"{API}/meetings/{scene.meeting.pk}").json()
    assert {a["name"] for a in detail["attendees"]} == {"王振华", "张海龙"}
    [topic] = detail["topics"]
    assert (topic["title"], topic["office"]["name"], topic["status"], topic["outcome"]) == (
        "研究种薯繁育基地建设",
        "马铃薯产业办",
        "decided",
        "approved",
    )
    assert topic["outcome_label"] == _zh(pgettext_lazy("topic outcome", "Approved"))
    assert topic["decision"] == "同意建设，年内完成。"
    assert topic["task_ids"] == [scene.task.pk]


def test_meeting_filters(world, login, scene):
    services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={
            "kind": MeetingKind.PARTY_GROUP,
            "starts_at": datetime.datetime(
                2024, 3, 1, 9, 0, tzinfo=timezone.get_current_timezone()
            ),
        },
    )
    client = login(world.leader)

    def count(query: str) -> int:
        return client.get(f"{API}/meetings?{query}").json()["count"]

    assert count("") == 2
    assert count("year=2023") == 1
    assert count("kind=party_group") == 1
    assert count(f"status={MeetingStatus.HELD}") == 1
    assert count("year=2024&status=held") == 0
    assert client.get(f"{API}/meetings?year=1900").status_code == 422


def test_topic_counts_per_office(world, login, scene):
    rows = login(world.leader).get(f"{API}/topic-counts?year=2023").json()
    assert rows == [
        {
            "office": {"id": world.potato.pk, "code": "office-potato", "name": "马铃薯产业办"},
            "submitted": 1,
            "on_agenda": 1,
            "decided": 1,
            "deferred": 0,
            "tasks": 1,
        }
    ]
    assert login(world.leader).get(f"{API}/topic-counts?year=2022").json() == []


def test_meetings_are_the_bureaus(world, login, scene):
    client = login(world.zhuozi_liaison)
    assert client.get(f"{API}/meetings").json()["items"] == []
    assert client.get(f"{API}/meetings/{scene.meeting.pk}").status_code == 404
    assert client.get(f"{API}/topic-counts?year=2023").json() == []


# --- who may not -------------------------------------------------------------------------------


def test_the_administrators_read_nothing(world, login, scene):
    for admin in (world.sysadmin, world.secadmin, world.auditor):
        client = login(admin)
        for url in (API, f"{API}/meetings", f"{API}/topic-counts"):
            assert client.get(url).status_code == 403, (admin, url)
        for url in (
            f"{API}/{scene.rules.pk}",
            f"{API}/{scene.rules.pk}/versions/1/text",
            f"{API}/rounds/{scene.round.pk}",
            f"{API}/meetings/{scene.meeting.pk}",
        ):
            assert client.get(url).status_code == 404, (admin, url)


def test_unauthenticated_requests_are_refused(client, scene):
    for url in (
        API,
        f"{API}/{scene.rules.pk}",
        f"{API}/{scene.rules.pk}/versions/1/text",
        f"{API}/rounds/{scene.round.pk}",
        f"{API}/meetings",
        f"{API}/meetings/{scene.meeting.pk}",
        f"{API}/topic-counts",
    ):
        assert client.get(url).status_code == 401, url


def test_the_schema_says_documents_are_read_only(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    mine = {path: item for path, item in paths.items() if path.startswith(API)}
    assert len(mine) == 7
    for path, item in mine.items():
        assert set(item) == {"get"}, path


# --- queries stay flat -------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _documents(world, n: int):
    for i in range(n):
        document = services.document_save(
            actor=world.office,
            office=world.potato,
            data={"title": f"方案{i}", "kind": Kind.PLAN, "lead_author": world.office},
        )
        services.version_add(actor=world.office, document=document, text=f"第{i}稿")


def test_the_document_list_takes_as_many_queries_for_3n_documents(world, login):
    client = login(world.leader)
    _documents(world, 2)
    client.get(API)  # the session's first request
    few = _queries(client, API)
    _documents(world, 4)
    assert _queries(client, API) == few


def _meetings(world, n: int):
    for i in range(n):
        meeting = services.meeting_save(
            actor=world.leader,
            convener=world.bureau,
            data={
                "kind": MeetingKind.DIRECTOR,
                "starts_at": datetime.datetime(
                    2023, 3, 1 + i, 9, 0, tzinfo=timezone.get_current_timezone()
                ),
            },
            attendees=[world.leader],
        )
        services.topic_submit(
            actor=world.office, meeting=meeting, office=world.potato, data={"title": f"议题{i}"}
        )
        services.topic_submit(
            actor=world.brand_staff, meeting=meeting, office=world.brand, data={"title": f"品{i}"}
        )


def test_meeting_lists_and_counts_take_as_many_queries_for_3n_meetings(world, login):
    client = login(world.leader)
    _meetings(world, 2)
    client.get(f"{API}/meetings")
    few = (_queries(client, f"{API}/meetings"), _queries(client, f"{API}/topic-counts?year=2023"))
    _meetings(world, 4)
    assert (
        _queries(client, f"{API}/meetings"),
        _queries(client, f"{API}/topic-counts?year=2023"),
    ) == few


def test_a_round_takes_as_many_queries_for_3n_answers(world, login, draft):
    client = login(world.office)
    units = [world.zhuozi, world.huade, world.crops, world.it, world.zhuozi_town, world.brand]
    round = services.round_open(
        actor=world.office, document=draft, deadline=TODAY, units=units[:2], today=TODAY
    )
    url = f"{API}/rounds/{round.pk}"
    client.get(url)
    few = _queries(client, url)
    services.round_close(actor=world.office, round=round)
    round = services.round_open(
        actor=world.office, document=draft, deadline=TODAY, units=units, today=TODAY
    )
    for request in round.requests.filter(unit=world.zhuozi):
        services.answer_submit(
            actor=world.zhuozi_liaison, request=request, opinions=[{"text": "无"}, {"text": "有"}]
        )
    assert _queries(client, f"{API}/rounds/{round.pk}") == few
