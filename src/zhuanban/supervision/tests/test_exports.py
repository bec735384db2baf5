"""Supervision ledgers exported to .xlsx: the notice ledger (督办通报台账) with the list's
filters and scope, and the visits per county and month; cell by cell (numbers are
numbers, dates are dates, text never a formula), flat query counts, and LibreOffice
printing each to PDF."""

import datetime
import io
import zipfile

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
from zhuanban.rectification import services as rectification_services
from zhuanban.rectification.lifecycle import Action
from zhuanban.supervision import exports
from zhuanban.supervision import notice_services as services
from zhuanban.supervision.forms_notices import NoticeFilterForm
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import NoticeKind

from .notice_fixtures import authority, draft, issued, with_reason

D = datetime.timedelta
FIRST_ROW = ledger.HEADER_ROW + 1
A4_LANDSCAPE = (842, 595)
NOTICES_URL = "/supervision/notices/export.xlsx"
COUNTS_URL = "/supervision/visits/counts.xlsx"
# The notice ledger's columns, by position.
(
    NO,
    NUMBER,
    TITLE,
    KIND,
    AUTHORITY,
    OFFICE,
    ISSUED,
    UNITS,
    DEADLINE,
    REPLIES,
    NOT_REPLIED,
    ITEMS,
    STATUS,
) = range(13)


