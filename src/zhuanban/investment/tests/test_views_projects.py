"""The project screens: the list (filters, lights by the clock rule, order, the office's
notice button, queries flat), entering and editing a project (every problem at once,
nothing half-saved, 亿元 converted), a project's page, its actions (move with evidence,
back and drop with a reason, progress with funds, urge) and the evidence download, the
red projects into a supervision notice, and who may do what (404 when the project is not
theirs to see, 403 when they only read)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhuanban.core.models import AuditAction, AuditEvent, Notification, StoredFile
from zhuanban.investment import services
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import EventKind, ProgressReport, Project, ProjectEvent
from zhuanban.investment.templatetags.investment_tags import wan, yi
from zhuanban.investment.tests.conftest import days_ago, make_project, upload
from zhuanban.investment.tests.test_views_pipeline import (
    THIS,
    by_id,
    doc_of,
    enterprise_login,
    errors_of,
    small_pipeline,
    text_of,
    url,
)
from zhuanban.supervision.models import Notice, NoticeStatus
from zhuanban.supervision.tests.notice_fixtures import authority
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def pipeline(inv):
    return small_pipeline(inv)


def listed(client, **params) -> list[str]:
    doc = doc_of(client.get(url("projects"), params))
    return doc.xpath('//table[@id="projects"]//td[@class="pj-name"]/a/text()')


def names(pipeline, *keys: str) -> list[str]:
    return sorted(pipeline[key].name for key in keys)


def list_rows(doc) -> dict[str, dict]:
    """Each row of the list by project name: its light, days in stage and due date."""
    rows = {}
    for tr in doc.xpath('//table[@id="projects"]/tbody/tr'):
        name = tr.xpath('./td[@class="pj-name"]/a/text()')
        if not name:
            continue
        cells = [text_of(td) for td in tr.xpath("./td")]
        rows[name[0]] = {
            "light": tr.xpath('.//span[contains(@class, "light ")]/@class')[0].split()[-1],
            "days": cells[-3],
            "due": cells[-2],
            "tick": bool(tr.xpath('.//input[@name="projects"]')),
        }
    return rows


# --- the list -------------------------------------------------------------------------------


def test_the_filters_show_and_hide_the_right_projects(inv, login, pipeline):
    w = inv.world
    client = login(w.leader)
    everyone = names(pipeline, "甲", "乙", "丙", "丁", "戊", "己", "庚")
    assert sorted(listed(client)) == everyone
    assert sorted(listed(client, stage="negotiating")) == names(pipeline, "乙")
    assert sorted(listed(client, light="red")) == names(pipeline, "乙")
    assert sorted(listed(client, light="yellow")) == names(pipeline, "丁")
    assert sorted(listed(client, light="grey")) == names(pipeline, "戊", "己")
    assert sorted(listed(client, light="green")) == names(pipeline, "甲", "丙", "庚")
    assert sorted(listed(client, chain=inv.beef.pk)) == names(pipeline, "丙", "丁")
    assert sorted(listed(client, county=w.huade.pk)) == names(pipeline, "丁", "戊", "己")
    assert sorted(listed(client, key="on")) == names(pipeline, "甲", "丙", "丁", "庚")
    assert sorted(listed(client, key="on", year=THIS)) == names(pipeline, "甲", "丙", "丁")
    assert sorted(listed(client, year=THIS - 1)) == names(pipeline, "庚")
    assert sorted(listed(client, q="肉牛")) == names(pipeline, "丙", "丁")
    assert sorted(listed(client, q="科尔沁")) == names(pipeline, "丁")  # the investor
    assert sorted(listed(client, county=w.zhuozi.pk, stage="signed")) == names(pipeline, "丙")
    # A stale or hand-edited value is left out, never an error.
    assert sorted(listed(client, stage="bogus", light="purple", county="x")) == everyone


def test_a_county_liaison_lists_only_the_county(inv, login, pipeline):
    client = login(inv.world.huade_liaison)
    assert sorted(listed(client)) == names(pipeline, "丁", "戊", "己")
    # Another county chosen by hand is not a choice: the filter is left out.
    assert sorted(listed(client, county=inv.world.zhuozi.pk)) == names(pipeline, "丁", "戊", "己")


def test_lights_days_and_due_dates_follow_the_clock_rule(inv, login):
    """Default clocks: planned 30 days (yellow 7 before, no report cycle); negotiating 60
    (yellow 10 before, report every 14 days); started 365."""
    made = {
        "planned-23": (Stage.PLANNED, 23),  # 23 ≤ 30 − 7: green
        "planned-24": (Stage.PLANNED, 24),  # past 23 days: yellow
        "planned-30": (Stage.PLANNED, 30),  # at the limit: still yellow
        "planned-31": (Stage.PLANNED, 31),  # past the limit: red
        "talks-14": (Stage.NEGOTIATING, 14),  # its report due on day 14: green
        "talks-15": (Stage.NEGOTIATING, 15),  # report overdue: yellow
        "talks-20-reported": (Stage.NEGOTIATING, 20),  # reported yesterday: green
        "started-366": (Stage.STARTED, 366),  # past 365: red
        "producing": (Stage.PRODUCING, 400),  # no clock: grey
    }
    for name, (stage, days) in made.items():
        project = make_project(inv, name, stage=stage, on=days_ago(days), year=THIS)
        if name.endswith("reported"):
            services.project_report(actor=None, project=project, on=days_ago(1), text="洽谈中")
    doc = doc_of(login(inv.staff).get(url("projects")))
    rows = list_rows(doc)
    assert {name: row["light"] for name, row in rows.items()} == {
        "planned-23": "light-green",
        "planned-24": "light-yellow",
        "planned-30": "light-yellow",
        "planned-31": "light-red",
        "talks-14": "light-green",
        "talks-15": "light-yellow",
        "talks-20-reported": "light-green",
        "started-366": "light-red",
        "producing": "light-grey",
    }
    assert rows["planned-31"]["days"] == "31"
    assert rows["planned-31"]["due"] == days_ago(1).isoformat()  # reached 31 days ago + 30
    assert rows["talks-15"]["due"] == days_ago(15 - 60).isoformat()
    assert rows["producing"]["due"] == "—"
    # Only red rows can be ticked for a notice.
    assert {name for name, row in rows.items() if row["tick"]} == {"planned-31", "started-366"}


def test_the_list_goes_by_county_with_red_first(inv, login, pipeline):
    shown = listed(login(inv.world.leader))
    zhuozi = [pipeline[k].name for k in ("甲", "乙", "丙", "庚")]
    huade = [pipeline[k].name for k in ("丁", "戊", "己")]
    assert set(shown[:4]) == set(zhuozi)  # 卓资县 (150921) before 化德县 (150922)
    assert shown[0] == pipeline["乙"].name  # its only red project first
    assert shown[4] == pipeline["丁"].name  # 化德县: yellow before the two grey
    assert set(shown[5:]) == {pipeline["戊"].name, pipeline["己"].name}
    assert set(shown[4:]) == set(huade)


def test_the_list_shows_amounts_with_their_unit_and_the_export_link(inv, login, pipeline):
    w = inv.world
    params = {"year": THIS, "county": w.zhuozi.pk, "chain": inv.beef.pk, "light": "green"}
    doc = doc_of(login(w.leader).get(url("projects"), params))
    row = text_of(doc.xpath('//table[@id="projects"]/tbody/tr')[0])
    assert pipeline["丙"].name in row
    assert wan(Decimal("32000")) in row  # planned
    assert wan(Decimal("500")) in row  # in place
    assert "北京市" in row  # the investor's origin
    export = doc.get_element_by_id("export-signed").get("href")
    assert export == f"{url('export_signed')}?year={THIS}&county={w.zhuozi.pk}&chain={inv.beef.pk}"


def test_who_gets_the_new_project_button_and_the_notice_boxes(inv, login, pipeline):
    w = inv.world
    for user, button, boxes in (
        (inv.staff, True, True),
        (w.zhuozi_liaison, True, False),
        (w.leader, False, False),
        (w.inspector, False, False),
        (w.office, False, False),  # another office's staff reads
    ):
        doc = doc_of(login(user).get(url("projects")))
        assert bool(doc.xpath(f'//a[@href="{url("project_create")}"]')) is button, user
        assert bool(doc.xpath('//input[@name="projects"]')) is boxes, user
        assert bool(doc.xpath('//form[@id="notice-form"]')) is boxes, user


def test_the_list_runs_the_same_queries_for_2_or_10_projects(inv, login):
    w = inv.world
    client = login(inv.staff)

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            project = make_project(
                inv,
                f"项目{n}",
                stage=list(Stage)[n % 6],
                on=days_ago(n * 9),
                county=w.zhuozi if n % 2 else w.huade,
                chain=(inv.potato, inv.beef, inv.dairy)[n % 3],
                year=THIS,
            )
            if project.stage in (Stage.SIGNED, Stage.LANDED):
                services.project_report(
                    actor=None, project=project, on=days_ago(0), text="到位", received=Decimal(1)
                )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("projects"))
        assert response.status_code == 200
        return len(captured)

    add(0, 2)
    client.get(url("projects"))
    few = count()
    add(2, 8)
    assert count() == few


# --- entering a project --------------------------------------------------------------------


def project_post(inv, **fields) -> dict:
    data = {
        "name": "察右前旗马铃薯淀粉加工项目",
        "year": str(THIS),
        "chain": str(inv.potato.pk),
        "county": str(inv.world.zhuozi.pk),
        "investor": "北京薯业集团",
        "investor_origin": "北京市",
        "planned_investment": "9800",
        "planned_unit": "wan",
        "content": "年加工鲜薯20万吨",
        "stage": Stage.PLANNED,
        "stage_on": days_ago(2).isoformat(),
    }
    data.update({key: str(value) for key, value in fields.items()})
    return data


def test_entering_refuses_every_problem_at_once_and_saves_nothing(inv, login):
    client = login(inv.staff)
    audited = AuditEvent.objects.count()
    response = client.post(
        url("project_create"),
        project_post(inv, county="", chain="", planned_investment="-5"),
    )
    doc = doc_of(response, 422)
    assert gettext("Choose the county where the project is built.") in errors_of(doc, "county")
    assert gettext("Choose the industry chain the project belongs to.") in errors_of(doc, "chain")
    assert gettext("An amount is never negative.") in errors_of(doc, "planned_investment")
    assert doc.xpath('//input[@name="name"]/@value') == ["察右前旗马铃薯淀粉加工项目"]  # kept
    assert Project.objects.count() == 0
    assert AuditEvent.objects.count() == audited


def test_an_amount_in_yi_is_saved_in_wan(inv, login):
    client = login(inv.staff)
    response = client.post(
        url("project_create"),
        project_post(
            inv,
            planned_investment="3.2",
            planned_unit="yi",
            stage=Stage.SIGNED,
            stage_on=days_ago(3).isoformat(),
            is_key="on",
        ),
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("project", project.pk)
    assert project.planned_investment == Decimal("32000.00")
    assert (project.stage, project.signed_on, project.is_key) == (Stage.SIGNED, days_ago(3), True)
    assert project.created_by == inv.staff
    assert AuditEvent.objects.filter(
        object_type="investment.project", object_id=str(project.pk), action=AuditAction.CREATE
    ).exists()
    record = by_id(doc_of(client.get(response["Location"])), "record")
    assert wan(Decimal("32000")) in record
    assert yi(Decimal("32000")) in record  # 3.20 亿元


def test_an_amount_with_too_many_decimals_is_refused(inv, login):
    response = login(inv.staff).post(
        url("project_create"),
        project_post(inv, planned_investment="100.125", planned_unit="wan"),
    )
    doc = doc_of(response, 422)
    assert gettext("At most two decimals in 万元 (six in 亿元).") in errors_of(
        doc, "planned_investment"
    )
    assert Project.objects.count() == 0


def test_a_county_liaison_enters_projects_of_the_county_only(inv, login):
    w = inv.world
    client = login(w.zhuozi_liaison)
    doc = doc_of(client.get(url("project_create")))
    assert doc.xpath('//select[@name="county"]/option[@value]/text()') == ["—", w.zhuozi.name]
    response = client.post(url("project_create"), project_post(inv, county=w.huade.pk))
    assert errors_of(doc_of(response, 422), "county")
    assert Project.objects.count() == 0
    response = client.post(url("project_create"), project_post(inv))
    assert response.status_code == 302
    assert Project.objects.get().county == w.zhuozi


def test_readers_may_not_enter_projects(inv, login):
    w = inv.world
    for user in (w.leader, w.inspector, w.office):
        assert login(user).get(url("project_create")).status_code == 403
        assert login(user).post(url("project_create"), project_post(inv)).status_code == 403
    for user in (w.sysadmin, w.outsider, enterprise_login(w)):
        assert login(user).get(url("project_create")).status_code == 404
    assert Project.objects.count() == 0


# --- editing a project ---------------------------------------------------------------------


def signed_project(inv, **extra):
    """Negotiations began 30 days ago, signed 10 days ago (with its agreement)."""
    project = make_project(
        inv, "卓资县肉牛育肥项目", stage=Stage.NEGOTIATING, on=days_ago(30), year=THIS, **extra
    )
    return services.project_move(
        actor=None,
        project=project,
        to_stage=Stage.SIGNED,
        on=days_ago(10),
        evidence=[upload("投资协议.pdf")],
    )


def edit_post(project, **fields) -> dict:
    data = {
        "version": project.version,
        "name": project.name,
        "year": project.year,
        "chain": project.chain_id,
        "county": project.county_id,
        "investor": project.investor,
        "investor_origin": project.investor_origin,
        "planned_investment": project.planned_investment,
        "planned_unit": "wan",
        "content": project.content,
        "negotiating_on": project.negotiating_on,
        "signed_on": project.signed_on,
    }
    data.update(fields)
    return {
        key: ""
        if value is None
        else value.isoformat()
        if hasattr(value, "isoformat")
        else str(value)
        for key, value in data.items()
    }


def test_editing_refuses_every_problem_at_once_and_saves_nothing(inv, login):
    project = signed_project(inv)
    response = login(inv.staff).post(
        url("project_edit", project.pk),
        edit_post(
            project,
            county="",
            chain="",
            planned_investment="-1",
            signed_on=days_ago(40).isoformat(),  # before negotiations began (30 days ago)
        ),
    )
    doc = doc_of(response, 422)
    assert gettext("Choose the county where the project is built.") in errors_of(doc, "county")
    assert gettext("Choose the industry chain the project belongs to.") in errors_of(doc, "chain")
    assert gettext("An amount is never negative.") in errors_of(doc, "planned_investment")
    order = errors_of(doc, "signed_on")
    assert days_ago(40).isoformat() in order
    assert days_ago(30).isoformat() in order
    saved = Project.objects.get(pk=project.pk)
    assert (saved.county, saved.chain, saved.planned_investment) == (
        project.county,
        project.chain,
        project.planned_investment,
    )
    assert (saved.signed_on, saved.version) == (days_ago(10), project.version)


def test_editing_saves_the_record_and_corrects_a_date(inv, login):
    project = signed_project(inv)
    client = login(inv.world.zhuozi_liaison)
    doc = doc_of(client.get(url("project_edit", project.pk)))
    # The stages up to the one reached have their date on the form (谋划 was skipped and
    # may be filled in); the stages ahead do not.
    assert doc.xpath('//input[@type="date"]/@name') == ["planned_on", "negotiating_on", "signed_on"]
    assert doc.xpath('//input[@name="planned_on"]/@value') == []
    response = client.post(
        url("project_edit", project.pk),
        edit_post(
            project,
            name="卓资县肉牛育肥扩建项目",
            planned_investment="1.5",
            planned_unit="yi",
            negotiating_on=days_ago(35).isoformat(),
        ),
    )
    assert response.status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert saved.name == "卓资县肉牛育肥扩建项目"
    assert saved.planned_investment == Decimal("15000.00")
    assert saved.negotiating_on == days_ago(35)
    assert saved.version == project.version + 1
    assert AuditEvent.objects.filter(
        object_type="investment.project", object_id=str(project.pk), action=AuditAction.UPDATE
    ).exists()
    edited = ProjectEvent.objects.get(project=project, kind=EventKind.EDITED)
    assert edited.actor == inv.world.zhuozi_liaison


def test_a_skipped_stage_gets_its_date_afterwards(inv, login):
    """A project first heard of at its signing: the day its negotiations began is added
    later, and must not come after the signing."""
    project = make_project(inv, stage=Stage.SIGNED, on=days_ago(10), year=THIS)
    client = login(inv.staff)
    data = edit_post(project, negotiating_on=days_ago(5).isoformat())
    response = client.post(url("project_edit", project.pk), data)
    assert errors_of(doc_of(response, 422), "signed_on")
    assert Project.objects.get(pk=project.pk).negotiating_on is None
    data = edit_post(project, negotiating_on=days_ago(40).isoformat())
    assert client.post(url("project_edit", project.pk), data).status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert (saved.negotiating_on, saved.signed_on) == (days_ago(40), days_ago(10))
    path = doc_of(client.get(url("project", project.pk))).xpath('//ul[@class="stage-path"]/li')
    assert [li.get("class") for li in path[:3]] == ["", "reached", "current"]


def test_a_stale_edit_is_refused(inv, login):
    project = signed_project(inv)
    stale = edit_post(project, name="旧页面上的名称")
    services.project_update(actor=inv.staff, project=project, expected_version=project.version)
    response = login(inv.staff).post(url("project_edit", project.pk), stale)
    doc = doc_of(response, 409)
    assert gettext("Someone else changed this in the meantime. Reload the page and try again.") in (
        doc.text_content()
    )
    assert Project.objects.get(pk=project.pk).name == project.name


def test_who_edits_a_project(inv, login):
    w = inv.world
    project = signed_project(inv)
    address = url("project_edit", project.pk)
    for user in (inv.staff, w.zhuozi_liaison):
        assert login(user).get(address).status_code == 200
    for user in (w.leader, w.inspector, w.office):
        assert login(user).get(address).status_code == 403
        assert login(user).post(address, edit_post(project, name="改")).status_code == 403
    for user in (w.huade_liaison, w.sysadmin, w.outsider, enterprise_login(w)):
        assert login(user).get(address).status_code == 404
    assert Project.objects.get(pk=project.pk).name == project.name


# --- a project's page ----------------------------------------------------------------------


def test_the_page_shows_the_stage_path_the_clock_and_the_funds(inv, login):
    project = signed_project(inv)  # planned 9,800 万元
    services.project_report(
        actor=None, project=project, on=days_ago(10), text="首期资金到位", received=Decimal("980")
    )
    doc = doc_of(login(inv.world.leader).get(url("project", project.pk)))
    path = [(li.get("class"), text_of(li)) for li in doc.xpath('//ul[@class="stage-path"]/li')]
    assert [css for css, _text in path] == ["", "reached", "current", "", "", ""]
    assert days_ago(30).isoformat() in path[1][1]
    assert days_ago(10).isoformat() in path[2][1]
    clock = by_id(doc, "clock")
    assert "10" in clock  # days in this stage
    assert days_ago(10 - 90).isoformat() in clock  # the signed clock: 90 days
    assert days_ago(10 - 14).isoformat() in clock  # next report: every 14 days
    funds = by_id(doc, "funds")
    assert wan(Decimal("980")) in funds
    assert wan(Decimal("9800")) in funds
    assert "10.0%" in funds
    assert doc.xpath('//meter[@class="pj-meter"]/@value') == ["10.0"]
    assert "首期资金到位" in by_id(doc, "reports")
    # A leader reads and urges; moving and reporting are the office's and the county's.
    assert doc.xpath('//form[@id="urge"]')
    assert not doc.xpath('//form[@id="move"] | //form[@id="report"]')
    assert not doc.xpath(f'//a[@href="{url("project_edit", project.pk)}"]')


def test_the_actions_offered_follow_who_the_user_is(inv, login):
    w = inv.world
    project = signed_project(inv)
    liaison = doc_of(login(w.zhuozi_liaison).get(url("project", project.pk)))
    assert liaison.xpath('//form[@id="move"]')
    assert liaison.xpath('//form[@id="report"]')
    assert not liaison.xpath('//form[@id="urge"]')
    options = liaison.xpath('//select[@name="move-to_stage"]/option/@value')
    assert options == ["planned", "negotiating", "landed", "started", "producing", "dropped"]
    # Moving on to the next stage is what the form offers first.
    assert liaison.xpath('//select[@name="move-to_stage"]/option[@selected]/@value') == ["landed"]
    reader = doc_of(login(w.inspector).get(url("project", project.pk)))
    assert not reader.xpath('//section[@id="actions"]')


# --- moving a project ----------------------------------------------------------------------


def test_moving_on_with_evidence_stores_it_and_readers_download_it(inv, login):
    w = inv.world
    project = make_project(inv, stage=Stage.NEGOTIATING, on=days_ago(20), year=THIS)
    stored = StoredFile.objects.count()
    client = login(inv.staff)
    response = client.post(
        url("project_move", project.pk),
        {
            "move-version": project.version,
            "move-to_stage": Stage.SIGNED,
            "move-on": days_ago(1).isoformat(),
            "move-evidence": [upload("投资协议.pdf")],
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.signed_on) == (Stage.SIGNED, days_ago(1))
    assert StoredFile.objects.count() == stored + 1
    event = ProjectEvent.objects.get(project=project, kind=EventKind.STAGE)
    evidence = event.evidence.get()
    assert evidence.name == "投资协议.pdf"
    download = url("evidence", event.pk, evidence.pk)
    timeline = doc_of(client.get(url("project", project.pk))).get_element_by_id("timeline")
    assert timeline.xpath(f'.//a[@href="{download}"]/text()') == ["投资协议.pdf"]
    # Whoever sees the project downloads it; another county does not.
    answer = login(w.inspector).get(download)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == upload("投资协议.pdf").read()
    assert "attachment" in answer["Content-Disposition"]
    assert login(w.zhuozi_liaison).get(download).status_code == 200
    for user in (w.huade_liaison, w.outsider, w.sysadmin):
        assert login(user).get(download).status_code == 404
    # A file that is not this event's is not served through it.
    created = ProjectEvent.objects.get(project=project, kind=EventKind.CREATED)
    assert login(w.inspector).get(url("evidence", created.pk, evidence.pk)).status_code == 404


def test_signing_without_its_evidence_is_refused(inv, login):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=days_ago(20), year=THIS)
    response = login(inv.staff).post(
        url("project_move", project.pk),
        {"move-to_stage": Stage.SIGNED, "move-on": days_ago(1).isoformat()},
    )
    doc = doc_of(response, 422)
    assert errors_of(doc, "evidence")
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING


def test_a_refused_file_stores_nothing(inv, login):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=days_ago(20), year=THIS)
    bad = SimpleUploadedFile("协议.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    stored = StoredFile.objects.count()
    response = login(inv.staff).post(
        url("project_move", project.pk),
        {
            "move-to_stage": Stage.SIGNED,
            "move-on": days_ago(1).isoformat(),
            "move-evidence": [upload("投资协议.pdf"), bad],
        },
    )
    doc = doc_of(response, 422)
    assert "协议.exe" in errors_of(doc, "evidence")
    assert StoredFile.objects.count() == stored
    assert Project.objects.get(pk=project.pk).stage == Stage.NEGOTIATING
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD, object_repr="协议.exe").exists()


def test_going_back_without_a_reason_is_refused(inv, login):
    project = make_project(inv, stage=Stage.LANDED, on=days_ago(20), year=THIS)
    events = ProjectEvent.objects.count()
    response = login(inv.world.zhuozi_liaison).post(
        url("project_move", project.pk),
        {"move-to_stage": Stage.SIGNED, "move-on": days_ago(1).isoformat(), "move-reason": " "},
    )
    doc = doc_of(response, 422)
    assert gettext("Say why the project goes back to an earlier stage.") in errors_of(
        doc, "reason", within="move"
    )
    # The refused form is drawn again with what was chosen.
    assert doc.xpath('//select[@name="move-to_stage"]/option[@selected]/@value') == ["signed"]
    project.refresh_from_db()
    assert project.stage == Stage.LANDED
    assert ProjectEvent.objects.count() == events


def test_dropping_with_a_reason(inv, login):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=days_ago(20), year=THIS)
    client = login(inv.world.zhuozi_liaison)
    response = client.post(
        url("project_move", project.pk),
        {
            "move-to_stage": Stage.DROPPED,
            "move-on": days_ago(1).isoformat(),
            "move-reason": "投资方资金链断裂",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.dropped_on) == (Stage.DROPPED, days_ago(1))
    assert project.drop_reason == "投资方资金链断裂"
    doc = doc_of(client.get(url("project", project.pk)))
    assert doc.xpath('//ul[@class="stage-path"]/li/@class')[-1] == "dropped current"
    assert "投资方资金链断裂" in by_id(doc, "stages")
    assert "投资方资金链断裂" in by_id(doc, "timeline")
    assert doc.xpath('//*[@id="clock"]//span[contains(@class, "light-grey")]')


def test_who_moves_a_project(inv, login):
    w = inv.world
    project = make_project(inv, stage=Stage.PLANNED, on=days_ago(5), year=THIS)
    data = {"move-to_stage": Stage.NEGOTIATING, "move-on": days_ago(1).isoformat()}
    for user in (w.leader, w.inspector, w.office):
        assert login(user).post(url("project_move", project.pk), data).status_code == 403
    for user in (w.huade_liaison, w.sysadmin, w.outsider, enterprise_login(w)):
        assert login(user).post(url("project_move", project.pk), data).status_code == 404
    assert login(inv.staff).get(url("project_move", project.pk)).status_code == 405
    assert Project.objects.get(pk=project.pk).stage == Stage.PLANNED


# --- progress and urging -------------------------------------------------------------------


def test_funds_beyond_the_planned_investment_are_refused(inv, login):
    project = signed_project(inv)  # planned 9,800 万元
    client = login(inv.world.zhuozi_liaison)
    response = client.post(
        url("project_report", project.pk),
        {
            "report-on": days_ago(1).isoformat(),
            "report-text": "第二期资金到位",
            "report-received": "1",
            "report-received_unit": "yi",  # 10,000 万元
        },
    )
    doc = doc_of(response, 422)
    assert "10000" in errors_of(doc, "received", within="report")
    assert ProgressReport.objects.count() == 0
    response = client.post(
        url("project_report", project.pk),
        {
            "report-on": days_ago(1).isoformat(),
            "report-text": "第二期资金到位",
            "report-received": "0.05",
            "report-received_unit": "yi",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.received, report.reported_by) == (Decimal("500.00"), inv.world.zhuozi_liaison)
    assert wan(Decimal("500")) in by_id(doc_of(client.get(url("project", project.pk))), "funds")


def test_a_report_needs_its_text(inv, login):
    project = signed_project(inv)
    response = login(inv.staff).post(
        url("project_report", project.pk), {"report-on": days_ago(1).isoformat()}
    )
    assert gettext("Say how the project is progressing.") in errors_of(
        doc_of(response, 422), "text", within="report"
    )
    assert ProgressReport.objects.count() == 0


def test_a_leader_urges_and_the_county_is_told(inv, login):
    w = inv.world
    project = signed_project(inv)
    response = login(w.leader).post(
        url("project_urge", project.pk), {"urge-text": "请于本月底前完成土地手续"}
    )
    assert response.status_code == 302
    note = Notification.objects.get(recipient=w.zhuozi_liaison, kind="investment_urge")
    assert project.name in note.title
    assert note.url == url("project", project.pk)
    assert not Notification.objects.filter(recipient=w.huade_liaison).exists()
    assert not Notification.objects.filter(recipient=w.leader).exists()  # not the urger
    urged = ProjectEvent.objects.get(project=project, kind=EventKind.URGE)
    assert (urged.actor, urged.text) == (w.leader, "请于本月底前完成土地手续")


def test_urging_is_for_the_office_and_leaders(inv, login):
    w = inv.world
    project = signed_project(inv)
    for user in (w.zhuozi_liaison, w.inspector):
        response = login(user).post(url("project_urge", project.pk), {"urge-text": "催"})
        assert response.status_code == 403
    response = login(inv.staff).post(url("project_urge", project.pk), {"urge-text": " "})
    assert gettext("Write what is expected, and by when.") in errors_of(
        doc_of(response, 422), "text", within="urge"
    )
    assert not ProjectEvent.objects.filter(kind=EventKind.URGE).exists()
    assert not Notification.objects.filter(kind="investment_urge").exists()


# --- red projects into a supervision notice -------------------------------------------------


def test_red_projects_go_into_a_draft_supervision_notice(inv, login, pipeline):
    authority()
    client = login(inv.staff)
    red = pipeline["乙"]
    response = client.post(url("projects_notice"), {"projects": [red.pk]})
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == notice.get_absolute_url()
    assert (notice.status, notice.office) == (NoticeStatus.DRAFT, inv.office)
    reasons = [reason.text for reason in notice.reasons.all()]
    assert len(reasons) == 1
    assert red.name in reasons[0]
    assert [reason.unit for reason in notice.reasons.all()] == [inv.world.zhuozi]
    event = ProjectEvent.objects.get(project=red, kind=EventKind.NOTICE)
    assert event.notice == notice
    timeline = doc_of(client.get(url("project", red.pk))).get_element_by_id("timeline")
    assert timeline.xpath(f'.//a[@href="{notice.get_absolute_url()}"]')


def test_a_project_that_is_not_red_is_refused_with_a_message(inv, login, pipeline):
    authority()
    client = login(inv.staff)
    query = f"year={THIS}&light=green"
    response = client.post(
        url("projects_notice"), {"projects": [pipeline["甲"].pk], "query": query}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('projects')}?{query}"
    page = doc_of(client.get(response["Location"]))
    messages = text_of(page.xpath('//ul[@class="messages"]')[0])
    assert pipeline["甲"].name in messages
    assert not Notice.objects.exists()
    assert not ProjectEvent.objects.filter(kind=EventKind.NOTICE).exists()


def test_only_the_investment_office_makes_a_notice(inv, login, pipeline):
    authority()
    w = inv.world
    data = {"projects": [pipeline["乙"].pk]}
    for user in (w.leader, w.inspector, w.office, w.zhuozi_liaison):
        assert login(user).post(url("projects_notice"), data).status_code == 403
    for user in (w.sysadmin, w.outsider, enterprise_login(w)):
        assert login(user).post(url("projects_notice"), data).status_code == 404
    assert login(inv.staff).get(url("projects_notice")).status_code == 405
    assert not Notice.objects.exists()


# --- who finds the screens -----------------------------------------------------------------


def test_another_county_and_outsiders_find_nothing(inv, login, pipeline):
    w = inv.world
    zhuozi = pipeline["丙"]
    pages = [url("project", zhuozi.pk), url("project_edit", zhuozi.pk)]
    posts = [url(name, zhuozi.pk) for name in ("project_move", "project_report", "project_urge")]
    for address in pages:
        assert login(w.huade_liaison).get(address).status_code == 404
    for address in posts:
        assert login(w.huade_liaison).post(address, {}).status_code == 404
    for user in (w.sysadmin, w.secadmin, w.auditor, w.outsider, enterprise_login(w)):
        client = login(user)
        for address in [url("projects"), url("project_create"), *pages]:
            assert client.get(address).status_code == 404, (user, address)
    assert login(w.huade_liaison).get(url("project", pipeline["丁"].pk)).status_code == 200


def test_the_page_and_list_use_the_real_today(inv, login):
    """A project reached its stage today: it waited 0 days and is green."""
    project = make_project(inv, stage=Stage.PLANNED, on=timezone.localdate(), year=THIS)
    rows = list_rows(doc_of(login(inv.staff).get(url("projects"))))
    assert rows[project.name]["days"] == "0"
    assert rows[project.name]["light"] == f"light-{Light.GREEN}"
