"""The consolidated table (汇总表) exported to .xlsx: unit lines, group subtotals and the
total, records under their units, comparisons with earlier periods, formula safety,
flat query counts, who may download it, and LibreOffice printing it to PDF."""

import io
import zipfile
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhuanban.core import excel
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import A3_LANDSCAPE, print_to_pdf
from zhuanban.dispatch import exports, services
from zhuanban.dispatch.models import UnitGroup
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.tests.conftest import JUNE, open_round, submission_of
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory

FIRST_ROW = exports.HEADER_ROW + 1
MAY = Period(2023, PeriodKind.MONTH, 5)
JUNE_2022 = Period(2022, PeriodKind.MONTH, 6)

# Livestock columns after 序号 and 单位: C beef, D dairy, E total, F farms, G note.
BEEF, DAIRY, TOTAL, FARMS, NOTE = range(2, 7)
# Project columns: C name, D signed, E landed, F investment, G stage, H signed on, I key.
NAME, SIGNED, LANDED, INVESTMENT, STAGE, SIGNED_ON, KEY = range(2, 9)


def county(world, code, name):
    return OrgUnitFactory(
        code=code, name=name, kind=UnitKind.COUNTY, parent=world.city, division_code=code
    )


@pytest.fixture
def liangcheng(world):
    return county(world, "150925", "凉城县")


@pytest.fixture
def regions(world, liangcheng):
    """前山地区 (卓资县, 凉城县) and 后山地区 (化德县), as the city subtotals them."""
    front = UnitGroup.objects.create(name="前山地区", sort_order=1)
    front.units.add(world.zhuozi, liangcheng)
    back = UnitGroup.objects.create(name="后山地区", sort_order=2)
    back.units.add(world.huade)
    return front, back


def livestock_row(beef, dairy, farms, note=""):
    return {
        "beef": beef,
        "dairy": dairy,
        "total": str(Decimal(beef) + Decimal(dairy)),
        "farms": farms,
        "note": note,
    }


def submit(round_, unit, rows, *, approve=False):
    submission = submission_of(round_, unit)
    services.submission_submit(actor=None, submission=submission, rows=rows, expected_version=None)
    if approve:
        services.submission_approve(actor=None, submission=submission)
    return submission


def download(client, round_):
    response = client.get(reverse("dispatch:consolidation_export", args=[round_.pk]))
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def sheet(client, round_):
    _response, content = download(client, round_)
    return load_workbook(io.BytesIO(content)).active


def line(ws, text):
    """The row (cells) whose 序号 or 单位 cell reads `text`."""
    for row in ws.iter_rows(min_row=FIRST_ROW):
        if text in (row[0].value, row[1].value):
            return row
    raise AssertionError(f"{text!r} is not in the table")


def subtotal(name):
    return _("%(name)s subtotal") % {"name": name}


def figures(row, *indexes):
    return tuple(row[i].value for i in indexes)


@pytest.fixture
def livestock_done(world, livestock, liangcheng, regions):
    """June: 卓资县 and 凉城县 reported, 化德县 only saved a draft. May and June last
    year reported too, for the comparisons."""
    livestock.units.add(liangcheng)
    june = open_round(world, livestock, JUNE)
    submit(june, world.zhuozi, [livestock_row("3.2", "1.1", 12, "新建2处")], approve=True)
    submit(june, liangcheng, [livestock_row("2.05", "0.5", 7)])
    services.submission_save(
        actor=None,
        submission=submission_of(june, world.huade),
        rows=[livestock_row("90", "10", 300)],
        expected_version=None,
    )
    may = open_round(world, livestock, MAY)
    submit(may, world.zhuozi, [livestock_row("3", "1", 10)])
    submit(may, liangcheng, [livestock_row("2", "0.5", 5)])
    submit(may, world.huade, [livestock_row("1", "0", 2)])
    last_year = open_round(world, livestock, JUNE_2022)
    submit(last_year, world.zhuozi, [livestock_row("2.5", "1", 8)])
    return june


