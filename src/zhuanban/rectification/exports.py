"""The rectification ledger (整改事项台账) as an .xlsx file, laid out to print: a title, a
line saying as of when, how many items and which filters, one header row repeated on
every page, A3 landscape fitted to the page width, warning lights as text on their fill.

The sheet is `zhuanban.core.ledger.LedgerSheet`, which the notice ledger and the visit
counts share.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhuanban.core.excel import Column
from zhuanban.core.ledger import (
    LedgerSheet,
    as_of_text,
    filter_summary,
    new_workbook,
    subtitle_text,
)
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.forms import ItemFilterForm
from zhuanban.rectification.lifecycle import PENDING_STATES, Status
from zhuanban.rectification.models import (
    Rectification,
    RectificationResponse,
    SourceKind,
    Verdict,
)
from zhuanban.rectification.selectors import ItemFilters, attach_days_overdue
from zhuanban.tasks.exports import LIGHT_FILLS
from zhuanban.tasks.models import Light

REPORT_MAX_CHARS = 500  # the latest report, as much of it as a ledger row bears


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


# --- the rectification ledger -----------------------------------------------------------------


def _columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(_label(Rectification, "source_kind"), 16),
        Column(_label(Rectification, "problem"), 34),
        Column(_label(Rectification, "requirement"), 34),
        Column(_label(Rectification, "unit"), 14),
        Column(_label(Rectification, "county"), 10),
        Column(_label(Rectification, "office"), 14),
        Column(_("Raised on"), 12),
        Column(_label(Rectification, "due_date"), 12),
        Column(_label(Rectification, "original_due_date"), 12),
        Column(_label(Rectification, "status"), 12),
        Column(_("Warning light"), 8),
        Column(_("Days overdue"), 8),
        Column(_("Latest rectification report"), 30),
        Column(_("Verdict and comment"), 22),
        Column(_("Closed on"), 12),
    ]


EXPORT_FIELDS = (
    "source_kind",
    "source_label",
    "office_id",
    "unit_id",
    "county_id",
    "problem",
    "requirement",
    "due_date",
    "original_due_date",
    "status",
    "raised_at",
    "closed_at",
    "office__name",
    "unit__name",
    "county__name",
)


def export_queryset(qs: QuerySet[Rectification]) -> QuerySet[Rectification]:
    """The list's queryset (selectors.items: filtered, scoped, in the list's order, with
    lights) with the latest report and the latest verdict, in the same query."""
    responses = RectificationResponse.objects.filter(item=OuterRef("pk")).order_by("-at", "-pk")
    verified = responses.exclude(verdict=Verdict.PENDING)
    return qs.annotate(
        last_report=Subquery(responses.values("text")[:1]),
        last_verdict=Subquery(verified.values("verdict")[:1]),
        last_comment=Subquery(verified.values("verdict_comment")[:1]),
    ).only(*EXPORT_FIELDS)


def export_rows(
    qs: QuerySet[Rectification], today: datetime.date, chunk_size: int = 2000
) -> Iterator[Rectification]:
    """The ledger's items streamed from the database, each with `days_overdue`."""
    rows = export_queryset(qs).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        attach_days_overdue(chunk, today)
        yield from chunk


def filter_pairs(filters: ItemFilters) -> list[tuple[str, str]]:
    """The filters in force as (label, value), labelled as the list's filter form labels
    them (one query for the names of the units they point at, when they point at any)."""
    fields = ItemFilterForm.base_fields
    ids = {pk for pk in (filters.county, filters.unit, filters.office) if pk}
    names = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    pairs: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        pairs.append((str(fields[name].label), value))

    if filters.text:
        add("text", filters.text)
    if filters.status:
        add("status", str(Status(filters.status).label))
    if filters.light:
        add("light", str(Light(filters.light).label))
    for name in ("county", "unit"):
        if getattr(filters, name):
            add(name, names.get(getattr(filters, name), "—"))
    if filters.source_kind:
        add("source_kind", str(SourceKind(filters.source_kind).label))
    if filters.office:
        add("office", names.get(filters.office, "—"))
    if filters.overdue:
        add("overdue", "")
    return pairs


class _Labels:
    """Labels looked up once per export rather than once per row."""

    def __init__(self):
        self.source = {value: str(label) for value, label in SourceKind.choices}
        self.status = {value: str(label) for value, label in Status.choices}
        self.verdict = {value: str(label) for value, label in Verdict.choices}
        self.light = {
            Light.RED: str(Light.RED.label),
            Light.YELLOW: str(Light.YELLOW.label),
            Light.GREEN: str(Light.GREEN.label),
            Light.GREY: pgettext("warning light", "Grey"),
        }


def ledger_counts(qs: QuerySet[Rectification], today: datetime.date) -> dict:
    """The whole ledger's items and overdue items, in one aggregate query."""
    return qs.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=PENDING_STATES, due_date__lt=today)),
    )


def counts_text(total: int, overdue: int) -> str:
    return ngettext(
        "%(total)d item, %(overdue)d overdue", "%(total)d items, %(overdue)d overdue", total
    ) % {"total": total, "overdue": overdue}


def write_ledger_xlsx(
    items: Iterable[Rectification],
    out: BinaryIO,
    *,
    counts: dict,
    filters: list[tuple[str, str]],
    today: datetime.date,
) -> None:
    """Write the ledger of `items` (from `export_rows`, in the list's order) to `out`.
    `counts` holds the total and overdue items of the whole ledger; `filters` the
    filters in force as (label, value)."""
    title = _("Rectification ledger")
    wb = new_workbook(title)
    sheet = LedgerSheet(
        wb,
        name=title,
        columns=_columns(),
        fills={f"light_{light}": colour for light, colour in LIGHT_FILLS.items()},
    )
    sheet.head(
        title,
        subtitle_text(
            as_of_text(today),
            counts_text(counts["total"], counts["overdue"]),
            filter_summary(filters),
        ),
    )
    labels = _Labels()
    for number, item in enumerate(items, start=1):
        sheet.append(_item_values(number, item, labels))
    sheet.finish()
    wb.save(out)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item_values(number: int, item: Rectification, labels: _Labels) -> list[tuple[str, object]]:
    moved = item.original_due_date != item.due_date
    verdict = ""
    if item.last_verdict:
        verdict = "\n".join(
            part
            for part in (labels.verdict.get(item.last_verdict, ""), item.last_comment or "")
            if part
        )
    closed = item.status == Status.CLOSED and item.closed_at is not None
    light = item.light
    return [
        ("number", number),
        ("text", f"{labels.source.get(item.source_kind, item.source_kind)}\n{item.source_label}"),
        ("text", item.problem),
        ("text", item.requirement),
        ("center", item.unit.name),
        ("center", item.county.name if item.county_id else ""),
        ("center", item.office.name),
        ("date", timezone.localdate(item.raised_at)),
        ("date", item.due_date),
        ("date", item.original_due_date if moved else None),
        ("center", labels.status.get(item.status, item.status)),
        (f"light_{light}" if light in LIGHT_FILLS else "center", labels.light.get(light, "")),
        ("number", item.days_overdue or None),
        ("text", _truncate((item.last_report or "").strip(), REPORT_MAX_CHARS)),
        ("text", verdict),
        ("date", timezone.localdate(item.closed_at) if closed else None),
    ]
