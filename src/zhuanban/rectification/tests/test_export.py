"""The rectification ledger (整改事项台账) exported to .xlsx: the list the user is looking
at (filters and scope), cell by cell with real numbers and dates, print layout, formula
safety, flat query counts, and LibreOffice printing it to PDF."""

import datetime
import io
import zipfile
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhuanban.core import excel, ledger
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import A3_LANDSCAPE, print_to_pdf
from zhuanban.rectification import exports, services
from zhuanban.rectification.lifecycle import Action, Status
from zhuanban.rectification.models import Rectification, SourceKind, Verdict
from zhuanban.rectification.tests.conftest import SOURCE_LABEL
from zhuanban.tasks.models import Light

D = datetime.timedelta
FIRST_ROW = ledger.HEADER_ROW + 1
URL = "/rectification/export.xlsx"
# Columns of the ledger, by position.
(
    NO,
    SOURCE,
    PROBLEM,
    REQUIREMENT,
    UNIT,
    COUNTY,
    OFFICE,
    RAISED,
    DUE,
    ORIGINAL,
    STATUS,
    LIGHT,
    DAYS,
    REPORT,
    VERDICT,
    CLOSED,
) = range(16)


def download(client, **params):
    response = client.get(reverse("rectification:export"), params)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def export(client, **params):
    _response, content = download(client, **params)
    return load_workbook(io.BytesIO(content)).active


def data_rows(ws):
    return [list(row) for row in ws.iter_rows(min_row=FIRST_ROW)]


def row_of(ws, problem):
    for row in data_rows(ws):
        if row[PROBLEM].value == problem:
            return row
    raise AssertionError(f"{problem!r} is not in the ledger")


def problems(ws):
    return [row[PROBLEM].value for row in data_rows(ws)]


def as_date(cell) -> datetime.date:
    """A date cell as openpyxl reads it back: a datetime at midnight, formatted as a date."""
    assert cell.is_date, (cell.coordinate, cell.value, cell.data_type)
    assert isinstance(cell.value, datetime.datetime)
    assert cell.number_format == ledger.DATE_FORMAT
    return cell.value.date()


@pytest.fixture
def huade_item(world, raise_item):
    return raise_item(world.huade, problem="化德县冷库温控记录缺失", requirement="补建温控台账")


def test_the_url_is_the_ledger_and_it_comes_as_an_xlsx_attachment(world, login, item, today):
    assert reverse("rectification:export") == URL
    response, content = download(login(world.office))
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    filename = _("Rectification ledger-%(date)s.xlsx") % {"date": today.strftime("%Y%m%d")}
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert filename in disposition or f"filename*=utf-8''{quote(filename)}" in disposition
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.object_type, event.actor_id) == ("rectification.ledger", world.office.pk)


def test_title_subtitle_and_header(world, login, item, today):
    ws = export(login(world.office))
    assert ws["A1"].value == _("Rectification ledger")
    assert ws["A1"].font.b
    assert ws["A2"].value == exports.subtitle_text(
        exports.as_of_text(today), exports.counts_text(1, 0)
    )
    assert date_format(today, "DATE_FORMAT") in ws["A2"].value
    assert [cell.value for cell in ws[ledger.HEADER_ROW]] == [
        _("No."),
        _("Found by"),
        _("Problem found"),
        _("What must be fixed"),
        _("Responsible unit"),
        # The model's verbose names, capitalised: the same words as the item's page.
        str(Rectification._meta.get_field("county").verbose_name).capitalize(),
        _("Verifying office"),
        _("Raised on"),
        str(Rectification._meta.get_field("due_date").verbose_name).capitalize(),
        str(Rectification._meta.get_field("original_due_date").verbose_name).capitalize(),
        _("Status"),
        _("Warning light"),
        _("Days overdue"),
        _("Latest rectification report"),
        _("Verdict and comment"),
        _("Closed on"),
    ]


