"""A unit's own Excel file for one submission: downloaded, filled in and uploaded back.

The first sheet is the table: its title, a line naming the unit, period and due date,
the column headings (help in comments), then the unit's rows, typed, with Excel's data
validation in every cell to fill (a drop-down for choices and 是/否, number ranges,
dates, text length). The sheet is protected without a password: title and headings
are locked, the cells to fill are not. A second sheet shows what the unit reported
for the previous period, read-only. A very hidden sheet names the round, unit, period
and table the file belongs to, so that the upload (`upload.py`) can refuse a file of
another unit or another period.

Written in openpyxl's write-only mode: rows stream to disk, so a table of tens of
thousands of rows is quick to write and memory stays flat.
"""

import datetime
from copy import copy
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from zhuanban.core import excel
from zhuanban.dispatch.models import (
    REPORTED_STATES,
    RowMode,
    Submission,
)
from zhuanban.dispatch.schema import MAX_TEXT, NUMBER_LIMIT, Column, ColumnType, TableSchema

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
# Bordered empty rows below a records table's data; beyond them the columns stay
# unlocked and validated, just without borders (a printout of empty grid is waste).
BLANK_RECORD_ROWS = 50

# Sheet names the upload looks for; never shown, so never translated.
META_SHEET = "zhuanban_meta"
LISTS_SHEET = "zhuanban_lists"
META_FORMAT = "zhuanban.unit-table/1"

YES, NO = "是", "否"
# Excel refuses an inline list longer than this (the quoted, comma-separated text).
INLINE_LIST_MAX = 255
PROMPT_TITLE_MAX, PROMPT_MAX = 32, 255  # Excel's limits for an input message
NOTE_MAX = 2000
EXCEL_DATE_MIN, EXCEL_DATE_MAX = 1, 2_958_465  # 1900-01-01 .. 9999-12-31 as serials

_LARGEST = format(NUMBER_LIMIT - 1, "f")  # what the value store holds


# --- looks -------------------------------------------------------------------------


def _body_font() -> Font:
    return Font(name=excel.BODY_FONT, size=11, charset=excel.GB2312_CHARSET)


def _border() -> Border:
    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def number_format(column: Column) -> str:
    if column.type == ColumnType.INTEGER:
        return "0"
    if column.type == ColumnType.DECIMAL:
        return "0." + "0" * column.decimals if column.decimals else "0"
    if column.type == ColumnType.DATE:
        return "yyyy-mm-dd"
    # Text as typed: "001" stays "001", and "6-1" does not turn into a date.
    return "@"


def _alignment(column: Column) -> Alignment:
    if column.is_numeric:
        return Alignment(horizontal="right", vertical="top")
    if column.type == ColumnType.TEXT:
        return Alignment(horizontal="left", vertical="top", wrap_text=True)
    return Alignment(horizontal="center", vertical="top")


def column_width(column: Column) -> float:
    if column.width:
        return column.width
    base = {
        ColumnType.TEXT: 24,
        ColumnType.DATE: 13,
        ColumnType.BOOLEAN: 9,
        ColumnType.INTEGER: 12,
        ColumnType.DECIMAL: 14,
    }.get(column.type, 12)
    if column.type == ColumnType.CHOICE:
        base = max([10, *(excel.text_width(choice) + 4 for choice in column.choices)])
    # Headings wrap; up to 20 wide they may set the width, beyond that they take lines.
    return min(50, max(base, min(excel.text_width(column.heading) + 2, 20)))


class _CellMaker:
    """Typed, styled cells of one column. Cells share their prototype's style (copied
    only to change it): copying it for every cell of a large table costs more than
    writing the cell."""

    def __init__(self, ws, column: Column, *, locked: bool):
        self.ws = ws
        self.column = column
        prototype = WriteOnlyCell(ws)
        prototype.font = _body_font()
        prototype.border = _border()
        prototype.alignment = _alignment(column)
        prototype.number_format = number_format(column)
        prototype.protection = Protection(locked=locked)
        self.style = prototype._style
        self.typed = _TYPED[column.type]

    def make(self, value) -> WriteOnlyCell:
        if value is None or value == "":
            cell = WriteOnlyCell(self.ws)
            cell._style = self.style
            return cell
        value = self.typed(value)
        if isinstance(value, str):
            value = excel.clean_text(value)
            cell = WriteOnlyCell(self.ws, value)
            cell.data_type = "s"  # a string, never a formula
            if value.startswith(excel.FORMULA_TRIGGERS):
                cell._style = copy(self.style)
                cell.quotePrefix = True
                return cell
        else:
            cell = WriteOnlyCell(self.ws, value)
        cell._style = self.style
        return cell


# A cell's value from a row in its stored form (JSON: decimals and dates as text) or
# typed (int, Decimal, date, bool). What does not fit the column (an entry a draft kept
# although it was wrong) is written as the text it was, for the unit to correct.


