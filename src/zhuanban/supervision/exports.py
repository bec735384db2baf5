"""Supervision ledgers as .xlsx files, laid out to print:

- the notice ledger (督办通报台账): the notices of the list page with its filters, one row
  each, with the replies received and the rectification items opened, A3 landscape;
- the visits per county and month (督导调研次数统计): the grid of the counts page, numbers
  as numbers and the totals as values (no formulas), A4 landscape.

Both are written with the rectification ledger's `LedgerSheet` (core.excel's looks and
print setup, plus typed cells), in write-only mode.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from django import forms
from django.db.models import OuterRef, Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhuanban.core.excel import Column
from zhuanban.core.ledger import (
    PAPER_A4,
    LedgerSheet,
    as_of_text,
    filter_summary,
    new_workbook,
    subtitle_text,
)
from zhuanban.rectification.models import Rectification
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import Notice, NoticeKind, NoticeRecipient
from zhuanban.supervision.notice_selectors import _count, _label
from zhuanban.supervision.selectors import CountsGrid

NONE = "—"


# --- the notice ledger ------------------------------------------------------------------------


def _notice_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(_("Document number"), 18),
        Column(str(_label(Notice, "title")), 36),
        Column(str(_label(Notice, "kind")), 10),
        Column(str(_label(Notice, "authority")), 14),
        Column(str(_label(Notice, "office")), 14),
        Column(str(_label(Notice, "issue_date")), 12),
        Column(str(_label(Notice, "units")), 22),
        Column(str(_label(Notice, "reply_deadline")), 12),
        Column(_("Replied / expected"), 10),
        Column(_("Units that have not replied"), 22),
        Column(_("Rectification items (open / total)"), 12),
        Column(str(_label(Notice, "status")), 10),
    ]


def notice_export_queryset(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """The list's queryset (notice_selectors.notice_list: scoped, filtered, counted, in
    the list's order) with every rectification item counted as well, and the units
    concerned with their replies instead of the units alone."""
    items = Rectification.objects.filter(
        source_type__app_label=Notice._meta.app_label,
        source_type__model=Notice._meta.model_name,
        source_id=OuterRef("pk"),
    )
    recipients = (
        NoticeRecipient.objects.select_related("unit")
        .only("notice", "unit", "replied_at", "unit__name", "unit__code")
        .order_by("unit__code", "pk")
    )
    return (
        notices.prefetch_related(None)
        .prefetch_related(Prefetch("recipients", queryset=recipients, to_attr="ledger_recipients"))
        .annotate(rectifications_total=_count(items, "source_id"))
    )


def notice_rows(notices: QuerySet[Notice], chunk_size: int = 500) -> Iterator[Notice]:
    """The ledger's notices streamed in chunks, each chunk's units in one more query."""
    rows = notice_export_queryset(notices).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield from chunk


def notice_filter_pairs(form: forms.Form) -> list[tuple[str, str]]:
    """The filters of the list's form that validated, as (label, value): what the
    ledger was filtered by (a value that did not validate was not applied either)."""
    pairs = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            text = getattr(value, "name", None) or str(value)
        elif isinstance(field, forms.ChoiceField):
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        pairs.append((str(field.label), text))
    return pairs


def notices_text(count: int) -> str:
    return ngettext("%(count)d notice", "%(count)d notices", count) % {"count": count}


def write_notice_ledger_xlsx(
    notices: Iterable[Notice],
    out: BinaryIO,
    *,
    count: int,
    filters: list[tuple[str, str]],
    today: datetime.date,
) -> None:
    """Write the notice ledger of `notices` (from `notice_rows`) to `out`."""
    title = _("Supervision notice ledger")
    wb = new_workbook(title)
    sheet = LedgerSheet(wb, name=title, columns=_notice_columns())
    sheet.head(
        title, subtitle_text(as_of_text(today), notices_text(count), filter_summary(filters))
    )
    kinds = {value: str(label) for value, label in NoticeKind.choices}
    statuses = {value: str(label) for value, label in NoticeStatus.choices}
    for number, notice in enumerate(notices, start=1):
        recipients = notice.ledger_recipients
        # Only an issued supervision notice waits for replies; a commendation needs none.
        awaits_replies = notice.kind == NoticeKind.SUPERVISION and notice.is_issued
        total = notice.rectifications_total
        sheet.append(
            [
                ("number", number),
                ("center", notice.number),
                ("text", notice.title),
                ("center", kinds.get(notice.kind, notice.kind)),
                ("center", notice.authority.name),
                ("center", notice.office.name),
                ("date", notice.issue_date),
                ("text", "、".join(r.unit.name for r in recipients)),
                ("date", notice.reply_deadline),
                (
                    "center",
                    f"{notice.recipients_replied}/{notice.recipients_total}"
                    if awaits_replies
                    else NONE,
                ),
                (
                    "text",
                    "、".join(r.unit.name for r in recipients if r.replied_at is None)
                    if awaits_replies
                    else "",
                ),
                ("center", f"{notice.rectifications_open}/{total}" if total else NONE),
                ("center", statuses.get(notice.status, notice.status)),
            ]
        )
    sheet.finish()
    wb.save(out)


# --- visits per county and month --------------------------------------------------------------


def write_visit_counts_xlsx(grid: CountsGrid, out: BinaryIO, *, today: datetime.date) -> None:
    """Write the county × month grid of `grid` to `out`: the counts and their totals as
    numbers, as the database counted them."""
    title = _("Visits carried out in %(year)s, by county and month") % {"year": grid.year}
    months = [date_format(datetime.date(grid.year, month, 1), "M") for month in grid.months]
    columns = [
        Column(_("County"), 18),
        *(Column(label, 7) for label in months),
        Column(_("Total"), 8),
    ]
    wb = new_workbook(title)
    sheet = LedgerSheet(wb, name=str(grid.year), columns=columns, paper=PAPER_A4)
    in_all = ngettext("%(n)s visit in all", "%(n)s visits in all", grid.total) % {"n": grid.total}
    sheet.head(title, subtitle_text(as_of_text(today), in_all))
    for row in grid.rows:
        name = row.county.name if row.county else _("No county (city level)")
        sheet.append([("text", name), *(("number", n) for n in row.cells), ("total", row.total)])
    sheet.append(
        [
            ("total_label", _("Total")),
            *(("total", n) for n in grid.month_totals),
            ("total", grid.total),
        ]
    )
    sheet.finish(autofilter=False)
    wb.save(out)
