"""The ledger (台账) as an .xlsx file, laid out to print the way Chinese offices print
ledgers: a title, a line of counts, one header row repeated on every page, the
columns of a 任务分解台账, thin borders, wrapped text, A3 landscape fitted to the
page width, "第 N 页 共 M 页" in the footer.

The workbook is written in openpyxl's write-only mode, so rows stream to disk and
memory stays flat however long the ledger is. Styled cells are cloned from a few
prototypes (one per look) instead of being styled one attribute at a time, which
costs several times more on a 20,000-row ledger.

Every text cell is written as a string, never as a formula, whatever it starts with
("=1+1" stays the text "=1+1"), and text that a spreadsheet would read as a formula
when someone edits the cell (= + - @, tab, CR) is also marked quote-prefixed.
"""

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import BinaryIO

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light, ProgressReport, Task

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Fonts as a Chinese office sets them; a machine without them substitutes its own CJK font.
TITLE_FONT = "方正小标宋简体"
HEADER_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
GB2312_CHARSET = 134

LIGHT_FILLS = {
    Light.RED: "FFC7CE",
    Light.YELLOW: "FFEB9C",
    Light.GREEN: "C6EFCE",
    Light.GREY: "D9D9D9",
}
HEADER_FILL = "F2F2F2"
GROUP_FILL = "E7E6E6"

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
INDENT = "\u3000\u3000"  # two full-width spaces per level, as paragraphs are indented
CELL_MAX_CHARS = 32_767  # Excel's limit for one cell
REPORT_MAX_CHARS = 500  # the latest progress report, as much of it as a ledger row bears
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAPER_A3 = 8


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # in characters of the default font; a Chinese character counts two


def _columns() -> list[Column]:
    """The ledger's columns, labelled in the active language."""

    def field_label(name: str) -> str:
        return capfirst(str(Task._meta.get_field(name).verbose_name))

    return [
        Column(_("No."), 9),
        Column(_("Key task / measure"), 56),
        Column(field_label("lead_unit"), 16),
        Column(field_label("cooperating_units"), 22),
        Column(field_label("responsible_leader"), 10),
        Column(_("Deadline"), 17),
        Column(_("Progress"), 32),
        Column(_("Warning light"), 9),
        Column(field_label("remarks"), 16),
    ]


# The fields the ledger shows; the rest of each row (and of its joined units) stays unread.
EXPORT_FIELDS = (
    "task_list_id",
    "sort_path",
    "depth",
    "content",
    "lead_unit_id",
    "county_id",
    "responsible_leader",
    "due_date",
    "original_due_date",
    "due_text",
    "is_ongoing",
    "status",
    "progress",
    "remarks",
    "task_list__title",
    "task_list__year",
    "task_list__numbering",
    "task_list__office__name",
    "lead_unit__name",
    "county__name",
)


def export_queryset(qs: QuerySet[Task]) -> QuerySet[Task]:
    """The ledger's queryset with what the export reads besides: the latest progress
    report's text, and only the fields the sheet shows."""
    latest_report = (
        ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-pk")
    ).values("text")[:1]
    return (
        qs.select_related("task_list", "task_list__office", "lead_unit", "county")
        .annotate(last_report=Subquery(latest_report))
        .only(*EXPORT_FIELDS)
    )


def export_rows(qs: QuerySet[Task], chunk_size: int = 2000) -> Iterator[Task]:
    """The ledger's tasks for `write_ledger_xlsx`, streamed from the database in chunks,
    each chunk with its cooperating units in one more query (`cooperating_names`).

    The same number of queries as `prefetch_related` with `iterator(chunk_size=...)`,
    at a fraction of the cost: a list of names per task instead of model instances and
    a related manager each.
    """
    rows = export_queryset(qs).iterator(chunk_size=chunk_size)
    through = Task.cooperating_units.through
    while chunk := list(islice(rows, chunk_size)):
        names: dict[int, list[str]] = defaultdict(list)
        pairs = (
            through.objects.filter(task_id__in=[task.pk for task in chunk])
            .order_by("orgunit__depth", "orgunit__sort_order", "orgunit__code")
            .values_list("task_id", "orgunit__name")
        )
        for task_id, name in pairs:
            names[task_id].append(name)
        for task in chunk:
            task.cooperating_names = names.get(task.pk, [])
        yield from chunk


# --- cell text ---------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Text a cell can hold: no XML-illegal control characters, within Excel's limit."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > CELL_MAX_CHARS:
        value = value[: CELL_MAX_CHARS - 1] + "…"
    return value


def _long_date(day: datetime.date) -> str:
    return _formatted(day, "DATE_FORMAT", get_language())  # 2023年9月30日 in Chinese


def _month_day(day: datetime.date) -> str:
    # Django's Chinese MONTH_DAY_FORMAT pads the month ("06月30日"); documents write 6月30日.
    language = get_language()
    if (language or "").startswith("zh"):
        return _formatted(day, "n月j日", language)
    return _formatted(day, "MONTH_DAY_FORMAT", language)


@lru_cache(maxsize=4096)
def _formatted(day: datetime.date, format_name: str, language: str | None) -> str:
    """Deadlines repeat across a ledger: each date is formatted once per language."""
    return date_format(day, format_name)