def test_per_unit_lines_group_subtotals_and_the_total(world, login, livestock_done):
    ws = sheet(login(world.office), livestock_done)
    assert ws["A1"].value == livestock_done.title
    assert ws["A1"].font.sz == 16
    assert ws["A2"].value.startswith(JUNE.label())
    header = [cell.value for cell in ws[exports.HEADER_ROW]]
    assert header[2:] == [
        "肉牛存栏（万头）",
        "奶牛存栏（万头）",
        "合计（万头）",
        "规模养殖场（个）",
        "备注",
    ]

    zhuozi = line(ws, "卓资县")
    assert zhuozi[0].value == "1"
    assert figures(zhuozi, BEEF, DAIRY, TOTAL, FARMS, NOTE) == (3.2, 1.1, 4.3, 12, "新建2处")
    assert zhuozi[BEEF].data_type == "n"
    assert zhuozi[BEEF].number_format == "0.00"
    assert zhuozi[FARMS].number_format == "0"
    assert figures(line(ws, "凉城县"), BEEF, FARMS) == (2.05, 7)

    front = line(ws, subtotal("前山地区"))
    assert figures(front, BEEF, DAIRY, TOTAL, FARMS) == (5.25, 1.6, 6.85, 19)
    assert front[NOTE].value is None
    assert front[BEEF].font.b

    # 化德县's draft is marked, and counts nowhere.
    huade = line(ws, "化德县")
    assert huade[BEEF].value == _("Not reported")
    assert all(cell.value is None for cell in huade[DAIRY:])
    assert f"C{huade[0].row}:G{huade[0].row}" in {str(r) for r in ws.merged_cells.ranges}
    back = line(ws, subtotal("后山地区"))
    assert figures(back, BEEF, FARMS) == (None, None)
    total = line(ws, _("Total"))
    assert figures(total, BEEF, DAIRY, TOTAL, FARMS) == (5.25, 1.6, 6.85, 19)

    # Units in their group's order, each group closed by its subtotal.
    order = [row[1] for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True)]
    assert order[:5] == ["卓资县", "凉城县", None, "化德县", None]


def test_comparisons_with_the_previous_period_and_last_year(world, login, livestock_done):
    ws = sheet(login(world.office), livestock_done)
    rows = list(ws.iter_rows(min_row=line(ws, _("Total"))[0].row + 1))
    assert len(rows) == 4
    previous, change, last_year, percent = rows
    assert MAY.label() in previous[0].value
    # May's total counts all three units: 化德县 reported then.
    assert figures(previous, BEEF, FARMS) == (6.0, 17)
    assert figures(change, BEEF, FARMS) == (-0.75, 2)
    assert JUNE_2022.label() in last_year[0].value
    assert figures(last_year, BEEF, FARMS) == (2.5, 8)
    assert percent[BEEF].value == pytest.approx(1.1)  # (5.25 − 2.5) ÷ 2.5
    assert percent[BEEF].number_format == "0.0%"
    assert percent[FARMS].value == pytest.approx(19 / 8 - 1)
    assert percent[NOTE].value is None


def test_no_comparison_lines_for_periods_never_sent_out(world, login, livestock_round):
    submit(livestock_round, world.zhuozi, [livestock_row("3.2", "1.1", 12)])
    ws = sheet(login(world.office), livestock_round)
    total = line(ws, _("Total"))
    assert total[0].row == ws.max_row
    # One group (no unit groups defined): no subtotal that would repeat the total.
    labels = [row[0] for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True)]
    assert labels == ["1", "2", _("Total")]
    assert figures(total, BEEF, FARMS) == (3.2, 12)


@pytest.fixture
def projects_done(world, projects, liangcheng, regions):
    projects.units.add(liangcheng)
    projects_round = open_round(world, projects)
    submit(
        projects_round,
        world.zhuozi,
        [
            {
                "name": "马铃薯主食加工项目",
                "signed": 2,
                "landed": 1,
                "investment": "1200.5",
                "stage": "签约",
                "signed_on": "2023-05-12",
                "key_project": "是",
            },
            {"name": "=1+1", "signed": 1, "landed": 1, "investment": "300", "key_project": "否"},
            {"name": "肉牛屠宰项目", "signed": 3, "investment": "0.25", "key_project": "是"},
        ],
    )
    submit(
        projects_round,
        world.huade,
        [
            {"name": "燕麦深加工项目", "signed": 1, "landed": 0, "investment": "80"},
            {"name": "冷链物流中心", "signed": 1, "landed": 1, "investment": "45.75"},
        ],
    )
    return projects_round


