"""A round's consolidated table (汇总表) as an .xlsx file, laid out as Chinese offices
print one: the round's title, a line with the period, how many units reported and when
the file was made, one header row repeated on every page, then

- a table with one row per unit: a line per unit (未报送 across the line of a unit that
  has not reported), a subtotal per unit group (前山地区 小计), the total (合计), and
  the previous period's and last year's totals with the change;
- a table of records: every reported record under its unit, a subtotal per unit, per
  group and the grand total, then the same comparisons.

Figures are numbers with their column's decimal places as a number format, so that
the office can go on calculating with them; text is text, never a formula. Sums come
from the database (`selectors.consolidate`); records stream from the submissions a
few at a time into openpyxl's write-only mode, so the number of queries and the memory
used stay the same however many units and rows the round has.
"""

import datetime
from collections.abc import Iterator
from copy import copy
from decimal import Decimal
from typing import BinaryIO, Protocol

from django.db.models import Case, IntegerField, When
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zhuanban.core import excel
from zhuanban.dispatch.models import REPORTED_STATES, DispatchRound, RowMode, Submission
from zhuanban.dispatch.periods import Period
from zhuanban.dispatch.schema import Column, ColumnType
from zhuanban.dispatch.selectors import Comparison, Consolidation, comparisons, consolidate

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
FIRST_VALUE_COLUMN = 3  # after 序号 and 单位
# Submissions fetched at a time: one unit's records can run to thousands of rows.
RECORD_CHUNK = 20
ZERO = Decimal(0)


class RowProgress(Protocol):
    """What a background job reports while the table is written (ops.services.Progress)."""

    def start(self, total: int | None = None, stage: str = "") -> None: ...

    def advance(self, count: int = 1) -> None: ...


def column_width(column: Column) -> float:
    """The width a column asks for, or one from its heading: headings wrap, so a long
    one does not widen a column of short figures beyond what the figures need."""
    if column.width:
        return column.width
    heading = excel.text_width(column.heading) + 2
    if column.is_numeric:
        return min(max(heading, 10), 16)
    if column.type in (ColumnType.TEXT, ColumnType.CHOICE):
        return min(max(heading, 14), 30)
    if column.type == ColumnType.DATE:
        return 12
    return min(max(heading, 8), 12)


def number_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals else "0"