def test_an_open_item_cell_by_cell(world, login, item, today):
    services.rectification_respond(
        actor=world.zhuozi_liaison, item=item, text="已配齐灭火器12具，应急照明8套"
    )
    row = row_of(export(login(world.office)), "种薯仓储库房消防设施不全")
    assert row[NO].value == 1
    assert row[NO].data_type == "n"
    assert row[SOURCE].value == f"{SourceKind.VISIT.label}\n{SOURCE_LABEL}"
    assert row[REQUIREMENT].value == "补齐灭火器和应急照明，建立消防台账"
    assert (row[UNIT].value, row[COUNTY].value, row[OFFICE].value) == (
        "卓资县",
        "卓资县",
        "马铃薯产业办",
    )
    assert as_date(row[RAISED]) == today
    assert as_date(row[DUE]) == today + D(days=30)
    assert row[ORIGINAL].value is None  # the deadline never moved
    assert row[STATUS].value == Status.RESPONDED.label
    # Answered and waiting for the office: the unit has done its part.
    assert row[LIGHT].value == Light.GREEN.label
    assert row[LIGHT].fill.fgColor.rgb.endswith("C6EFCE")
    assert row[DAYS].value is None
    assert row[REPORT].value == "已配齐灭火器12具，应急照明8套"
    assert (row[VERDICT].value, row[CLOSED].value) == (None, None)


def test_an_overdue_item_with_a_moved_deadline_counts_its_days_as_a_number(
    world, login, raise_item, today
):
    raise_item(problem="冷库未建消防台账", raised_on=today - D(days=40), due_in=10)
    moved = raise_item(problem="仓储库房排水不畅", due_in=5)
    services.rectification_extend(
        actor=world.office, item=moved, due_date=today + D(days=20), comment="雨季施工受阻"
    )
    ws = export(login(world.office))

    row = row_of(ws, "冷库未建消防台账")
    assert (row[DAYS].value, row[DAYS].data_type) == (30, "n")
    assert row[LIGHT].value == Light.RED.label
    assert row[LIGHT].fill.fgColor.rgb.endswith("FFC7CE")
    assert as_date(row[DUE]) == today - D(days=30)
    row = row_of(ws, "仓储库房排水不畅")
    assert as_date(row[DUE]) == today + D(days=20)
    assert as_date(row[ORIGINAL]) == today + D(days=5)
    assert row[LIGHT].value == Light.GREEN.label
    assert ws["A2"].value.startswith(
        exports.subtitle_text(exports.as_of_text(today), exports.counts_text(2, 1))
    )
    # Worst light first, as the list orders them.
    assert [r[NO].value for r in data_rows(ws)] == [1, 2]
    assert problems(ws) == ["冷库未建消防台账", "仓储库房排水不畅"]


def test_a_verified_item_shows_the_verdict_and_the_closing_date(world, login, responded, today):
    services.rectification_act(
        actor=world.office, item=responded, action=Action.ACCEPT, comment="现场核验属实"
    )
    row = row_of(export(login(world.office)), "种薯仓储库房消防设施不全")
    assert row[STATUS].value == Status.CLOSED.label
    assert row[VERDICT].value == f"{Verdict.ACCEPTED.label}\n现场核验属实"
    assert as_date(row[CLOSED]) == today
    assert row[LIGHT].value == exports.pgettext("warning light", "Grey")
    assert row[LIGHT].fill.fgColor.rgb.endswith("D9D9D9")


def test_a_report_sent_back_and_answered_again_keeps_the_last_verdict(world, login, responded):
    services.rectification_act(
        actor=world.office, item=responded, action=Action.REJECT, comment="缺少照片佐证"
    )
    services.rectification_respond(actor=world.zhuozi_liaison, item=responded, text="已补充照片")
    row = row_of(export(login(world.office)), "种薯仓储库房消防设施不全")
    assert row[REPORT].value == "已补充照片"
    assert row[VERDICT].value == f"{Verdict.REJECTED.label}\n缺少照片佐证"
    assert row[CLOSED].value is None


def test_ready_to_print(world, login, item):
    ws = export(login(world.office))
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == excel.PAPER_A3
    assert int(ws.page_setup.fitToWidth) == 1
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.auto_filter.ref == f"A{ledger.HEADER_ROW}:P{FIRST_ROW}"
    problem = row_of(ws, "种薯仓储库房消防设施不全")[PROBLEM]
    assert problem.alignment.wrap_text
    assert problem.border.left.style == "thin"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width


def test_text_never_becomes_a_formula(world, login, raise_item):
    raise_item(problem='=HYPERLINK("http://evil","点我")', requirement="+1 整改")
    _response, content = download(login(world.office))
    ws = load_workbook(io.BytesIO(content)).active
    row = row_of(ws, '=HYPERLINK("http://evil","点我")')
    assert row[PROBLEM].data_type == "s"
    assert row[PROBLEM].quotePrefix
    assert row[REQUIREMENT].value == "+1 整改"
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    assert b"<f " not in sheet


