"""A unit's own Excel file: what `workbook.write_unit_workbook` writes, and every way
`upload.read_unit_workbook` refuses a file, by cell, storing nothing."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhuanban.dispatch import services
from zhuanban.dispatch.models import DataValue, RowMode, SubmissionStatus
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.tests.conftest import PROJECTS_SCHEMA, open_round, submission_of
from zhuanban.dispatch.upload import OLE_MAGIC, read_unit_workbook
from zhuanban.dispatch.workbook import LISTS_SHEET, META_SHEET, write_unit_workbook

MAY = Period(2023, PeriodKind.MONTH, 5)
LIVESTOCK = {"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": 12, "note": "正常"}
PROJECT = {
    "name": "马铃薯淀粉深加工项目",
    "signed": 3,
    "landed": 1,
    "investment": "1250.50",
    "stage": "签约",
    "signed_on": "2023-06-01",
    "key_project": True,
}
SHEET1 = "xl/worksheets/sheet1.xml"


# --- helpers ---------------------------------------------------------------------------


def unit_file(submission, rows=None) -> bytes:
    buffer = io.BytesIO()
    write_unit_workbook(submission, buffer, rows=rows)
    return buffer.getvalue()


def filled(data: bytes, cells: dict) -> bytes:
    """The file with cells of its first sheet set, as someone would in Excel."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for coordinate, value in cells.items():
        ws[coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_cell_xml(data: bytes, coordinate: str, inner: str) -> bytes:
    """The file with one cell of the first sheet replaced by raw XML (`<f>`, `<v>`):
    what Excel saves and openpyxl cannot write, such as a formula's cached value."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET1:
                text = content.decode()
                pattern = re.compile(rf'<c r="{coordinate}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)')
                match = pattern.search(text)
                assert match, coordinate
                cell = f'<c r="{coordinate}"{match.group(1) or ""}>{inner}</c>'
                content = (text[: match.start()] + cell + text[match.end() :]).encode()
            archive.writestr(info, content)
    return out.getvalue()


def as_upload(data: bytes, name: str = "卓资县.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def state(submission) -> tuple:
    submission.refresh_from_db()
    return (submission.status, submission.data, submission.revision, submission.lock_version)


def refused(submission, data: bytes, code: str, name: str = "卓资县.xlsx"):
    """The one problem with `code`, after checking that nothing was stored."""
    before = state(submission)
    result = read_unit_workbook(as_upload(data, name), submission)
    assert not result.is_valid
    found = [p for p in result.problems if p.code == code]
    assert found, [(p.cell, p.code) for p in result.problems]
    assert found[0].message
    assert state(submission) == before
    assert not DataValue.objects.exists()
    return found[0]


@pytest.fixture
def zhuozi_livestock(world, livestock_round):
    return submission_of(livestock_round, world.zhuozi)


@pytest.fixture
def zhuozi_projects(world, projects_round):
    return submission_of(projects_round, world.zhuozi)


@pytest.fixture
def livestock_file(zhuozi_livestock):
    return unit_file(zhuozi_livestock, [LIVESTOCK])


@pytest.fixture
def projects_file(zhuozi_projects):
    return unit_file(zhuozi_projects, [PROJECT])


def validations_at(ws, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


# --- the file a unit fills in ------------------------------------------------------------


def test_the_sheet_to_fill_in(world, zhuozi_projects, projects_file):
    wb = openpyxl.load_workbook(io.BytesIO(projects_file))
    ws = wb.worksheets[0]
    assert ws.title == "农牧业招商引资签约落地项目情况表"
    assert ws["A1"].value == "农牧业招商引资签约落地项目情况表"
    assert "卓资县" in ws["A2"].value
    assert [c.value for c in ws[3]] == [
        "项目名称",
        "签约项目数",
        "落地项目数",
        "计划投资（万元）",
        "进展阶段",
        "签约日期",
        "是否重点项目",
    ]
    values = [c.value for c in ws[4]]
    assert values[5].date() == datetime.date(2023, 6, 1)  # a date cell, not text
    assert values[:5] + values[6:] == ["马铃薯淀粉深加工项目", 3, 1, 1250.5, "签约", "是"]
    assert ws["D4"].number_format == "0.00"
    assert ws["F4"].number_format == "yyyy-mm-dd"
    assert ws["A3"].comment is not None  # required, with what the column takes
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    # protected without a password: headings locked, the cells to fill open
    assert ws.protection.sheet
    assert not ws.protection.password
    assert ws["A1"].protection.locked
    assert ws["G3"].protection.locked
    assert not ws["A4"].protection.locked
    assert not ws["G54"].protection.locked  # the formatted blank rows of a records table
    assert not ws.column_dimensions["E"].protection.locked  # and beyond them
    assert wb.security.lockStructure


def test_data_validation_in_every_column(zhuozi_projects, projects_file):
    ws = openpyxl.load_workbook(io.BytesIO(projects_file)).worksheets[0]
    expected = {
        "A": ("textLength", "lessThanOrEqual", "500"),
        "B": ("whole", "greaterThanOrEqual", "0"),
        "D": ("decimal", "greaterThanOrEqual", "0"),
        "E": ("list", None, '"洽谈,签约,落地,开工"'),
        "F": ("date", "between", "1"),
        "G": ("list", None, '"是,否"'),
    }
    for letter, (kind, operator, formula) in expected.items():
        (rule,) = validations_at(ws, f"{letter}4")
        assert (rule.type, rule.operator, rule.formula1) == (kind, operator, formula), letter
        assert rule.showErrorMessage
        assert rule.error
        assert rule.allow_blank
        # a generous range for a records table: down to the row limit
        assert validations_at(ws, f"{letter}5000")


def test_a_per_unit_table_has_one_row_to_fill(zhuozi_livestock, livestock_file):
    ws = openpyxl.load_workbook(io.BytesIO(livestock_file)).worksheets[0]
    assert [c.value for c in ws[4]] == [3.2, 1.1, 4.3, 12, "正常"]
    assert not ws["A4"].protection.locked
    assert ws["A5"].protection.locked  # no style: Excel's default, locked
    assert validations_at(ws, "A4")
    assert not validations_at(ws, "A5")
    (rule,) = validations_at(ws, "A4")
    assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_the_hidden_sheet_says_whose_file_it_is(world, zhuozi_livestock, livestock_file):
    wb = openpyxl.load_workbook(io.BytesIO(livestock_file))
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert values["round_id"] == str(zhuozi_livestock.round_id)
    assert values["unit_id"] == str(world.zhuozi.pk)
    assert values["unit_code"] == "150921"
    assert values["period"] == "2023-M06"
    assert values["template_code"] == "livestock"
    assert values["template_version"] == "1"


def test_a_long_choice_list_lives_on_a_hidden_sheet(world):
    choices = [f"乡镇名称很长的第{i}个乡镇" for i in range(40)]
    schema = {
        "columns": [
            {"key": "town", "label": "乡镇", "type": "choice", "choices": choices},
            {"key": "count", "label": "数量", "type": "integer"},
        ]
    }
    template = services.template_create(
        actor=world.office,
        office=world.potato,
        code="towns",
        title="乡镇情况表",
        schema=schema,
        units=[world.zhuozi],
        row_mode=RowMode.RECORDS,
    )
    submission = submission_of(open_round(world, template), world.zhuozi)
    wb = openpyxl.load_workbook(io.BytesIO(unit_file(submission)))
    lists = wb[LISTS_SHEET]
    assert lists.sheet_state == "veryHidden"
    assert [row[0] for row in lists.iter_rows(values_only=True)] == choices
    (rule,) = validations_at(wb.worksheets[0], "A4")
    assert rule.formula1 == f"{LISTS_SHEET}!$A$1:$A$40"
    result = read_unit_workbook(
        as_upload(filled(unit_file(submission), {"A4": choices[39], "B4": 2})), submission
    )
    assert result.is_valid
    assert result.rows == [{"town": choices[39], "count": 2}]


def test_last_periods_figures_for_reference(world, livestock, livestock_round):
    may = open_round(world, livestock, MAY)
    reported = submission_of(may, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=reported,
        rows=[dict(LIVESTOCK, beef="2.5", total="3.6")],
        expected_version=reported.lock_version,
    )
    june = submission_of(livestock_round, world.zhuozi)
    wb = openpyxl.load_workbook(io.BytesIO(unit_file(june)))
    reference = wb.worksheets[1]
    assert MAY.label() in reference.title
    assert [c.value for c in reference[3]][:2] == ["肉牛存栏（万头）", "奶牛存栏（万头）"]
    assert [c.value for c in reference[4]] == [2.5, 1.1, 3.6, 12, "正常"]
    assert reference.protection.sheet
    assert reference["A4"].protection.locked
    # 化德县 has not reported May: its sheet says so and has no rows
    huade = openpyxl.load_workbook(
        io.BytesIO(unit_file(submission_of(livestock_round, world.huade)))
    ).worksheets[1]
    assert huade.max_row == 3


def test_text_is_never_a_formula(zhuozi_projects):
    data = unit_file(zhuozi_projects, [dict(PROJECT, name="=HYPERLINK(1)")])
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws["A4"].data_type == "s"
    assert ws["A4"].value == "=HYPERLINK(1)"
    assert ws["A4"].quotePrefix
    result = read_unit_workbook(as_upload(data), zhuozi_projects)
    assert result.is_valid
    assert result.rows[0]["name"] == "=HYPERLINK(1)"


def test_a_draft_keeps_wrong_entries_as_text(world, zhuozi_livestock):
    services.submission_save(
        actor=world.zhuozi_liaison,
        submission=zhuozi_livestock,
        rows=[dict(LIVESTOCK, beef="abc")],
        expected_version=zhuozi_livestock.lock_version,
    )
    zhuozi_livestock.refresh_from_db()
    ws = openpyxl.load_workbook(io.BytesIO(unit_file(zhuozi_livestock))).worksheets[0]
    assert ws["A4"].value == "abc"
    assert ws["B4"].value == 1.1


def test_the_sheet_declares_its_size(zhuozi_projects):
    """A streaming reader then reads the sheet once, not twice."""
    data = unit_file(zhuozi_projects, [PROJECT] * 3)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET1).decode()
    assert '<dimension ref="A1:G56"/>' in sheet  # 3 header rows, 3 rows, 50 blank rows


def test_typed_rows_round_trip(zhuozi_projects):
    rows = [
        {
            "name": f"项目{i}",
            "signed": i + 1,
            "landed": i,
            "investment": Decimal(i) / 4,
            "stage": "落地",
            "signed_on": datetime.date(2023, 6, i % 28 + 1),
            "key_project": i % 2 == 0,
        }
        for i in range(300)
    ]
    result = read_unit_workbook(as_upload(unit_file(zhuozi_projects, rows)), zhuozi_projects)
    assert result.is_valid
    assert result.header_row == 3
    assert result.checked.rows == [
        dict(row, investment=Decimal(row["investment"]).quantize(Decimal("0.01"))) for row in rows
    ]


# --- what the upload refuses, by cell ---------------------------------------------------


def test_letters_in_a_number_cell(zhuozi_livestock, livestock_file):
    problem = refused(zhuozi_livestock, filled(livestock_file, {"D4": "十二个"}), "not_number")
    assert (problem.cell, problem.column) == ("D4", "规模养殖场（个）")
    assert problem.sheet == "规模养殖场建设情况统计表"


def test_a_number_too_large_typed_as_text(zhuozi_livestock, livestock_file):
    problem = refused(zhuozi_livestock, filled(livestock_file, {"D4": "1e309"}), "out_of_range")
    assert problem.cell == "D4"


def test_a_number_too_large_stored_as_a_number(zhuozi_livestock, livestock_file):
    data = with_cell_xml(livestock_file, "D4", "<v>1e309</v>")
    assert refused(zhuozi_livestock, data, "out_of_range").cell == "D4"


def test_a_negative_head_count(zhuozi_livestock, livestock_file):
    data = filled(livestock_file, {"A4": -1, "C4": 0.1})
    assert refused(zhuozi_livestock, data, "below_min").cell == "A4"


def test_a_date_that_does_not_exist(zhuozi_projects, projects_file):
    data = filled(projects_file, {"F4": "2023-02-30"})
    problem = refused(zhuozi_projects, data, "not_date")
    assert (problem.cell, problem.column) == ("F4", "签约日期")


def test_a_choice_not_in_the_list(zhuozi_projects, projects_file):
    problem = refused(zhuozi_projects, filled(projects_file, {"E5": "投产"}), "not_choice")
    assert problem.cell == "E5"


def test_every_problem_at_once(zhuozi_projects, projects_file):
    data = filled(
        projects_file,
        {"B4": "abc", "E4": "投产", "A6": "第二个项目", "B6": 1, "C6": 2, "F6": "2023-02-30"},
    )
    result = read_unit_workbook(as_upload(data), zhuozi_projects)
    assert {(p.cell, p.code) for p in result.problems} == {
        ("B4", "not_number"),
        ("E4", "not_choice"),
        ("B6", "rule_compare"),
        ("F6", "not_date"),
    }
    assert result.checked is not None


def test_an_extra_column_is_named(zhuozi_projects, projects_file):
    data = filled(projects_file, {"H3": "联系人", "H4": "张三"})
    problem = refused(zhuozi_projects, data, "extra_column")
    assert (problem.cell, problem.column) == ("H3", "联系人")


def test_a_missing_column_is_named(zhuozi_projects, projects_file):
    problem = refused(zhuozi_projects, filled(projects_file, {"C3": None}), "missing_column")
    assert problem.column == "落地项目数"


def test_a_column_twice(zhuozi_projects, projects_file):
    data = filled(projects_file, {"H3": "签约项目数"})
    assert refused(zhuozi_projects, data, "duplicate_column").cell == "H3"


def test_a_value_outside_the_columns(zhuozi_projects, projects_file):
    data = filled(projects_file, {"I5": "备注写在表外"})
    result = read_unit_workbook(as_upload(data), zhuozi_projects)
    assert [(p.cell, p.code) for p in result.problems] == [("I5", "no_column")]


def test_columns_are_matched_by_heading_in_any_order(zhuozi_projects):
    """A sheet of one's own making: no title, no hidden sheet, columns shuffled."""
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "是否重点项目",
            "项目名称",
            "计划投资(万元)",
            "签约项目数",
            "进展阶段",
            "签约日期",
            "落地项目数",
        ]
    )
    ws.append(["否", "肉牛养殖项目", 30.5, 2, "落地", datetime.date(2023, 5, 4), 2])
    out = io.BytesIO()
    wb.save(out)
    result = read_unit_workbook(as_upload(out.getvalue()), zhuozi_projects)
    assert result.is_valid, result.problems
    assert result.checked.rows == [
        {
            "name": "肉牛养殖项目",
            "signed": 2,
            "landed": 2,
            "investment": Decimal("30.50"),
            "stage": "落地",
            "signed_on": datetime.date(2023, 5, 4),
            "key_project": False,
        }
    ]
    assert result.letters["name"] == "B"