def _text(value) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _integer(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _decimal(value)


def _decimal(value):
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else _text(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return _text(value)
    return number if number.is_finite() and abs(number) < NUMBER_LIMIT else _text(value)


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return _text(value)


_TYPED = {
    ColumnType.INTEGER: _integer,
    ColumnType.DECIMAL: _decimal,
    ColumnType.DATE: _date,
    ColumnType.BOOLEAN: _text,
    ColumnType.CHOICE: _text,
    ColumnType.TEXT: _text,
}


# --- data validation ---------------------------------------------------------------


def _bounds(column: Column) -> tuple[str, str | None, str | None]:
    """(operator, formula1, formula2) of a number column's range."""
    low = None if column.min is None else format(column.min, "f")
    high = None if column.max is None else format(column.max, "f")
    if low is not None and high is not None:
        return "between", low, high
    if low is not None:
        return "greaterThanOrEqual", low, None
    if high is not None:
        return "lessThanOrEqual", high, None
    return "between", "-" + _LARGEST, _LARGEST


def _range_text(column: Column) -> str:
    if column.min is not None and column.max is not None:
        return _("from %(min)s to %(max)s") % {"min": column.min, "max": column.max}
    if column.min is not None:
        return _("at least %(min)s") % {"min": column.min}
    if column.max is not None:
        return _("at most %(max)s") % {"max": column.max}
    return ""


def hint(column: Column) -> str:
    """What a cell of the column takes, in a sentence."""
    kind = column.type
    bounds = _range_text(column)
    if kind == ColumnType.INTEGER:
        text = (
            _("A whole number, %(range)s.") % {"range": bounds} if bounds else _("A whole number.")
        )
    elif kind == ColumnType.DECIMAL:
        places = {"places": column.decimals}
        text = (
            _("A number with up to %(places)s decimal places, %(range)s.")
            % (places | {"range": bounds})
            if bounds
            else _("A number with up to %(places)s decimal places.") % places
        )
    elif kind == ColumnType.DATE:
        text = _("A date, written as 2023-06-30.")
    elif kind == ColumnType.BOOLEAN:
        text = _("Choose 是 or 否.")
    elif kind == ColumnType.CHOICE:
        text = _("Choose from the list.")
    else:
        text = _("Text of at most %(max)s characters.") % {"max": MAX_TEXT}
    if column.required:
        required = _("Required.")
        text = f"{text} {required}"
    return text


def _inline_list(choices) -> str | None:
    if any("," in c or '"' in c for c in choices):
        return None
    text = '"' + ",".join(choices) + '"'
    return text if len(text) <= INLINE_LIST_MAX else None


def _validation(column: Column, list_ref: str | None) -> DataValidation:
    kind = column.type
    error = hint(column)
    if kind in (ColumnType.INTEGER, ColumnType.DECIMAL):
        operator, formula1, formula2 = _bounds(column)
        rule = DataValidation(
            type="whole" if kind == ColumnType.INTEGER else "decimal",
            operator=operator,
            formula1=formula1,
            formula2=formula2,
        )
    elif kind == ColumnType.DATE:
        rule = DataValidation(
            type="date",
            operator="between",
            formula1=str(EXCEL_DATE_MIN),
            formula2=str(EXCEL_DATE_MAX),
        )
    elif kind == ColumnType.BOOLEAN:
        rule = DataValidation(type="list", formula1=f'"{YES},{NO}"')
    elif kind == ColumnType.CHOICE:
        rule = DataValidation(type="list", formula1=_inline_list(column.choices) or list_ref)
    else:
        rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_TEXT))
    rule.allow_blank = True  # whether a cell must be filled is checked on upload
    rule.showErrorMessage = True
    rule.errorStyle = "stop"
    rule.errorTitle = _("Invalid entry")[:PROMPT_TITLE_MAX]
    rule.error = error[:PROMPT_MAX]
    rule.showInputMessage = True
    rule.promptTitle = column.heading[:PROMPT_TITLE_MAX]
    rule.prompt = (f"{column.help}\n{error}" if column.help else error)[:PROMPT_MAX]
    return rule


# --- the workbook ------------------------------------------------------------------


def previous_submission(submission: Submission) -> Submission | None:
    """The unit's answer to the same table for the previous period, if it reported."""
    round_ = submission.round
    previous = round_.period.previous()
    return (
        Submission.objects.filter(
            round__template_id=round_.template_id,
            round__cadence=round_.cadence,
            round__period_kind=previous.kind,
            round__year=previous.year,
            round__period_number=previous.number,
            unit_id=submission.unit_id,
            status__in=REPORTED_STATES,
        )
        .select_related("round", "round__template_version")
        .first()
    )