class _Looks:
    """Cells in the looks a consolidated table needs: core.excel's text looks plus
    numbers right-aligned with a number format, plain or bold on the group fill."""

    def __init__(self, ws):
        self.ws = ws
        self.text = excel.CellFactory(ws)
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        # Subtotals sit centred beside their label, as core.excel's group look does.
        alignments = {
            emphasis: Alignment(horizontal="right", vertical="center" if emphasis else "top")
            for emphasis in (False, True)
        }
        fonts = {
            bold: Font(name=excel.BODY_FONT, size=11, bold=bold, charset=excel.GB2312_CHARSET)
            for bold in (False, True)
        }
        fill = PatternFill("solid", fgColor=excel.GROUP_FILL)
        self._numbers: dict[tuple[str, bool], object] = {}
        formats = {number_format(places) for places in range(7)} | {"0.0%"}
        for fmt in formats:
            for emphasis in (False, True):
                prototype = WriteOnlyCell(ws)
                prototype.font = fonts[emphasis]
                prototype.border = border
                prototype.alignment = alignments[emphasis]
                prototype.number_format = fmt
                if emphasis:
                    prototype.fill = fill
                self._numbers[(fmt, emphasis)] = prototype._style
        self._empty_group = self.text.make("group")._style

    def number(self, value, fmt: str, emphasis: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(self._numbers[(fmt, emphasis)])
        if value is not None:
            # Known to be a number: openpyxl's guessing of the type would only confirm it.
            cell._value = value
            cell.data_type = "n"
        return cell

    def blank(self, emphasis: bool) -> WriteOnlyCell:
        if emphasis:
            cell = WriteOnlyCell(self.ws)
            cell._style = copy(self._empty_group)
            return cell
        return self.text.make("text")


class _Writer:
    """The sheet being written, a row at a time."""

    def __init__(self, ws, table, unit_width: float, progress: RowProgress | None = None):
        self.ws = ws
        self.progress = progress
        self.columns = list(table.columns)
        self.looks = _Looks(ws)
        self.widths = [6.0, unit_width, *(column_width(c) for c in self.columns)]
        self.row = 0
        self.yes, self.no = _("Yes"), _("No")
        self.not_reported = _("Not reported")
        self.formats = {
            c.key: number_format(c.decimals if c.type == ColumnType.DECIMAL else 0)
            for c in self.columns
        }
        # Per-row work (a cell per column) stays a lookup: the records table can have
        # hundreds of thousands of cells.
        self.kinds = [
            "number" if c.is_numeric else "boolean" if c.type == ColumnType.BOOLEAN else c.type
            for c in self.columns
        ]

    def append(self, cells: list, texts: list[str] | None = None, height: float = 0) -> None:
        self.row += 1
        if texts is not None:
            height = max(height, excel.row_height(texts, self.widths))
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)
        if height:
            del self.ws.row_dimensions[self.row]  # written: keep memory flat

    def merge(self, first: int, last: int) -> None:
        self.ws.merged_cells.add(
            f"{get_column_letter(first)}{self.row + 1}:{get_column_letter(last)}{self.row + 1}"
        )

    # --- rows -----------------------------------------------------------------------

    def header(self) -> None:
        headings = [_("No."), _("Unit"), *(c.heading for c in self.columns)]
        self.append(
            [self.looks.text.make("header", h) for h in headings], texts=headings, height=30
        )

    def values_line(self, number: int, unit_name: str, values: dict) -> None:
        """A unit's line or a record: each column as its type shows it."""
        looks = self.looks
        make = looks.text.make
        cells = [make("center", str(number)), make("text", unit_name)]
        texts = ["", unit_name]
        for column, kind in zip(self.columns, self.kinds, strict=True):
            value = values.get(column.key)
            if kind == "number":
                if isinstance(value, str):  # a decimal in a submission's JSON
                    value = Decimal(value)
                cells.append(looks.number(value, self.formats[column.key]))
                texts.append("")
            elif kind == "boolean":
                text = "" if value is None else self.yes if value else self.no
                cells.append(make("center", text))
                texts.append(text)
            else:
                text = "" if value is None else str(value)
                cells.append(make("center" if kind == ColumnType.DATE else "text", text))
                texts.append(text)
        self.append(cells, texts)
        if self.progress is not None:
            self.progress.advance()

    def not_reported_line(self, number: int | None, unit_name: str) -> None:
        """未报送 across the line; numbered in a table of units, not among records."""
        make = self.looks.text.make
        if len(self.columns) > 1:
            self.merge(FIRST_VALUE_COLUMN, len(self.widths))
        self.append(
            [
                make("center", "" if number is None else str(number)),
                make("text", unit_name),
                make("center", self.not_reported),
                *(make("center") for _column in self.columns[1:]),
            ],
            texts=["", unit_name],
        )
        if self.progress is not None:
            self.progress.advance()

    def sums_line(
        self, label: str, sums: dict, *, emphasis: bool = True, fmt: str | None = None
    ) -> None:
        """A subtotal, total or comparison: a label across 序号 and 单位, then the sum of
        each summed column; `fmt` overrides the columns' number formats (percentages)."""
        looks = self.looks
        self.merge(1, 2)
        cells = [
            looks.text.make("group" if emphasis else "text_bold", label),
            looks.blank(emphasis),
        ]
        for column in self.columns:
            if _summed(column):
                cells.append(
                    looks.number(sums.get(column.key), fmt or self.formats[column.key], emphasis)
                )
            else:
                cells.append(looks.blank(emphasis))
        self.append(cells, height=excel.row_height([label], [self.widths[0] + self.widths[1]]))


def _summed(column: Column) -> bool:
    return column.is_numeric or column.type == ColumnType.BOOLEAN


def _records(result: Consolidation) -> Iterator[tuple[int, list[dict]]]:
    """(submission id, rows as JSON) of the reported units, in the table's order, from
    one query read a few submissions at a time."""
    ids = [line.submission_id for line in result.lines if line.reported]
    if not ids:
        return iter(())
    position = Case(
        *(When(pk=pk, then=index) for index, pk in enumerate(ids)), output_field=IntegerField()
    )
    return (
        Submission.objects.filter(pk__in=ids, status__in=REPORTED_STATES)
        .annotate(position=position)
        .order_by("position")
        .values_list("pk", "data")
        .iterator(chunk_size=RECORD_CHUNK)
    )


def _per_unit(writer: _Writer, result: Consolidation, subtotals: bool) -> None:
    number = 0
    for group in result.groups:
        for line in group.lines:
            number += 1
            if line.reported:
                writer.values_line(number, line.unit.name, line.values)
            else:
                writer.not_reported_line(number, line.unit.name)
        if subtotals:
            writer.sums_line(_("%(name)s subtotal") % {"name": group.name}, group.subtotal)