def test_extra_rows_in_a_per_unit_table(zhuozi_livestock, livestock_file):
    data = filled(livestock_file, {"A6": 1})
    assert refused(zhuozi_livestock, data, "extra_rows").cell == "A6:E6"


def test_someone_elses_unit(world, livestock_round, zhuozi_livestock):
    huade = submission_of(livestock_round, world.huade)
    problem = refused(zhuozi_livestock, unit_file(huade, [LIVESTOCK]), "wrong_unit")
    assert "化德县" in problem.message
    assert "卓资县" in problem.message


def test_a_file_for_another_period(world, livestock, zhuozi_livestock):
    may = submission_of(open_round(world, livestock, MAY), world.zhuozi)
    problem = refused(zhuozi_livestock, unit_file(may, [LIVESTOCK]), "wrong_period")
    assert MAY.label() in problem.message
    assert zhuozi_livestock.round.period.label() in problem.message


def test_a_file_of_another_table(zhuozi_livestock, projects_file):
    assert refused(zhuozi_livestock, projects_file, "wrong_table")


def test_a_formula_is_refused_at_its_cell_not_read_as_its_saved_value(
    zhuozi_livestock, livestock_file
):
    """The value Excel cached with a formula is not trusted: the cell is an error."""
    data = with_cell_xml(livestock_file, "C4", "<f>A4+B4</f><v>4.3</v>")
    problem = refused(zhuozi_livestock, data, "formula")
    assert (problem.cell, problem.column) == ("C4", "合计（万头）")