def metadata(submission: Submission) -> list[tuple[str, str]]:
    round_ = submission.round
    return [
        ("format", META_FORMAT),
        ("round_id", str(round_.pk)),
        ("round_title", round_.title),
        ("cadence", round_.cadence),
        ("unit_id", str(submission.unit_id)),
        ("unit_code", submission.unit.code),
        ("unit_name", submission.unit.name),
        ("period", round_.period.key),
        ("template_code", round_.template.code),
        ("template_title", round_.template.title),
        ("template_version", str(round_.template_version.number)),
    ]


def write_unit_workbook(submission: Submission, fileobj: BinaryIO, *, rows=None) -> None:
    """Write the .xlsx a unit fills in for `submission` to `fileobj`, pre-filled with
    `rows` (typed, or in their stored JSON form; by default the submission's data)."""
    round_ = submission.round
    template = round_.template
    table = round_.template_version.table
    records = template.row_mode == RowMode.RECORDS
    rows = submission.data if rows is None else rows

    wb = Workbook(write_only=True)
    wb.properties.title = template.title
    wb.properties.creator = "Zhuanban"
    # The sheets stay as they are (no password): the upload finds them by name.
    wb.security = WorkbookProtection(lockStructure=True)
    ws = wb.create_sheet(title=excel.sheet_title(template.title))
    previous_ws = wb.create_sheet(
        title=excel.sheet_title(
            _("Previous period (%(period)s)") % {"period": round_.period.previous().label()}
        )
    )
    choice_lists = [
        c for c in table.columns if c.type == ColumnType.CHOICE and not _inline_list(c.choices)
    ]
    lists_ws = wb.create_sheet(title=LISTS_SHEET) if choice_lists else None
    meta_ws = wb.create_sheet(title=META_SHEET)

    list_refs = _write_lists(lists_ws, choice_lists) if lists_ws is not None else {}
    _write_table(ws, submission, table, rows, records=records, list_refs=list_refs)
    _write_previous(previous_ws, submission)
    _write_meta(meta_ws, submission)
    wb.save(fileobj)


def _heading_cells(
    ws, cells: excel.CellFactory, title: str, info: str, width: int, *, note: str = ""
) -> None:
    last = get_column_letter(width)
    ws.row_dimensions[TITLE_ROW].height = 36
    ws.row_dimensions[INFO_ROW].height = 22
    ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.merged_cells.add(f"A{INFO_ROW}:{last}{INFO_ROW}")
    # Every cell of the merged rows is written, locked: unwritten cells would take the
    # column's unlocked style.
    first = cells.make("title", title)
    if note:
        # The instructions for filling in, on the title: the first thing anyone reads.
        first.comment = Comment(
            excel.clean_text(note)[:NOTE_MAX], "Zhuanban", height=200, width=360
        )
    ws.append([first, *(cells.make("title") for _i in range(width - 1))])
    ws.append([cells.make("subtitle", info), *(cells.make("subtitle") for _i in range(width - 1))])


def _header_row(ws, cells: excel.CellFactory, table: TableSchema, widths, *, comments: bool):
    row = []
    for column in table.columns:
        cell = cells.make("header", column.heading)
        if comments:
            note = f"{column.help}\n{hint(column)}" if column.help else hint(column)
            cell.comment = Comment(note, "Zhuanban", height=110, width=220)
        row.append(cell)
    ws.row_dimensions[HEADER_ROW].height = max(
        30, excel.row_height([c.heading for c in table.columns], widths)
    )
    ws.append(row)


def _append_rows(ws, makers: list[_CellMaker], rows, first_row: int, widths) -> None:
    wrapped = [
        (maker.column.key, widths[index] - 1.5)
        for index, maker in enumerate(makers)
        if maker.column.type == ColumnType.TEXT
    ]
    number = first_row
    for row in rows:
        cells = [maker.make(row.get(maker.column.key)) for maker in makers]
        # Only text that wraps needs a taller row (LibreOffice keeps the default height).
        if any(
            isinstance(text := row.get(key), str) and excel.text_width(text) > room
            for key, room in wrapped
        ):
            texts = [row.get(key) for key, _room in wrapped]
            ws.row_dimensions[number].height = excel.row_height(
                [t if isinstance(t, str) else "" for t in texts],
                [room + 1.5 for _key, room in wrapped],
            )
            ws.append(cells)
            del ws.row_dimensions[number]  # written: keep memory flat
        else:
            ws.append(cells)
        number += 1