def download(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def sheet(client, url, **params):
    _response, content = download(client, url, **params)
    return load_workbook(io.BytesIO(content)).active


def data_rows(ws):
    return [list(row) for row in ws.iter_rows(min_row=FIRST_ROW)]


def titles(ws):
    return [row[TITLE].value for row in data_rows(ws)]


def row_of(ws, title):
    for row in data_rows(ws):
        if row[TITLE].value == title:
            return row
    raise AssertionError(f"{title!r} is not in the ledger")


def as_date(cell) -> datetime.date:
    assert cell.is_date, (cell.coordinate, cell.value)
    assert isinstance(cell.value, datetime.datetime)
    return cell.value.date()


# --- the notice ledger ------------------------------------------------------------------------


@pytest.fixture
def shared_notice(world):
    """Issued to 卓资县 and 化德县 (one requirement: an item each); 卓资县 has replied."""
    notice = issued(
        world, units=[world.zhuozi, world.huade], title="关于种薯仓储建设滞后的督办通报"
    )
    services.notice_reply(
        actor=world.zhuozi_liaison,
        notice=notice,
        recipient=notice.recipients.get(unit=world.zhuozi),
        text="已制定整改方案",
    )
    return notice


@pytest.fixture
def huade_notice(world):
    notice = draft(world, units=[world.huade], title="关于化德县冷库建设滞后的督办通报")
    return issued(world, with_reason(world, notice, unit=world.huade))


def test_the_notice_ledger_comes_as_an_xlsx_attachment(world, login, shared_notice):
    assert reverse("supervision:notices_export") == NOTICES_URL
    response, content = download(login(world.office), NOTICES_URL)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert event.object_type == "supervision.notice_ledger"


def test_the_notice_ledger_cell_by_cell(world, login, shared_notice):
    ws = sheet(login(world.office), NOTICES_URL)
    today = shared_notice.issue_date
    assert ws["A1"].value == _("Supervision notice ledger")
    assert ws["A2"].value == ledger.subtitle_text(ledger.as_of_text(today), exports.notices_text(1))
    assert [cell.value for cell in ws[ledger.HEADER_ROW]] == [
        _("No."),
        _("Document number"),
        _("Title"),
        _("Kind"),
        str(shared_notice._meta.get_field("authority").verbose_name).capitalize(),
        str(shared_notice._meta.get_field("office").verbose_name).capitalize(),
        str(shared_notice._meta.get_field("issue_date").verbose_name).capitalize(),
        _("Units concerned"),
        _("Reply deadline"),
        _("Replied / expected"),
        _("Units that have not replied"),
        _("Rectification items (open / total)"),
        _("Status"),
    ]
    row = row_of(ws, "关于种薯仓储建设滞后的督办通报")
    assert (row[NO].value, row[NO].data_type) == (1, "n")
    assert row[NUMBER].value == f"乌农牧督〔{today.year}〕1号"
    assert row[KIND].value == NoticeKind.SUPERVISION.label
    assert (row[AUTHORITY].value, row[OFFICE].value) == ("市委农牧办", "马铃薯产业办")
    assert as_date(row[ISSUED]) == today
    assert as_date(row[DEADLINE]) == shared_notice.reply_deadline
    assert row[ISSUED].number_format == ledger.DATE_FORMAT
    assert row[UNITS].value == "卓资县、化德县"
    assert row[REPLIES].value == "1/2"
    assert row[NOT_REPLIED].value == "化德县"
    assert row[ITEMS].value == "2/2"
    assert row[STATUS].value == NoticeStatus.ISSUED.label


def test_closed_items_and_a_commendation(world, login, shared_notice):
    item = shared_notice.rectifications.get(unit=world.zhuozi)
    rectification_services.rectification_respond(
        actor=world.zhuozi_liaison, item=item, text="已完成"
    )
    rectification_services.rectification_act(actor=world.office, item=item, action=Action.ACCEPT)
    issued(world, kind=NoticeKind.COMMENDATION, title="关于表扬卓资县的通报", requirements=[])
    ws = sheet(login(world.office), NOTICES_URL)
    assert row_of(ws, "关于种薯仓储建设滞后的督办通报")[ITEMS].value == "1/2"
    praise = row_of(ws, "关于表扬卓资县的通报")
    # A commendation waits for no reply and opens no rectification.
    assert (praise[REPLIES].value, praise[NOT_REPLIED].value, praise[ITEMS].value) == (
        "—",
        None,
        "—",
    )
    assert praise[KIND].value == NoticeKind.COMMENDATION.label


def test_drafts_stay_with_their_office(world, login, shared_notice):
    with_reason(world, draft(world, units=[world.zhuozi], title="关于卓资县的通报草稿"))
    office = sheet(login(world.office), NOTICES_URL, status="draft")
    assert titles(office) == ["关于卓资县的通报草稿"]
    row = row_of(office, "关于卓资县的通报草稿")
    assert (row[NUMBER].value, row[ISSUED].value) == (None, None)
    assert row[STATUS].value == NoticeStatus.DRAFT.label
    assert row[REPLIES].value == "—"

    # The liaison of the county it concerns gets no draft, asked for or not.
    liaison = login(world.zhuozi_liaison)
    assert titles(sheet(liaison, NOTICES_URL, status="draft")) == []
    assert titles(sheet(liaison, NOTICES_URL)) == ["关于种薯仓储建设滞后的督办通报"]
    # Another office's staff see issued notices, not the potato office's drafts.
    assert "关于卓资县的通报草稿" not in titles(sheet(login(world.brand_staff), NOTICES_URL))


def test_a_liaison_exports_only_the_notices_issued_to_their_county(
    world, login, shared_notice, huade_notice
):
    ws = sheet(login(world.zhuozi_liaison), NOTICES_URL)
    assert titles(ws) == ["关于种薯仓储建设滞后的督办通报"]
    ws = sheet(login(world.zhuozi_liaison), NOTICES_URL, unit=world.huade.pk)
    assert "关于化德县冷库建设滞后的督办通报" not in titles(ws)
    assert set(titles(sheet(login(world.huade_liaison), NOTICES_URL))) == {
        "关于种薯仓储建设滞后的督办通报",
        "关于化德县冷库建设滞后的督办通报",
    }


def test_the_lists_filters_apply_and_are_named(world, login, shared_notice, huade_notice):
    county = authority(prefix="卓农牧督", name="卓资县农牧局")
    issued(world, issuer=county, title="卓资县农牧局的通报")
    client = login(world.office)

    ws = sheet(client, NOTICES_URL, unit=world.huade.pk)
    assert set(titles(ws)) == {"关于种薯仓储建设滞后的督办通报", "关于化德县冷库建设滞后的督办通报"}
    label = str(NoticeFilterForm.base_fields["unit"].label)
    assert ws["A2"].value.endswith(ledger.filter_summary([(label, "化德县")]))

    ws = sheet(client, NOTICES_URL, authority=county.pk, year=shared_notice.year)
    assert titles(ws) == ["卓资县农牧局的通报"]
    assert "卓资县农牧局" in ws["A2"].value
    assert str(shared_notice.year) in ws["A2"].value
    assert titles(sheet(client, NOTICES_URL, year=shared_notice.year - 1)) == []
    # A filter that does not validate is left out, as the list leaves it out.
    assert len(titles(sheet(client, NOTICES_URL, year="abc", kind="nonsense"))) == 3


def test_a_title_beginning_with_a_formula_stays_text(world, login):
    issued(world, title="=1+1 关于公式的通报")
    _response, content = download(login(world.office), NOTICES_URL)
    ws = load_workbook(io.BytesIO(content)).active
    cell = row_of(ws, "=1+1 关于公式的通报")[TITLE]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


def test_the_notice_ledger_prints_on_a3_landscape_with_its_header_on_every_page(
    world, login, shared_notice
):
    ws = sheet(login(world.office), NOTICES_URL)
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == ("landscape", 8)


def test_the_notice_list_links_to_the_export_with_its_query(world, login, shared_notice):
    html = (
        login(world.office)
        .get(reverse("supervision:notices"), {"status": "issued"})
        .content.decode()
    )
    assert f'href="{NOTICES_URL}?status=issued"' in html


def test_who_may_not_export_the_notice_ledger(world, login, shared_notice, client):
    assert client.get(NOTICES_URL).status_code == 302
    assert login(world.sysadmin).get(NOTICES_URL).status_code == 403
    assert titles(sheet(login(world.outsider), NOTICES_URL)) == []
    assert login(world.office).put(NOTICES_URL).status_code == 405  # POST queues a job


def test_the_notice_ledgers_queries_do_not_grow_with_it(world, login):
    client = login(world.office)

    def add(count):
        for n in range(count):
            notice = issued(world, units=[world.zhuozi, world.huade], title=f"通报{n}")
            if n % 2:
                services.notice_reply(
                    actor=world.zhuozi_liaison,
                    notice=notice,
                    recipient=notice.recipients.get(unit=world.zhuozi),
                    text="已回复",
                )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ws = sheet(client, NOTICES_URL)
        return len(captured), len(data_rows(ws))

    add(3)
    small, rows = queries()
    assert rows == 3
    add(27)
    large, rows = queries()
    assert rows == 30
    assert small == large


def test_libreoffice_prints_the_notice_ledger(world, login, shared_notice, tmp_path):
    _response, content = download(login(world.office), NOTICES_URL)
    printed = print_to_pdf(content, tmp_path, "notices")
    assert "".join(_("Supervision notice ledger").split()) in printed.text
    assert "关于种薯仓储建设滞后的督办通报" in printed.text
    assert "化德县" in printed.text
    assert printed.page_size in (None, A3_LANDSCAPE)


# --- visits per county and month -----------------------------------------------------------------


@pytest.fixture
def last_year(today):
    return today.year - 1


@pytest.fixture
def counted_visits(world, make_visit, last_year, today):
    """Last year: 卓资县 twice in March and once in July, 化德县 once in March, one
    city-level forum in November (no group: the dates are outside any group's period)."""

    def on(month, day, county):
        date = datetime.date(last_year, month, day)
        return make_visit(county, group=None, office=world.potato, days=(date - today).days)

    return [
        on(3, 5, world.zhuozi),
        on(3, 20, world.zhuozi),
        on(7, 1, world.zhuozi),
        on(3, 8, world.huade),
        on(11, 2, None),
    ]


def grid_rows(ws):
    return [[cell.value for cell in row] for row in data_rows(ws)]


def test_the_counts_grid_cell_by_cell(world, login, counted_visits, last_year, today):
    assert reverse("supervision:visit_counts_export") == COUNTS_URL
    response, content = download(login(world.office), COUNTS_URL, year=last_year)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == _("Visits carried out in %(year)s, by county and month") % {
        "year": last_year
    }
    assert ws["A2"].value.startswith(ledger.as_of_text(today))
    header = [cell.value for cell in ws[ledger.HEADER_ROW]]
    assert header[0] == _("County")
    assert header[1:13] == [date_format(datetime.date(last_year, m, 1), "M") for m in range(1, 13)]
    assert header[13] == _("Total")
    #            Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec total
    assert grid_rows(ws) == [
        ["卓资县", 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3],
        ["化德县", 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [_("No county (city level)"), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
        [_("Total"), 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 5],
    ]
    # Numbers as numbers, totals as values: nothing for a spreadsheet to recompute.
    for row in data_rows(ws):
        assert all(cell.data_type == "n" for cell in row[1:])
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert data_rows(ws)[-1][14 - 1].font.b
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.object_type, event.after) == ("supervision.visit_counts", {"year": last_year})


def test_the_counts_print_on_a4_landscape(world, login, counted_visits, last_year):
    ws = sheet(login(world.office), COUNTS_URL, year=last_year)
    assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == (
        "landscape",
        ledger.PAPER_A4,
    )
    assert int(ws.page_setup.fitToWidth) == 1
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"


def test_a_liaison_exports_their_countys_row_only(world, login, counted_visits, last_year):
    rows = grid_rows(sheet(login(world.zhuozi_liaison), COUNTS_URL, year=last_year))
    assert [row[0] for row in rows] == ["卓资县", _("Total")]
    assert rows[-1][-1] == 3
    assert all("化德县" not in str(value) for row in rows for value in row)


def test_the_year_is_the_one_asked_for_and_a_bad_one_is_this_year(
    world, login, counted_visits, last_year
):
    client = login(world.office)
    assert grid_rows(sheet(client, COUNTS_URL, year=last_year - 1))[-1][-1] == 0
    assert grid_rows(sheet(client, COUNTS_URL, year="1999x"))[-1][-1] == 0
    ws = sheet(client, COUNTS_URL, year="1999x")
    assert str(last_year + 1) in ws["A1"].value


def test_the_counts_page_links_to_the_export_of_its_year(world, login, last_year):
    html = (
        login(world.office)
        .get(reverse("supervision:visit_counts"), {"year": last_year})
        .content.decode()
    )
    assert f'href="{COUNTS_URL}?year={last_year}"' in html


def test_who_may_not_export_the_counts(world, login, client):
    assert client.get(COUNTS_URL).status_code == 302
    assert login(world.auditor).get(COUNTS_URL).status_code == 403
    assert login(world.office).put(COUNTS_URL).status_code == 405  # POST queues a job


def test_the_counts_queries_do_not_grow_with_the_visits(world, login, make_visit, last_year, today):
    client = login(world.office)

    def add(count):
        for n in range(count):
            date = datetime.date(last_year, 1 + n % 12, 1 + n % 28)
            county = world.zhuozi if n % 2 else world.huade
            make_visit(county, group=None, office=world.potato, days=(date - today).days)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ws = sheet(client, COUNTS_URL, year=last_year)
        return len(captured), grid_rows(ws)[-1][-1]

    add(3)
    small, total = queries()
    assert total == 3
    add(27)
    large, total = queries()
    assert total == 30
    assert small == large


def test_libreoffice_prints_the_counts_on_a4_landscape(
    world, login, counted_visits, last_year, tmp_path
):
    _response, content = download(login(world.office), COUNTS_URL, year=last_year)
    printed = print_to_pdf(content, tmp_path, "counts")
    title = _("Visits carried out in %(year)s, by county and month") % {"year": last_year}
    assert "".join(title.split()) in printed.text
    assert "卓资县" in printed.text
    assert printed.page_size in (None, A4_LANDSCAPE)