def test_a_formula_without_a_saved_value_is_refused_too(zhuozi_livestock, livestock_file):
    data = with_cell_xml(livestock_file, "A4", "<f>SUM(1,2)</f>")
    result = read_unit_workbook(as_upload(data), zhuozi_livestock)
    # One problem at the cell, not also "required" for the blank it reads as.
    assert [p.code for p in result.problems if p.cell == "A4"] == ["formula"]


def test_a_formula_is_never_evaluated(zhuozi_livestock, livestock_file):
    """Neither what the formula would give nor its saved value is read."""
    data = with_cell_xml(livestock_file, "D4", '<f>WEBSERVICE("http://x")</f><v>-3</v>')
    assert refused(zhuozi_livestock, data, "formula").cell == "D4"


def test_fifty_thousand_rows_stop_at_the_limit(zhuozi_projects, settings):
    settings.DISPATCH_MAX_ROWS = 2000  # reading 20,000 rows to get there adds nothing
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([c["label"] for c in PROJECTS_SCHEMA["columns"]])
    for i in range(50_000):
        ws.append([f"项目{i}", 1])
    out = io.BytesIO()
    wb.save(out)
    before = state(zhuozi_projects)
    result = read_unit_workbook(as_upload(out.getvalue()), zhuozi_projects)
    (problem,) = result.problems
    limit = settings.DISPATCH_MAX_ROWS
    assert (problem.code, problem.cell) == ("too_many_rows", f"A{limit + 2}")
    assert str(limit) in problem.message
    assert len(result.rows) == limit  # read no further
    assert result.checked is None
    assert state(zhuozi_projects) == before