def _write_table(ws, submission, table: TableSchema, rows, *, records: bool, list_refs) -> None:
    round_ = submission.round
    columns = table.columns
    widths = [column_width(c) for c in columns]
    excel.print_setup(
        ws,
        [excel.Column(c.heading, w) for c, w in zip(columns, widths, strict=True)],
        header_rows=(HEADER_ROW, HEADER_ROW),
    )
    if records:
        # Rows past the bordered ones can be filled too: the whole column is unlocked
        # and typed, so a long list is not stopped by the protection.
        for index, column in enumerate(columns, start=1):
            dimension = ws.column_dimensions[get_column_letter(index)]
            dimension.protection = Protection(locked=False)
            dimension.number_format = number_format(column)
    cells = excel.CellFactory(ws)
    info = _("Unit: %(unit)s    Period: %(period)s    Due: %(due)s") % {
        "unit": submission.unit.name,
        "period": round_.period.label(),
        "due": date_format(round_.due_on, "DATE_FORMAT"),
    }
    makers = [_CellMaker(ws, column, locked=False) for column in columns]
    rows = list(rows) or [{}]
    end = FIRST_DATA_ROW + len(rows) + (BLANK_RECORD_ROWS if records else 0)
    _declare_size(ws, len(columns), end - 1)
    _heading_cells(
        ws, cells, round_.template.title, info, len(columns), note=round_.template.instructions
    )
    _header_row(ws, cells, table, widths, comments=True)
    _append_rows(ws, makers, rows, FIRST_DATA_ROW, widths)
    if records:
        for _i in range(BLANK_RECORD_ROWS):
            ws.append([maker.make(None) for maker in makers])
        last_row = HEADER_ROW + max(settings.DISPATCH_MAX_ROWS, end - FIRST_DATA_ROW)
    else:
        last_row = end - 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        rule = _validation(column, list_refs.get(column.key))
        rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.data_validations.append(rule)
    _protect(ws, records=records)


def _declare_size(ws, width: int, height: int) -> None:
    """Write the sheet's size at its top, as Excel does. Without it a reader in
    streaming mode (openpyxl's read-only mode) parses the whole sheet once just to
    find how large it is, then again to read it. Call before the first row."""
    ref = f"A1:{get_column_letter(width)}{height}"
    # openpyxl's sheet writer asks the sheet for it; a write-only sheet cannot tell.
    ws.calculate_dimension = lambda: ref


def _protect(ws, *, records: bool = False) -> None:
    ws.protection.sheet = True
    # Widths and heights may change, and a records table may grow or lose rows.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if records:
        ws.protection.insertRows = False
        ws.protection.deleteRows = False


def _write_lists(ws, columns: list[Column]) -> dict[str, str]:
    """Long choice lists, one column each, for the drop-downs to refer to."""
    ws.sheet_state = "veryHidden"
    longest = max(len(c.choices) for c in columns)
    _declare_size(ws, len(columns), longest)
    for position in range(longest):
        row = []
        for column in columns:
            value = column.choices[position] if position < len(column.choices) else None
            cell = WriteOnlyCell(ws)
            if value:
                cell.value = excel.clean_text(value)
                cell.data_type = "s"
            row.append(cell)
        ws.append(row)
    _protect(ws)
    return {
        column.key: (
            f"{LISTS_SHEET}!${get_column_letter(index)}$1:"
            f"${get_column_letter(index)}${len(column.choices)}"
        )
        for index, column in enumerate(columns, start=1)
    }


def _write_previous(ws, submission: Submission) -> None:
    """What the unit reported for the previous period, to compare with: locked."""
    round_ = submission.round
    period = round_.period.previous()
    previous = previous_submission(submission)
    table = previous.round.template_version.table if previous else round_.template_version.table
    columns = table.columns
    widths = [column_width(c) for c in columns]
    excel.print_setup(
        ws,
        [excel.Column(c.heading, w) for c, w in zip(columns, widths, strict=True)],
        header_rows=(HEADER_ROW, HEADER_ROW),
    )
    cells = excel.CellFactory(ws)
    title = _("%(table)s (previous period, for reference)") % {"table": round_.template.title}
    if previous is None:
        info = _("%(unit)s has not reported this table for %(period)s.")
    else:
        info = _(
            "What %(unit)s reported for %(period)s. For reference only: this sheet is not "
            "read when the file is uploaded."
        )
    info %= {"unit": submission.unit.name, "period": period.label()}
    rows = previous.data if previous is not None else []
    _declare_size(ws, len(columns), HEADER_ROW + len(rows))
    _heading_cells(ws, cells, title, info, len(columns))
    _header_row(ws, cells, table, widths, comments=False)
    makers = [_CellMaker(ws, column, locked=True) for column in columns]
    _append_rows(ws, makers, rows, FIRST_DATA_ROW, widths)
    _protect(ws)


def _write_meta(ws, submission: Submission) -> None:
    ws.sheet_state = "veryHidden"
    values = metadata(submission)
    _declare_size(ws, 2, len(values))
    for key, value in values:
        cells = []
        for text in (key, value):
            cell = WriteOnlyCell(ws)
            cell.value = excel.clean_text(text)
            cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    _protect(ws)
