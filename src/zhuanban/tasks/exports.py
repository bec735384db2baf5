"""The ledger (台账) as an .xlsx file, laid out to print the way Chinese offices print
ledgers: a title, a line of counts, one header row repeated on every page, the
columns of a 任务分解台账, thin borders, wrapped text, A3 landscape fitted to the
page width, "第 N 页 共 M 页" in the footer.

The workbook is written in openpyxl's write-only mode, so rows stream to disk and
memory stays flat however long the ledger is. The conventions every official
spreadsheet shares (cell looks, formula safety, print setup, row heights) are in
`zhuanban.core.excel`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
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
from openpyxl.utils import get_column_letter

from zhuanban.core import excel
from zhuanban.core.excel import Column
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light, ProgressReport, Task

LIGHT_FILLS = {
    Light.RED: "FFC7CE",
    Light.YELLOW: "FFEB9C",
    Light.GREEN: "C6EFCE",
    Light.GREY: "D9D9D9",
}
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
INDENT = "\u3000\u3000"  # two full-width spaces per level, as paragraphs are indented
REPORT_MAX_CHARS = 500  # the latest progress report, as much of it as a ledger row bears


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


# --- the sheet ---------------------------------------------------------------------


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
    ws = wb.create_sheet(title=excel.sheet_title(_("Ledger")))
    cells = excel.CellFactory(
        ws, fills={f"light_{light}": colour for light, colour in LIGHT_FILLS.items()}
    )
    excel.print_setup(ws, columns, header_rows=(HEADER_ROW, HEADER_ROW))
    ws.row_dimensions[TITLE_ROW].height = 36
    ws.row_dimensions[SUBTITLE_ROW].height = 22

    def append(row: int, values: list[tuple[str, str]], min_height: float = 0) -> None:
        height = excel.row_height([text for _look, text in values], widths)
        ws.row_dimensions[row].height = max(min_height, height)
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
            ws.row_dimensions[row].height = excel.row_height([heading], [sum(widths)])
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
