"""A dispatch round end to end in a real Chromium: a county liaison downloads their own
Excel file, fills it, uploads it, meets a cell error, fixes it and submits; the office
returns it with a row comment, the liaison corrects it on screen and resubmits, the
office approves; the completeness page and the consolidated export show the figure."""

import openpyxl
import pytest
from django.utils import translation

from zhuanban.dispatch.models import DispatchRound, SubmissionStatus
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES

pytestmark = pytest.mark.browser

LIVESTOCK = "规模养殖场建设情况统计表"


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def free_column(table):
    """A number column no rule ties to others, so changing it alone keeps the row valid."""
    tied = {key for rule in table.rules for key in rule.column_keys()}
    return next(c for c in table.columns if c.is_numeric and c.key not in tied)


def fill_row(sheet, table, header_row, figure):
    """Fill the unit's row: zeros satisfy every sum and comparison, `figure` goes in the
    free column, each other column gets a value of its type."""
    positions = {}
    for cell in sheet[header_row]:
        for column in table.columns:
            if cell.value in (column.heading, column.label):
                positions[column.key] = cell.column
    free = free_column(table)
    for column in table.columns:
        if column.is_numeric:
            value = figure if column.key == free.key else max(0, column.min or 0)
        elif column.type == "choice":
            value = column.choices[0]
        elif column.type == "boolean":
            value = "是"
        elif column.type == "date":
            value = "2026-11-20"
        else:
            value = "浏览器测试"
        sheet.cell(row=header_row + 1, column=positions[column.key], value=value)
    return positions[free.key]


def header_row_of(sheet, table) -> int:
    first = table.columns[0]
    for row in sheet.iter_rows(min_row=1, max_row=12):
        if any(cell.value in (first.heading, first.label) for cell in row):
            return row[0].row
    raise AssertionError("no header row")


def test_a_county_reports_through_its_excel_file_and_the_office_reviews(
    new_page, log_in, screenshot_path, tmp_path
):
    round_ = (
        DispatchRound.objects.filter(template__title=LIVESTOCK, locked_at__isnull=True)
        .select_related("template_version", "template")
        .order_by("-year", "-period_number")
        .first()
    )
    assert round_ is not None, "the demo has an open livestock round"
    table = round_.template_version.table
    submission = round_.submissions.get(unit__name="卓资县")
    assert submission.status == SubmissionStatus.PENDING
    officer = (
        RoleAssignment.objects.filter(unit_id=round_.office_id, role__in=OFFICE_ROLES)
        .select_related("user")
        .first()
        .user
    )
    free = free_column(table)

    zhuozi = log_in(new_page(), "zhuozi")
    zhuozi.goto("/dispatch/")
    with zhuozi.expect_navigation():
        zhuozi.locator("[data-testid=my-tables] a", has_text=round_.title).click()
    with zhuozi.expect_download() as download:
        zhuozi.click("[data-testid=download]")
    path = tmp_path / "mine.xlsx"
    download.value.save_as(path)

    # Filled with a letter in a number cell: the dry run names the cell, nothing is stored.
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = header_row_of(sheet, table)
    column_index = fill_row(sheet, table, header, "十二")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    zhuozi.click("[data-testid=upload]")
    zhuozi.wait_for_load_state()
    zhuozi.set_input_files("input[name=file]", str(bad))
    click_and_wait(zhuozi, "form[enctype='multipart/form-data'] button[type=submit]")
    problems = zhuozi.locator("[data-testid=upload-problems]")
    cell = f"{openpyxl.utils.get_column_letter(column_index)}{header + 1}"
    assert cell in problems.inner_text()
    zhuozi.screenshot(path=screenshot_path("dispatch-upload-errors.png"), full_page=True)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING

    # Fixed and uploaded again: confirmed as a submission.
    fill_row(sheet, table, header, 12)
    good = tmp_path / "good.xlsx"
    book.save(good)
    zhuozi.set_input_files("input[name=file]", str(good))
    click_and_wait(zhuozi, "form[enctype='multipart/form-data'] button[type=submit]")
    assert zhuozi.locator("[data-testid=upload-problems]").count() == 0
    click_and_wait(zhuozi, "button[name=confirm][value=submit]")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.revisions.get().source == "upload"

    # The office returns it with a comment on the row.
    office = log_in(new_page(), officer.username)
    office.goto(f"/dispatch/rounds/{round_.pk}/units/{submission.unit_id}/")
    office.fill("#return-form textarea[name=comment]", "规模养殖场数量与上月差异较大，请核实。")
    office.fill("input[name=row_comment-0]", "请核实本行数据")
    click_and_wait(office, "[data-testid=return]")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED

    # The liaison sees why, corrects the cell on screen and submits again.
    zhuozi.goto(f"/dispatch/rounds/{round_.pk}/units/{submission.unit_id}/")
    assert "请核实本行数据" in zhuozi.locator("[data-testid=grid]").inner_text()
    assert "差异较大" in zhuozi.locator("[data-testid=return-comment]").inner_text()
    zhuozi.screenshot(path=screenshot_path("dispatch-grid.png"), full_page=True)
    zhuozi.fill(f"input[name=cell-0-{free.key}]", "13")
    click_and_wait(zhuozi, "[data-testid=submit]")
    submission.refresh_from_db()
    assert (submission.status, submission.revision) == (SubmissionStatus.SUBMITTED, 2)

    # The office approves; the versions page shows what changed.
    office.reload()
    click_and_wait(office, "[data-testid=approve]")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    office.goto(f"/dispatch/rounds/{round_.pk}/units/{submission.unit_id}/versions/")
    changes = office.locator("[data-testid=changes]").inner_text()
    assert "12" in changes
    assert "13" in changes

    # Completeness: 卓资县 approved, and the figures go into the consolidated export.
    office.goto(f"/dispatch/rounds/{round_.pk}/")
    row = office.locator("[data-testid=units] tr", has_text="卓资县")
    with translation.override("zh-hans"):
        assert str(SubmissionStatus.APPROVED.label) in row.inner_text()
    office.screenshot(path=screenshot_path("dispatch-completeness.png"), full_page=True)
    with office.expect_download() as download:
        office.click(f"a[href='/dispatch/rounds/{round_.pk}/summary.xlsx']")
    summary = tmp_path / "summary.xlsx"
    download.value.save_as(summary)
    exported = openpyxl.load_workbook(summary)
    lines = [list(r) for r in exported.worksheets[0].iter_rows(values_only=True)]
    zhuozi_line = next(line for line in lines if "卓资县" in line)
    assert 13 in zhuozi_line or 13.0 in zhuozi_line, zhuozi_line
    office.goto(f"/dispatch/rounds/{round_.pk}/summary/")
    office.screenshot(path=screenshot_path("dispatch-consolidation.png"), full_page=True)


def test_the_leader_reads_cattle_against_target_and_time(new_page, log_in, screenshot_path):
    page = log_in(new_page(height=1000), "leader")
    page.goto("/dispatch/indicators/?year=2023")
    table = page.locator("[data-testid=indicators]")
    assert "肉牛" in table.inner_text()
    with page.expect_navigation():
        table.locator("a", has_text="肉牛").first.click()
    summary = page.locator("[data-testid=indicator-summary]").inner_text()
    assert "7.80" in summary
    assert "67.8%" in summary
    assert "50.0%" in summary
    assert page.locator("[data-testid=ranking] tbody tr").count() >= 11
    page.screenshot(path=screenshot_path("dispatch-indicator.png"), full_page=True)