def test_records_are_listed_under_their_units_with_subtotals(world, login, projects_done):
    ws = sheet(login(world.leader), projects_done)
    rows = list(ws.iter_rows(min_row=FIRST_ROW))
    records = [row for row in rows if row[NAME].value and row[0].value and row[0].value.isdigit()]
    assert [(row[0].value, row[1].value, row[NAME].value) for row in records] == [
        ("1", "卓资县", "马铃薯主食加工项目"),
        ("2", "卓资县", "=1+1"),
        ("3", "卓资县", "肉牛屠宰项目"),
        ("4", "化德县", "燕麦深加工项目"),
        ("5", "化德县", "冷链物流中心"),
    ]
    first = records[0]
    assert figures(first, SIGNED, LANDED, INVESTMENT) == (2, 1, 1200.5)
    assert first[INVESTMENT].number_format == "0.00"
    assert (first[STAGE].value, first[SIGNED_ON].value) == ("签约", "2023-05-12")
    assert first[KEY].value == _("Yes")
    assert records[2][LANDED].value is None

    zhuozi = line(ws, subtotal("卓资县"))
    assert zhuozi[0].row == records[2][0].row + 1
    assert figures(zhuozi, SIGNED, LANDED, INVESTMENT, KEY) == (6, 2, 1500.75, 2)
    assert zhuozi[NAME].value is None
    # 凉城县 has not reported: marked, no subtotal of its own.
    liangcheng = line(ws, "凉城县")
    assert liangcheng[NAME].value == _("Not reported")
    assert not any(subtotal("凉城县") == row[0].value for row in rows)
    assert figures(line(ws, subtotal("前山地区")), SIGNED, INVESTMENT) == (6, 1500.75)
    assert figures(line(ws, subtotal("化德县")), SIGNED, LANDED, INVESTMENT) == (2, 1, 125.75)
    assert figures(line(ws, subtotal("后山地区")), SIGNED, INVESTMENT) == (2, 125.75)
    assert figures(line(ws, _("Total")), SIGNED, LANDED, INVESTMENT, KEY) == (8, 3, 1626.5, 2)


def test_text_typed_by_a_unit_never_becomes_a_formula(world, login, projects_done):
    _response, content = download(login(world.office), projects_done)
    ws = load_workbook(io.BytesIO(content)).active
    cell = line(ws, "2")[NAME]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    assert cell.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    assert b"<f " not in xml


