"""Supervision ledgers as .xlsx files, laid out to print:

- the notice ledger (督办通报台账): the notices of the list page with its filters, one row
  each, with the replies received and the rectification items opened, A3 landscape;
- the visits per county and month (督导调研次数统计): the grid of the counts page, numbers
  as numbers and the totals as values (no formulas), A4 landscape;
- the plan of visits of an inspection group (督导检查工作安排表): the visits of the group
  page, one row each, with problems found and rectification items, A4 landscape.

All are written with the rectification ledger's `LedgerSheet` (core.excel's looks and
print setup, plus typed cells), in write-only mode.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhuanban.core.excel import Column
from zhuanban.core.ledger import (
    PAPER_A4,
    LedgerSheet,
    as_of_text,
    filter_summary,
    new_workbook,
    subtitle_text,
)
from zhuanban.rectification.lifecycle import LIVE_STATES
from zhuanban.rectification.models import Rectification
from zhuanban.rectification.scoping import visible_items
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import (
    Finding,
    FindingKind,
    InspectionGroup,
    Notice,
    NoticeKind,
    NoticeRecipient,
    Visit,
)
from zhuanban.supervision.notice_selectors import _count, _label
from zhuanban.supervision.scoping import visible_visits
from zhuanban.supervision.selectors import CountsGrid

NONE = "—"
User = get_user_model()


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


# --- the plan of visits of an inspection group ------------------------------------------------


def group_plan_visits(user, group: InspectionGroup) -> QuerySet[Visit]:
    """The group's visits `user` may see (a county sees only those carried out in it), by
    date, each with its problems found and its rectification items (open, total) counted
    within what the user may see, and its participants: two queries, whatever the number."""
    problems = Finding.objects.filter(visit_id=OuterRef("pk"), kind=FindingKind.PROBLEM)
    items = visible_items(user).filter(finding__visit_id=OuterRef("pk"))
    people = User.objects.only("username", "first_name", "last_name").order_by(
        "first_name", "username"
    )
    return (
        visible_visits(user)
        .filter(group=group)
        .select_related("county")
        .prefetch_related(Prefetch("participants", queryset=people))
        .annotate(
            problem_count=_count(problems, "visit_id"),
            items_open=_count(items.filter(status__in=LIVE_STATES), "finding__visit_id"),
            items_total=_count(items, "finding__visit_id"),
        )
        .order_by("date", "pk")
    )


def _plan_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(_("Date"), 12),
        Column(_("County"), 12),
        Column(pgettext("visit", "Place"), 24),
        Column(pgettext("visit plan", "Kind"), 10),
        Column(_("Topics checked"), 30),
        Column(_("Participants"), 20),
        Column(_("Status"), 8),
        Column(pgettext("visit plan", "Problems found"), 9),
        Column(_("Rectification items (open / total)"), 11),
    ]


def _names(people: Iterable) -> str:
    return "、".join(person.get_full_name() or person.get_username() for person in people)


def group_plan_title(group: InspectionGroup) -> str:
    return _("%(year)s %(group)s: plan of supervisory inspections") % {
        "year": group.year,
        "group": group.name,
    }


def group_plan_subtitle(group: InspectionGroup, *, today: datetime.date) -> str:
    """组长, 成员, 督导旗县市区 and 督导期间, then as of when."""

    def pair(label: str, value: str) -> str:
        return _("%(label)s: %(value)s") % {"label": label, "value": value or NONE}

    period = _("%(start)s to %(end)s") % {
        "start": date_format(group.starts_on, "DATE_FORMAT"),
        "end": date_format(group.ends_on, "DATE_FORMAT"),
    }
    return subtitle_text(
        pair(_("Group leader"), _names([group.leader])),
        pair(_("Members"), _names(group.members.order_by("first_name", "username"))),
        pair(_("Counties covered"), "、".join(c.name for c in group.counties.order_by("code"))),
        pair(pgettext("inspection group", "Period"), period),
        as_of_text(today),
    )


def write_group_plan_xlsx(
    group: InspectionGroup, visits: Iterable[Visit], out: BinaryIO, *, today: datetime.date
) -> None:
    """Write the group's plan of visits (督导检查工作安排表, from `group_plan_visits`) to
    `out`: one row a visit, its date a date and its counts numbers, A4 landscape."""
    title = group_plan_title(group)
    wb = new_workbook(title)
    sheet = LedgerSheet(wb, name=str(group.name), columns=_plan_columns(), paper=PAPER_A4)
    sheet.head(title, group_plan_subtitle(group, today=today))
    for number, visit in enumerate(visits, start=1):
        participants = _names(visit.participants.all())
        if visit.other_participants:
            participants = "、".join(p for p in (participants, visit.other_participants) if p)
        sheet.append(
            [
                ("number", number),
                ("date", visit.date),
                ("center", visit.county.name if visit.county else NONE),
                ("text", visit.place),
                ("center", str(visit.get_kind_display())),
                ("text", visit.topics),
                ("text", participants),
                ("center", str(visit.get_status_display())),
                ("number", visit.problem_count),
                (
                    "center",
                    f"{visit.items_open}/{visit.items_total}" if visit.items_total else NONE,
                ),
            ]
        )
    sheet.finish()
    wb.save(out)