def test_a_password_protected_workbook(zhuozi_livestock):
    # An encrypted .xlsx is an OLE compound file naming its encrypted streams.
    data = (
        OLE_MAGIC
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(50)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(2000)
    )
    problem = refused(zhuozi_livestock, data, "password_protected")
    assert problem.cell == ""


def test_an_old_xls_file(zhuozi_livestock):
    refused(zhuozi_livestock, OLE_MAGIC + bytes(4000), "old_format", name="卓资县.xls")


def test_a_truncated_workbook(zhuozi_livestock, livestock_file):
    refused(zhuozi_livestock, livestock_file[: len(livestock_file) // 2], "corrupt")


def test_a_workbook_with_a_damaged_sheet(zhuozi_livestock, livestock_file):
    source = zipfile.ZipFile(io.BytesIO(livestock_file))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET1:
                content = content[: len(content) // 2]
            archive.writestr(info, content)
    refused(zhuozi_livestock, out.getvalue(), "corrupt")


def test_a_zip_bomb(zhuozi_livestock):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(SHEET1, "w", force_zip64=True) as member,
    ):
        zeros = bytes(1_048_576)
        for _ in range(200):
            member.write(zeros)
    refused(zhuozi_livestock, buffer.getvalue(), "zip_bomb")


def test_not_a_workbook_at_all(zhuozi_livestock):
    refused(zhuozi_livestock, "肉牛存栏,3.2\n".encode(), "not_xlsx")


def test_a_file_over_the_size_limit(zhuozi_livestock, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    refused(zhuozi_livestock, b"PK\x03\x04" + bytes(2000), "too_large")


def test_any_file_object_will_do(zhuozi_livestock, livestock_file, tmp_path):
    path = tmp_path / "卓资县.xlsx"
    path.write_bytes(livestock_file)
    for source in (livestock_file, io.BytesIO(livestock_file), path):
        assert read_unit_workbook(source, zhuozi_livestock).is_valid
    assert zhuozi_livestock.status == SubmissionStatus.PENDING