def _record_lists(writer: _Writer, result: Consolidation, subtotals: bool) -> None:
    records = _records(result)
    pending = next(records, None)
    number = 0
    for group in result.groups:
        for line in group.lines:
            if not line.reported:
                writer.not_reported_line(None, line.unit.name)
                continue
            # A submission returned since the sums were read has no records to list.
            if pending is not None and pending[0] == line.submission_id:
                for row in pending[1]:
                    number += 1
                    writer.values_line(number, line.unit.name, row)
                pending = next(records, None)
            writer.sums_line(
                _("%(name)s subtotal") % {"name": line.unit.name}, line.values, emphasis=False
            )
        if subtotals:
            writer.sums_line(_("%(name)s subtotal") % {"name": group.name}, group.subtotal)


def _comparison_lines(writer: _Writer, result: Consolidation, found: list[Comparison]) -> None:
    """The previous period's total and the change; last year's total and the change in
    percent. Skipped for a period the table was not sent out for."""
    keys = [c.key for c in result.summed_columns]
    current = result.total
    previous, last_year = found
    if previous.round is not None:
        writer.sums_line(previous.label, previous.total, emphasis=False)
        writer.sums_line(
            _("Change from the previous period"),
            {
                k: current.get(k, ZERO) - previous.total.get(k, ZERO)
                for k in keys
                if k in current or k in previous.total
            },
            emphasis=False,
        )
    if last_year.round is not None:
        writer.sums_line(last_year.label, last_year.total, emphasis=False)
        writer.sums_line(
            _("Change on the same period last year (%)"),
            {
                k: (current.get(k, ZERO) - last_year.total[k]) / last_year.total[k]
                for k in keys
                if last_year.total.get(k)
            },
            emphasis=False,
            fmt="0.0%",
        )


def subtitle_text(
    *,
    period: Period,
    reported: int,
    expected: int,
    records: int | None,
    moment: datetime.datetime,
) -> str:
    """The line under the title; `records` for a table of records, None for one of units."""
    values = {
        "period": period.label(),
        "reported": reported,
        "expected": expected,
        "records": records,
        "time": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"),
    }
    if records is not None:
        return (
            _(
                "%(period)s · %(reported)d of %(expected)d units reported, %(records)d records "
                "· exported %(time)s"
            )
            % values
        )
    return _("%(period)s · %(reported)d of %(expected)d units reported · exported %(time)s") % (
        values
    )


def data_lines(result: Consolidation, records: bool) -> int:
    """The sheet's lines of units and records (what `progress` counts): a line per unit,
    or in a table of records each record and a line per unit that has not reported."""
    if records:
        return result.records + result.expected - result.reported
    return result.expected


def write_consolidation_xlsx(
    round_: DispatchRound,
    fileobj: BinaryIO,
    *,
    now: datetime.datetime | None = None,
    progress: RowProgress | None = None,
) -> int:
    """Write the consolidated table of `round_` (a table's round, with its template and
    template version loaded) to `fileobj`; returns the number of rows of the sheet.
    `progress` (a background job's) is started with `data_lines` and advanced per line.

    At most seven queries whatever the size: up to four for the consolidation, up to
    two for the comparisons, one streaming the records of a records table.
    """
    result = consolidate(round_)
    records = round_.template.row_mode == RowMode.RECORDS
    if progress is not None:
        progress.start(data_lines(result, records))
    summed = [c.key for c in result.summed_columns]
    found = comparisons(round_, summed) if summed else []
    names = [line.unit.name for line in result.lines]
    unit_width = min(max([12, *(excel.text_width(name) + 2 for name in names)]), 24)

    wb = Workbook(write_only=True)
    wb.properties.title = round_.title
    wb.properties.creator = "Zhuanban"
    ws = wb.create_sheet(title=excel.sheet_title(_("Consolidated table")))
    writer = _Writer(ws, result.table, unit_width, progress)
    excel.print_setup(
        ws,
        [excel.Column("", width) for width in writer.widths],
        header_rows=(HEADER_ROW, HEADER_ROW),
    )
    # Units stay in view too when a wide table scrolls sideways.
    ws.freeze_panes = f"{get_column_letter(FIRST_VALUE_COLUMN)}{HEADER_ROW + 1}"

    make = writer.looks.text.make
    writer.merge(1, len(writer.widths))
    writer.append([make("title", round_.title)], height=36)
    writer.merge(1, len(writer.widths))
    subtitle = subtitle_text(
        period=round_.period,
        reported=result.reported,
        expected=result.expected,
        records=result.records if records else None,
        moment=now or timezone.now(),
    )
    writer.append([make("subtitle", subtitle)], height=22)
    writer.header()

    # One group's subtotal would only repeat the total.
    subtotals = len(result.groups) > 1
    if records:
        _record_lists(writer, result, subtotals)
    else:
        _per_unit(writer, result, subtotals)
    writer.sums_line(_("Total"), result.total)
    if found:
        _comparison_lines(writer, result, found)
    wb.save(fileobj)
    return writer.row