def deadline_text(task: Task) -> str:
    """2023年9月30日, 2023年9月30日（原定6月30日） after an extension, the deadline as the
    source document words it, or 长期坚持 for ongoing work."""
    if task.due_date:
        original = task.original_due_date
        if original is None or original == task.due_date:
            return _long_date(task.due_date)
        earlier = (
            _month_day(original) if original.year == task.due_date.year else _long_date(original)
        )
        return _("%(date)s (originally %(original)s)") % {
            "date": _long_date(task.due_date),
            "original": earlier,
        }
    if task.due_text:
        return task.due_text
    if task.is_ongoing:
        return _("Ongoing")
    return ""


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Labels:
    """Labels looked up once per export rather than once per row."""

    def __init__(self):
        self.status = {value: str(label) for value, label in Status.choices}
        self.light = {
            Light.RED: _("Red light"),
            Light.YELLOW: _("Yellow light"),
            Light.GREEN: _("Green light"),
            Light.GREY: _("Closed"),
            Light.NONE: str(Light.NONE.label),
        }
        self.progress = _("%(status)s (%(progress)d%%)")

    def progress_text(self, task: Task) -> str:
        text = self.progress % {
            "status": self.status.get(task.status, task.status),
            "progress": task.progress,
        }
        report = (getattr(task, "last_report", None) or "").strip()
        return f"{text}\n{_truncate(report, REPORT_MAX_CHARS)}" if report else text


# --- styles ------------------------------------------------------------------------


class _Cells:
    """Makes write-only cells in a few looks, each cloned from a styled prototype."""

    def __init__(self, ws):
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
        for light, colour in LIGHT_FILLS.items():
            looks[f"light_{light.value}"] = {
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


# --- the sheet ---------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet1"


def _page_setup(ws, columns: list[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[TITLE_ROW].height = 36
    ws.row_dimensions[SUBTITLE_ROW].height = 22
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
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


def subtitle_text(counts: dict, day: datetime.date) -> str:
    return _("%(total)d measures, %(closed)d completed, %(red)d overdue · exported on %(date)s") % {
        "total": counts.get("total") or 0,
        "closed": counts.get("closed") or 0,
        "red": counts.get("red") or 0,
        "date": day.isoformat(),
    }


def write_ledger_xlsx(
    tasks: Iterable[Task],
    out: BinaryIO,
    *,
    title: str,
    counts: dict,
    numbering: str,
    group_by_list: bool = False,
    today: datetime.date | None = None,
) -> None:
    """Write the ledger of `tasks` (annotated with `light`, in ledger order; see
    `export_queryset` for what else it reads) as an .xlsx file to `out`.

    `numbering` is "chinese" (一、(一) 1. (1)) or "decimal" (1.2.3). With
    `group_by_list`, each task list starts with a row carrying its title, so that
    numbers that restart with every list stay unambiguous.
    """
    columns = _columns()
    widths = [column.width for column in columns]
    last_column = get_column_letter(len(columns))
    labels = _Labels()
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "Zhuanban"
    ws = wb.create_sheet(title=_sheet_title(_("Ledger")))
    cells = _Cells(ws)
    _page_setup(ws, columns)

    def append(row: int, values: list[tuple[str, str]], min_height: float = 0) -> None:
        ws.row_dimensions[row].height = max(min_height, row_height(values, widths))
        ws.append([cells.make(look, text) for look, text in values])
        del ws.row_dimensions[row]  # written: keep memory flat

    ws.merged_cells.add(f"A{TITLE_ROW}:{last_column}{TITLE_ROW}")
    ws.merged_cells.add(f"A{SUBTITLE_ROW}:{last_column}{SUBTITLE_ROW}")
    ws.append([cells.make("title", title)])
    ws.append([cells.make("subtitle", subtitle_text(counts, today or timezone.localdate()))])
    append(HEADER_ROW, [("header", column.label) for column in columns], min_height=30)

    row = HEADER_ROW
    current_list = None
    for task in tasks:
        if group_by_list and task.task_list_id != current_list:
            current_list = task.task_list_id
            row += 1
            ws.merged_cells.add(f"A{row}:{last_column}{row}")
            heading = f"{task.task_list.title}（{task.task_list.year}）"
            ws.row_dimensions[row].height = row_height([("group", heading)], [sum(widths)])
            ws.append([cells.make("group", heading), *(cells.make("group") for _c in columns[1:])])
            del ws.row_dimensions[row]
        row += 1
        append(row, _task_values(task, labels, numbering))

    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{row}"
    wb.save(out)


def _task_values(task: Task, labels: _Labels, numbering: str) -> list[tuple[str, str]]:
    """One ledger row: (look, text) per column."""
    light = task.light
    return [
        ("center", task.number(numbering)),
        ("text_bold" if task.depth == 0 else "text", INDENT * task.depth + task.content),
        ("center", task.lead_unit.name if task.lead_unit_id else ""),
        ("text", "、".join(_cooperating_names(task))),
        ("center", task.responsible_leader),
        ("center", deadline_text(task)),
        ("text", labels.progress_text(task)),
        (f"light_{light}" if light in LIGHT_FILLS else "center", labels.light[light]),
        ("text", task.remarks),
    ]


def _cooperating_names(task: Task) -> list[str]:
    names = getattr(task, "cooperating_names", None)  # set by export_rows
    if names is None:
        names = [unit.name for unit in task.cooperating_units.all()]
    return names


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


def row_height(values: list[tuple[str, str]], widths: list[float]) -> float:
    """A row height that shows all wrapped lines of the tallest cell.

    Spreadsheets do not agree on fitting rows to wrapped text when a file opens
    (LibreOffice keeps the default height), so the height is estimated and stored;
    a generous estimate only adds white space, a short one would hide text in print.
    """
    lines = 1
    for (_look, text), width in zip(values, widths, strict=False):
        if not text:
            continue
        per_line = max(width - 1.5, 1.0)
        lines = max(
            lines,
            sum(max(1, math.ceil(text_width(part) / per_line)) for part in text.split("\n")),
        )
    return min(MAX_ROW_HEIGHT, max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING))
