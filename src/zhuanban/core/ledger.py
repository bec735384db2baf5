"""A printable ledger sheet (台账): a title, a line saying as of when and which filters, one
header row repeated on every page, then rows in `zhuanban.core.excel`'s looks or typed —
real numbers and real dates, so that a spreadsheet sorts, filters and sums them. Written
in openpyxl's write-only mode: rows stream, memory stays flat.

The supervision ledgers (rectification items, notices, visit counts) are written with it.
"""

import datetime
from collections.abc import Iterable
from copy import copy

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhuanban.core import excel
from zhuanban.core.excel import Column

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
PAPER_A4 = 9
DATE_FORMAT = "yyyy-mm-dd"


class LedgerSheet:
    """A write-only sheet: title, subtitle, one header row, then rows of cells in
    core.excel's looks or typed: `number`, `date`, and `total` / `total_label` for a line
    of totals (a number, a label) in bold on the group fill, and the caller's own
    `number_formats` with their totals."""

    def __init__(
        self,
        wb: Workbook,
        *,
        name: str,
        columns: list[Column],
        fills: dict[str, str] | None = None,
        paper: int = excel.PAPER_A3,
        number_formats: dict[str, str] | None = None,
    ):
        self.ws = wb.create_sheet(title=excel.sheet_title(name))
        self.cells = excel.CellFactory(self.ws, fills=fills)
        self.widths = [column.width for column in columns]
        self.labels = [column.label for column in columns]
        self.row = 0
        excel.print_setup(self.ws, columns, header_rows=(HEADER_ROW, HEADER_ROW))
        self.ws.page_setup.paperSize = paper
        # Typed looks cloned from core.excel's, with a number format (and, for totals, in
        # bold on the group fill but aligned as the rows above): styling cell by cell costs
        # several times more on a long sheet.
        # `number_formats` adds looks of the caller's (an amount's "#,##0.00", say), each
        # with its `<look>_total`.
        self._typed = {
            "number": self._look("center", "0"),
            "date": self._look("center", DATE_FORMAT),
            "total": self._look("center", "0", total=True),
            "total_label": self._look("text_bold", "General", total=True),
        }
        for look, number_format in (number_formats or {}).items():
            self._typed[look] = self._look("center", number_format)
            self._typed[f"{look}_total"] = self._look("center", number_format, total=True)

    def _look(self, source: str, number_format: str, *, total: bool = False):
        prototype = self.cells.make(source)
        prototype.number_format = number_format
        if total:
            prototype.font = Font(
                name=excel.BODY_FONT, size=11, bold=True, charset=excel.GB2312_CHARSET
            )
            prototype.fill = PatternFill("solid", fgColor=excel.GROUP_FILL)
        return prototype._style

    def cell(self, look: str, value=None) -> WriteOnlyCell:
        if look not in self._typed:
            return self.cells.make(look, value or "")
        if look == "total_label":
            # core.excel's text cell (never a formula), restyled as a total.
            cell = self.cells.make("text", value or "")
            quote_prefix = cell.quotePrefix
            cell._style = copy(self._typed[look])
            cell.quotePrefix = quote_prefix
            return cell
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(self._typed[look])
        if value is not None:
            cell.value = value  # int → a number, date → a date (serial with the format)
        return cell

    def head(self, title: str, subtitle: str) -> None:
        """Title and subtitle across the sheet, then the header row."""
        last = get_column_letter(len(self.widths))
        self.ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        self.ws.merged_cells.add(f"A{SUBTITLE_ROW}:{last}{SUBTITLE_ROW}")
        self._append([self.cell("title", title)], 36)
        subtitle_cell = self.cell("subtitle", subtitle)
        # A long list of filters wraps inside the merged row rather than being cut off.
        subtitle_cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self._append([subtitle_cell], max(22, excel.row_height([subtitle], [sum(self.widths)])))
        self.append([("header", label) for label in self.labels], min_height=30)

    def append(self, values: list[tuple[str, object]], min_height: float = 0) -> None:
        """One row: (look, value) per column; the height fits the tallest wrapped text."""
        texts = [value if isinstance(value, str) else "" for _look, value in values]
        height = max(min_height, excel.row_height(texts, self.widths))
        self._append([self.cell(look, value) for look, value in values], height)

    def _append(self, cells: list, height: float) -> None:
        self.row += 1
        self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)
        del self.ws.row_dimensions[self.row]  # written: keep memory flat

    def finish(self, *, autofilter: bool = True) -> None:
        if autofilter:
            last = get_column_letter(len(self.widths))
            self.ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(self.row, HEADER_ROW)}"


def new_workbook(title: str) -> Workbook:
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "Zhuanban"
    return wb


def as_of_text(day: datetime.date) -> str:
    """截至2023年6月30日 (the date as the active language writes it)."""
    return _("As of %(date)s") % {"date": date_format(day, "DATE_FORMAT")}


def filter_summary(pairs: Iterable[tuple[str, str]]) -> str:
    """筛选条件：状态：待整改；旗县市区：卓资县 — "" when no filter is in force. A pair
    with no value is a switch shown by its label alone (仅看逾期)."""
    parts = [
        _("%(label)s: %(value)s") % {"label": label, "value": value} if value else label
        for label, value in pairs
    ]
    if not parts:
        return ""
    return _("Filters: %(filters)s") % {"filters": pgettext("list separator", "; ").join(parts)}


def subtitle_text(*parts: str) -> str:
    return " · ".join(part for part in parts if part)
