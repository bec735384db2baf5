"""An inspection group's plan of visits (督导检查工作安排表) as .xlsx: cell by cell (dates are
dates, counts are numbers), only the visits the user may see, flat query counts, and
LibreOffice printing it on A4 landscape."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook

from zhuanban.core import excel, ledger
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import print_to_pdf
from zhuanban.rectification import services as rectification_services
from zhuanban.rectification.lifecycle import Action
from zhuanban.supervision import exports, services
from zhuanban.supervision.models import FindingKind, VisitKind, VisitStatus

D = datetime.timedelta
FIRST_ROW = ledger.HEADER_ROW + 1
A4_LANDSCAPE = (842, 595)
(NO, DATE, COUNTY, PLACE, KIND, TOPICS, PARTICIPANTS, STATUS, PROBLEMS, ITEMS) = range(10)


def url(group) -> str:
    return reverse("supervision:group_plan_export", args=[group.pk])


def download(client, group):
    response = client.get(url(group))
    assert response.status_code == 200, response.content[:300]
    return response, b"".join(response.streaming_content)


def sheet(client, group):
    _response, content = download(client, group)
    return load_workbook(io.BytesIO(content)).active


def rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(min_row=FIRST_ROW)]


def places(ws) -> list[str]:
    return [row[PLACE].value for row in rows(ws)]


def problem(world, visit, text, *, rectify=True):
    return services.finding_add(
        actor=world.office,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text=text,
        unit=visit.county,
        rectify=rectify,
        requirement="限期整改" if rectify else "",
        due_date=visit.date + D(days=30) if rectify else None,
    )


@pytest.fixture
def plan(world, group, make_visit, huade_visit, planned_visit):
    """卓资县: one visit carried out with two problems (one item open, one withdrawn) and a
    good practice, one planned; 化德县: one carried out."""
    zhuozi = make_visit(
        days=-3,
        place="卓资县巴音锡勒镇种薯繁育基地",
        topics="种薯基地建设进度\n仓储设施",
        other_participants="卓资县副县长李明",
    )
    first = problem(world, zhuozi, "网棚建设滞后")
    problem(world, zhuozi, "种薯窖通风不足")
    services.finding_add(
        actor=world.office, visit=zhuozi, kind=FindingKind.GOOD_PRACTICE, text="订单生产"
    )
    item = first.rectifications.get()
    rectification_services.rectification_act(
        actor=world.office,
        item=item,
        action=Action.WITHDRAW,
        comment="与另一事项重复",
        expected_version=item.version,
    )
    return {"zhuozi": zhuozi, "huade": huade_visit, "planned": planned_visit}


def test_the_plan_comes_as_an_xlsx_attachment_and_is_audited(world, login, group, plan):
    assert url(group) == f"/supervision/groups/{group.pk}/plan.xlsx"
    response, _content = download(login(world.office), group)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.object_type, event.object_id) == ("supervision.group_plan", str(group.pk))


def test_the_plan_cell_by_cell(world, login, group, plan, today):
    ws = sheet(login(world.office), group)
    assert ws["A1"].value == exports.group_plan_title(group)
    assert str(group.year) in ws["A1"].value
    assert group.name in ws["A1"].value
    subtitle = ws["A2"].value
    assert subtitle == exports.group_plan_subtitle(group, today=today)
    for expected in (
        "王振华",
        "马晓静",
        "邵军",
        "卓资县、化德县",
        date_format(group.starts_on, "DATE_FORMAT"),
        date_format(group.ends_on, "DATE_FORMAT"),
        _("Group leader"),
        _("Counties covered"),
    ):
        assert expected in subtitle, expected
    assert [cell.value for cell in ws[ledger.HEADER_ROW]] == [
        _("No."),
        _("Date"),
        _("County"),
        pgettext("visit", "Place"),
        pgettext("visit plan", "Kind"),
        _("Topics checked"),
        _("Participants"),
        _("Status"),
        pgettext("visit plan", "Problems found"),
        _("Rectification items (open / total)"),
    ]
    # By date: the visit three days ago, 化德县's yesterday, the planned one in a week.
    assert places(ws) == [
        "卓资县巴音锡勒镇种薯繁育基地",
        "化德县冷库建设现场",
        "卓资县马铃薯仓储库",
    ]
    zhuozi, huade, planned = rows(ws)
    assert [cell.value for cell in (zhuozi[NO], huade[NO], planned[NO])] == [1, 2, 3]
    assert zhuozi[DATE].is_date
    assert zhuozi[DATE].value.date() == plan["zhuozi"].date
    assert planned[DATE].value.date() == today + D(days=7)
    assert zhuozi[COUNTY].value == "卓资县"
    assert huade[COUNTY].value == "化德县"
    assert zhuozi[KIND].value == str(VisitKind.INSPECTION.label)
    assert zhuozi[TOPICS].value == "种薯基地建设进度\n仓储设施"
    # The people with an account by name, then those without one as written.
    assert zhuozi[PARTICIPANTS].value == "、".join(
        [*sorted(["马晓静", "邵军"]), "卓资县副县长李明"]
    )
    assert zhuozi[STATUS].value == str(VisitStatus.DONE.label)
    assert planned[STATUS].value == str(VisitStatus.PLANNED.label)
    # Two problems (the good practice is not one), as a number.
    assert zhuozi[PROBLEMS].value == 2
    assert zhuozi[PROBLEMS].data_type == "n"
    assert huade[PROBLEMS].value == 0
    # One item still open of the two opened (the other withdrawn); none for the others.
    assert zhuozi[ITEMS].value == "1/2"
    assert huade[ITEMS].value == planned[ITEMS].value == exports.NONE


def test_a_liaison_sees_only_the_visits_carried_out_in_their_county(world, login, group, plan):
    ws = sheet(login(world.zhuozi_liaison), group)
    assert places(ws) == ["卓资县巴音锡勒镇种薯繁育基地"]  # neither 化德县's nor the planned one
    ws = sheet(login(world.huade_liaison), group)
    assert places(ws) == ["化德县冷库建设现场"]


def test_another_countys_group_is_404_for_a_liaison(world, login, today):
    huade_only = services.group_create(
        actor=world.office,
        office=world.potato,
        name="化德县冷链督导组",
        year=today.year,
        leader=world.leader,
        members=[world.office],
        counties=[world.huade],
        starts_on=today - D(days=10),
        ends_on=today + D(days=10),
    )
    assert login(world.zhuozi_liaison).get(url(huade_only)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # The county it covers downloads it: the 404 comes from the scope, not the id.
    assert sheet(login(world.huade_liaison), huade_only)["A1"].value.startswith(str(today.year))


def test_who_else_may_not_export_the_plan(world, login, group, client):
    assert client.get(url(group)).status_code == 302
    for persona in (world.outsider, world.auditor):
        assert login(persona).get(url(group)).status_code == 404
    assert login(world.office).post(url(group)).status_code == 405
    missing = reverse("supervision:group_plan_export", args=[999_999])
    assert login(world.office).get(missing).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_group_page_links_to_the_plan(world, login, group):
    html = login(world.zhuozi_liaison).get(reverse("supervision:group", args=[group.pk]))
    assert f'href="{url(group)}"' in html.content.decode()


def test_the_plans_queries_do_not_grow_with_its_visits(world, login, group, make_visit):
    client = login(world.office)

    def add(count):
        for n in range(count):
            county = world.zhuozi if n % 2 else world.huade
            visit = make_visit(county, days=-(1 + n % 50), place=f"地点{n}")
            if n % 3 == 0:
                problem(world, visit, f"问题{n}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ws = sheet(client, group)
        return len(captured), len(rows(ws))

    add(3)
    small, count = queries()
    assert count == 3
    add(27)
    large, count = queries()
    assert count == 30
    assert small == large


def test_the_plan_prints_on_a4_landscape(world, login, group, plan, tmp_path):
    ws = sheet(login(world.office), group)
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == ("landscape", 9)
    _response, content = download(login(world.office), group)
    printed = print_to_pdf(content, tmp_path, "plan")
    assert "".join(exports.group_plan_title(group).split()) in printed.text
    assert "卓资县巴音锡勒镇种薯繁育基地" in printed.text
    assert printed.page_size in (None, A4_LANDSCAPE)
