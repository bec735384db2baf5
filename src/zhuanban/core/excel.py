"""Official spreadsheets as Chinese offices print them: shared by every export.

- cells in a few looks (title, subtitle, header, group, text, centred, coloured fills),
  each cloned from a styled prototype: styling attribute by attribute costs several
  times more on a sheet of 20,000 rows;
- every text cell is a string, never a formula, whatever it starts with ("=1+1" stays
  the text "=1+1"); text that a spreadsheet would read as a formula when someone edits
  the cell (= + - @, tab, CR) is also marked quote-prefixed;
- print setup: column widths, frozen header, header rows repeated on every page, A3
  landscape fitted to the page width, "第 &P 页 共 &N 页" in the footer;
- row heights estimated from the wrapped text, since LibreOffice keeps the default
  height when it opens an .xlsx (text would print on top of text).

Meant for openpyxl's write-only mode (rows stream, memory stays flat). For reading,
`is_formula()` and `formula_refused()`: imports load workbooks with data_only=False and
refuse formula cells instead of trusting the value a spreadsheet cached with them.
"""

import math
import re
import tempfile
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from typing import BinaryIO

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Fonts as a Chinese office sets them; a machine without them substitutes its own CJK font.
TITLE_FONT = "方正小标宋简体"
HEADER_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
GB2312_CHARSET = 134

HEADER_FILL = "F2F2F2"
GROUP_FILL = "E7E6E6"
CELL_MAX_CHARS = 32_767  # Excel's limit for one cell
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAPER_A3 = 8


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # in characters of the default font; a Chinese character counts two


def clean_text(value: str) -> str:
    """Text a cell can hold: no XML-illegal control characters, within Excel's limit."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > CELL_MAX_CHARS:
        value = value[: CELL_MAX_CHARS - 1] + "…"
    return value


def is_formula(cell) -> bool:
    """Whether a cell read with data_only=False holds a formula (its value is then the
    formula's text, or an array/data-table formula object), never its cached result."""
    return cell.data_type == "f"


def formula_refused() -> str:
    """What an import says at a cell holding a formula: formulas are never read as data."""
    return _(
        "This cell holds a formula, and formulas are not read. Copy the cells and paste "
        "them as values (Paste Special, Values), then upload the file again."
    )


def sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet1"


class CellFactory:
    """Makes write-only cells in named looks; `fills` adds centred looks on a colour
    (e.g. {"light_red": "FFC7CE"})."""

    def __init__(self, ws, fills: dict[str, str] | None = None):
        self.ws = ws
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body = Font(name=BODY_FONT, size=11, charset=GB2312_CHARSET)
        bold = Font(name=BODY_FONT, size=11, bold=True, charset=GB2312_CHARSET)
        top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
        top_center = Alignment(horizontal="center", vertical="top", wrap_text=True)
        looks = {
            "title": {
                "font": Font(name=TITLE_FONT, size=16, bold=True, charset=GB2312_CHARSET),
                "alignment": Alignment(horizontal="center", vertical="center"),
            },
            "subtitle": {
                "font": body,
                "alignment": Alignment(horizontal="center", vertical="center"),
            },
            "header": {
                "font": Font(name=HEADER_FONT, size=11, bold=True, charset=GB2312_CHARSET),
                "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
                "border": border,
                "fill": PatternFill("solid", fgColor=HEADER_FILL),
            },
            "group": {
                "font": bold,
                "alignment": Alignment(horizontal="left", vertical="center", wrap_text=True),
                "border": border,
                "fill": PatternFill("solid", fgColor=GROUP_FILL),
            },
            "text": {"font": body, "alignment": top_left, "border": border},
            "text_bold": {"font": bold, "alignment": top_left, "border": border},
            "center": {"font": body, "alignment": top_center, "border": border},
        }
        for name, colour in (fills or {}).items():
            looks[name] = {
                "font": body,
                "alignment": top_center,
                "border": border,
                "fill": PatternFill("solid", fgColor=colour),
            }
        self._prototypes = {}
        for name, attributes in looks.items():
            prototype = WriteOnlyCell(ws)
            for attribute, value in attributes.items():
                setattr(prototype, attribute, value)
            self._prototypes[name] = prototype

    def make(self, look: str, value: str = "") -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        # openpyxl's own worksheet copy clones styles the same way.
        cell._style = copy(self._prototypes[look]._style)
        if value:
            value = clean_text(value)
            cell.value = value
            cell.data_type = "s"  # a string, never a formula
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
        return cell


def print_setup(ws, columns: list[Column], *, header_rows: tuple[int, int]) -> None:
    """Widths, frozen header, header repeated on every page, A3 landscape, page footer."""
    first, last = header_rows
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{last + 1}"
    ws.print_title_rows = f"{first}:{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    ws.oddFooter.center.text = _("Page &P of &N")
    ws.oddFooter.center.font = BODY_FONT
    ws.oddFooter.center.size = 10


# --- row heights -------------------------------------------------------------------

# Characters a CJK font draws twice as wide as a digit (East Asian Wide and Fullwidth).
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6\U00020000-\U0003fffd]"
)
LINE_HEIGHT = 14.5  # points, for an 11-point CJK font
ROW_PADDING = 4.0
MIN_ROW_HEIGHT = 20.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def text_width(text: str) -> int:
    """Width in column-width units (the width of a digit): CJK characters count two."""
    return len(text) + len(_WIDE.findall(text))


def row_height(texts: list[str], widths: list[float]) -> float:
    """A row height that shows all wrapped lines of the tallest cell.

    A generous estimate only adds white space; a short one would hide text in print.
    """
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        if not text:
            continue
        per_line = max(width - 1.5, 1.0)
        lines = max(
            lines,
            sum(max(1, math.ceil(text_width(part) / per_line)) for part in text.split("\n")),
        )
    return min(MAX_ROW_HEIGHT, max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING))


SPOOL_BYTES = 4 * 1_048_576  # larger files go to disk while they are being sent


def xlsx_attachment(write: Callable[[BinaryIO], None], filename: str) -> FileResponse:
    """The workbook `write` produces, as a download; the temporary file is closed with
    the response, or at once if writing fails."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