def test_a_liaison_exports_only_their_own_items(world, login, item, huade_item):
    ws = export(login(world.zhuozi_liaison))
    assert problems(ws) == ["种薯仓储库房消防设施不全"]
    assert all(cell.value != "化德县" for row in data_rows(ws) for cell in row)
    # Asking for 化德县 by the filters does not widen the scope.
    ws = export(login(world.zhuozi_liaison), county=world.huade.pk, unit=world.huade.pk)
    assert problems(ws) == []
    # The office sees both; 化德县's liaison their own.
    assert set(problems(export(login(world.office)))) == {
        "种薯仓储库房消防设施不全",
        "化德县冷库温控记录缺失",
    }
    assert problems(export(login(world.huade_liaison))) == ["化德县冷库温控记录缺失"]


def test_the_lists_filters_apply_and_are_named_in_the_subtitle(
    world, login, item, huade_item, raise_item, today
):
    raise_item(world.huade, problem="化德县逾期事项", raised_on=today - D(days=20), due_in=5)
    client = login(world.office)

    ws = export(client, county=world.huade.pk)
    assert set(problems(ws)) == {"化德县冷库温控记录缺失", "化德县逾期事项"}
    assert ws["A2"].value.endswith(exports.filter_summary([(_("County"), "化德县")]))

    ws = export(client, county=world.huade.pk, light="red", text="逾期")
    assert problems(ws) == ["化德县逾期事项"]
    summary = ws["A2"].value
    assert "化德县" in summary
    assert str(Light.RED.label) in summary
    assert "逾期" in summary

    ws = export(client, overdue="1")
    assert problems(ws) == ["化德县逾期事项"]
    assert _("Overdue only") in ws["A2"].value

    ws = export(client, status="open", source_kind="notice")
    assert problems(ws) == []


@pytest.mark.parametrize(
    "params",
    [
        {"county": "abc", "light": "purple", "status": "' OR 1=1 --"},
        {"unit": "99999999999999999999999", "office": "-1", "text": "种薯\x00"},
    ],
)
def test_filters_that_do_not_parse_are_ignored(world, login, item, params):
    ws = export(login(world.office), **params)
    assert problems(ws) in (["种薯仓储库房消防设施不全"], [])


def test_the_list_page_links_to_the_export_with_its_query(world, login, item):
    client = login(world.office)
    html = client.get(reverse("rectification:list"), {"status": "open"}).content.decode()
    assert f'href="{URL}?status=open"' in html
    partial = client.get(
        reverse("rectification:list"), {"light": "green"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert f'href="{URL}?light=green"' in partial


def test_who_may_not_export(world, login, item, client):
    assert client.get(URL).status_code == 302  # to sign in
    assert login(world.auditor).get(URL).status_code == 403
    assert problems(export(login(world.outsider))) == []


def test_only_get(world, login, item):
    client = login(world.office)
    assert client.put(URL).status_code == 405  # POST queues a job (test_export_jobs.py)
    assert client.delete(URL).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_ledger(world, login, raise_item, today):
    client = login(world.office)

    def add(count):
        for n in range(count):
            unit = world.zhuozi if n % 2 else world.huade
            made = raise_item(unit, problem=f"问题{n}", raised_on=today - D(days=n), due_in=3)
            if n % 3 == 0:
                services.rectification_respond(
                    actor=world.zhuozi_liaison if n % 2 else world.huade_liaison,
                    item=made,
                    text=f"整改情况{n}",
                )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ws = export(client, county=world.zhuozi.pk)
        return len(captured), len(data_rows(ws))

    add(6)
    small, rows = queries()
    assert rows == 3
    add(54)
    large, rows = queries()
    assert rows == 30
    assert small == large


def test_libreoffice_prints_the_ledger_on_a3_landscape(world, login, item, huade_item, tmp_path):
    _response, content = download(login(world.office))
    printed = print_to_pdf(content, tmp_path, "rectification")
    assert "".join(_("Rectification ledger").split()) in printed.text
    assert "化德县冷库温控记录缺失" in printed.text
    assert "马铃薯产业办" in printed.text
    assert printed.page_size in (None, A3_LANDSCAPE)