def test_ready_to_print(world, login, livestock_done):
    ws = sheet(login(world.office), livestock_done)
    assert ws.freeze_panes == f"C{FIRST_ROW}"
    assert ws.print_title_rows == f"${exports.HEADER_ROW}:${exports.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == excel.PAPER_A3
    assert int(ws.page_setup.fitToWidth) == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert {"A1:G1", "A2:G2"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.column_dimensions["C"].width >= 10
    assert ws["A3"].font.name == excel.HEADER_FONT
    assert line(ws, "卓资县")[BEEF].border.left.style == "thin"


def test_the_file_comes_as_an_attachment_named_after_the_round(world, login, livestock_done):
    response, content = download(login(world.office), livestock_done)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    filename = _("%(title)s summary.xlsx") % {"title": livestock_done.title}
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote(filename)}" in disposition
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_the_export_is_audited(world, login, livestock_done):
    download(login(world.leader), livestock_done)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.object_id) == (
        "dispatch.dispatchround",
        str(livestock_done.pk),
    )
    assert event.actor == world.leader


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("office", 200),
        ("inspector", 200),
        # A county must not see the other counties' figures.
        ("zhuozi_liaison", 403),
        ("huade_liaison", 403),
        ("sysadmin", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_may_download_it(world, login, livestock_round, persona, status):
    client = login(getattr(world, persona))
    url = reverse("dispatch:consolidation_export", args=[livestock_round.pk])
    assert client.get(url).status_code == status
    if status != 200:
        assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_strangers_get_a_login_and_only_get_is_allowed(world, login, client, livestock_round):
    url = reverse("dispatch:consolidation_export", args=[livestock_round.pk])
    assert client.get(url).status_code == 302
    assert login(world.office).put(url).status_code == 405  # POST queues a job
    assert client.get(reverse("dispatch:consolidation_export", args=[999999])).status_code == 404


def project_rows(count, unit_name):
    return [
        {"name": f"{unit_name}项目{n}", "signed": 2, "landed": 1, "investment": "10.5"}
        for n in range(count)
    ]


def test_the_number_of_queries_does_not_grow_with_units_and_rows(world, login, projects):
    more = [
        county(world, code, name)
        for code, name in (
            ("150923", "商都县"),
            ("150924", "兴和县"),
            ("150925", "凉城县"),
            ("150926", "察哈尔右翼前旗"),
        )
    ]
    group = UnitGroup.objects.create(name="前山地区")
    group.units.add(world.zhuozi, *more[:2])
    client = login(world.office)

    def queries(round_):
        with CaptureQueriesContext(connection) as captured:
            ws = sheet(client, round_)
        return len(captured), ws

    # Months apart, so that neither round has an earlier one to compare with.
    small = open_round(world, projects, Period(2023, PeriodKind.MONTH, 3))
    for unit in (world.zhuozi, world.huade):
        submit(small, unit, project_rows(3, unit.name))
    projects.units.add(*more)
    large = open_round(world, projects, Period(2023, PeriodKind.MONTH, 9))
    for unit in (world.zhuozi, world.huade, *more):
        submit(large, unit, project_rows(40, unit.name))

    small_count, ws = queries(small)
    assert ws.max_row > 6
    large_count, ws = queries(large)
    assert line(ws, _("Total"))[SIGNED].value == 6 * 40 * 2
    assert len([row for row in ws.iter_rows(min_row=FIRST_ROW) if row[NAME].value]) == 240
    assert small_count == large_count


def write(round_, now, django_assert_num_queries, queries):
    """The sheet as the writer alone makes it, in `queries` queries."""
    round_ = type(round_).objects.select_related("template", "template_version").get(pk=round_.pk)
    out = io.BytesIO()
    with django_assert_num_queries(queries):
        rows = exports.write_consolidation_xlsx(round_, out, now=now)
    return rows, load_workbook(io.BytesIO(out.getvalue())).active


def test_the_writer_reads_records_in_five_queries(world, projects_done, django_assert_num_queries):
    now = timezone.now()
    # Submissions, sums, unit groups, earlier rounds (none), the records.
    rows, ws = write(projects_done, now, django_assert_num_queries, 5)
    # Title, subtitle, header; 3 + 2 records, 凉城县's line, 2 unit and 2 group
    # subtotals, the total.
    assert rows == 3 + 5 + 1 + 4 + 1 == ws.max_row
    assert ws["A2"].value == exports.subtitle_text(
        period=JUNE, reported=2, expected=3, records=5, moment=now
    )


def test_the_writer_reads_units_and_comparisons_in_six_queries(
    world, livestock_done, django_assert_num_queries
):
    now = timezone.now()
    # Submissions, sums, text values, unit groups, earlier rounds, their sums.
    rows, ws = write(livestock_done, now, django_assert_num_queries, 6)
    # Title, subtitle, header; 3 units, 2 group subtotals, the total, 4 comparisons.
    assert rows == 3 + 3 + 2 + 1 + 4 == ws.max_row
    assert ws["A2"].value == exports.subtitle_text(
        period=JUNE, reported=2, expected=3, records=None, moment=now
    )


def test_libreoffice_opens_the_file_and_prints_the_units(world, login, livestock_done, tmp_path):
    _response, content = download(login(world.office), livestock_done)
    printed = print_to_pdf(content, tmp_path, "summary")
    assert "卓资县" in printed.text
    assert "前山地区" in printed.text
    assert "5.25" in printed.text  # a figure printed with its two decimal places
    assert printed.page_size in (None, A3_LANDSCAPE)
