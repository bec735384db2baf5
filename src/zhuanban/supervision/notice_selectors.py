"""Reads for supervision notices (督办通报): the reasons a notice can be drafted from, and
the scoped, filtered list with its reply and rectification counts.

Both are a fixed number of queries whatever the number of units or notices: the
database counts, Python only arranges the result.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from zhuanban.dispatch.models import REPORTED_STATES, Indicator, IndicatorValue, Submission
from zhuanban.dispatch.selectors import indicator_progress
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.lifecycle import LIVE_STATES
from zhuanban.rectification.models import Rectification
from zhuanban.rectification.scoping import visible_items
from zhuanban.supervision.lifecycle import (
    EDITABLE_STATES,
    NoticeAction,
    NoticeParty,
    NoticeStatus,
    allowed_actions,
)
from zhuanban.supervision.models import (
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeReason,
    NoticeRecipient,
    NoticeRequirement,
    ReasonKind,
)
from zhuanban.supervision.scoping import (
    notice_parties,
    replying_units,
    sees_all_replies,
    visible_notices,
    visible_recipients,
)
from zhuanban.tasks.models import Light, Task

# The kinds `reasons_from_data` drafts: filling again replaces these, never the others.
DATA_KINDS = frozenset(
    {
        ReasonKind.RED_TASK,
        ReasonKind.LATE_SUBMISSION,
        ReasonKind.MISSING_SUBMISSION,
        ReasonKind.LAGGING_INDICATOR,
        ReasonKind.OVERDUE_RECTIFICATION,
    }
)
HAND_KINDS = frozenset({ReasonKind.OTHER, ReasonKind.ACHIEVEMENT})


@dataclass
class DraftReason:
    unit: OrgUnit
    kind: str
    text: str
    figures: dict = field(default_factory=dict)
    source_ref: str = ""  # "app_label.model:pk"


def _ref(instance) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def _day(value: datetime.date) -> str:
    """A date as the active language writes it (2023年6月30日)."""
    return date_format(value, "DATE_FORMAT")


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- reasons drafted from data -----------------------------------------------------------


def _red_tasks(units: list[OrgUnit], as_of: datetime.date) -> list[DraftReason]:
    tasks = (
        Task.objects.with_light(today=as_of)
        .filter(light=Light.RED, lead_unit__in=units)
        .select_related("task_list")
        .order_by("task_list__year", "task_list_id", "sort_path")
    )
    by_pk = {u.pk: u for u in units}
    reasons = []
    for task in tasks:
        days = (as_of - task.due_date).days
        reasons.append(
            DraftReason(
                unit=by_pk[task.lead_unit_id],
                kind=ReasonKind.RED_TASK,
                text=_(
                    "《%(list)s》 item %(number)s “%(content)s” was due by %(due)s and is "
                    "%(days)s days overdue; progress stands at %(progress)s%%."
                )
                % {
                    "list": task.task_list.title,
                    "number": task.full_number("decimal"),
                    "content": task.content,
                    "due": _day(task.due_date),
                    "days": days,
                    "progress": task.progress,
                },
                figures={
                    "task_list": task.task_list.title,
                    "number": task.full_number("decimal"),
                    "due": task.due_date.isoformat(),
                    "days_overdue": days,
                    "progress": task.progress,
                },
                source_ref=_ref(task),
            )
        )
    return reasons


def _dispatch_lapses(units: list[OrgUnit], year: int, as_of: datetime.date) -> list[DraftReason]:
    """Rounds due this year before `as_of`: the unit never reported (or its report was
    sent back and not sent again), or first reported after the due date."""
    submissions = (
        Submission.objects.filter(
            unit__in=units,
            round__due_on__gte=datetime.date(year, 1, 1),
            round__due_on__lt=as_of,
        )
        .filter(
            ~Q(status__in=REPORTED_STATES)
            | Q(first_submitted_at__isnull=False, first_submitted_at__date__gt=F("round__due_on"))
        )
        .select_related("round")
        .order_by("round__due_on", "round_id")
    )
    by_pk = {u.pk: u for u in units}
    reasons = []
    for submission in submissions:
        round_ = submission.round
        figures = {"round": round_.title, "due": round_.due_on.isoformat()}
        if submission.status not in REPORTED_STATES:
            days = (as_of - round_.due_on).days
            kind = ReasonKind.MISSING_SUBMISSION
            text = _(
                "“%(round)s” was due by %(due)s and has not been reported, "
                "%(days)s days after the deadline."
            ) % {"round": round_.title, "due": _day(round_.due_on), "days": days}
            figures |= {"days_overdue": days, "status": submission.status}
        else:
            reported = timezone.localdate(submission.first_submitted_at)
            days = (reported - round_.due_on).days
            kind = ReasonKind.LATE_SUBMISSION
            text = _(
                "“%(round)s” was due by %(due)s and was first reported on %(reported)s, "
                "%(days)s days late."
            ) % {
                "round": round_.title,
                "due": _day(round_.due_on),
                "reported": _day(reported),
                "days": days,
            }
            figures |= {"reported": reported.isoformat(), "days_late": days}
        reasons.append(
            DraftReason(
                unit=by_pk[submission.unit_id],
                kind=kind,
                text=text,
                figures=figures,
                source_ref=_ref(submission),
            )
        )
    return reasons


def _lagging_indicators(units: list[OrgUnit], year: int, as_of: datetime.date) -> list[DraftReason]:
    """Indicators with a target for one of the units whose completion trails time
    elapsed (yellow) or missed the year (red), as of the last period reported."""
    indicators = list(
        Indicator.objects.filter(targets__unit__in=units, targets__year=year)
        .distinct()
        .order_by("sort_order", "code")
    )
    if not indicators:
        return []
    # Completion is measured against the time elapsed at the end of the last period
    # with data, not at `as_of`: July's figures are not due on 5 July.
    cap = min(as_of, datetime.date(year, 12, 31))
    last_reported = IndicatorValue.objects.filter(
        indicator__in=indicators, year=year, period_end__lte=cap
    ).aggregate(last=Max("period_end"))["last"]
    measured_on = last_reported or cap
    reasons = []
    for progress in indicator_progress(indicators, year, as_of=measured_on, units=units):
        indicator = progress.indicator
        uom = indicator.unit_of_measure
        for row in progress.rows:
            if not row.is_lagging:
                continue
            figures = {
                "indicator": indicator.name,
                "as_of": measured_on.isoformat(),
                "actual": _number(row.actual),
                "target": _number(row.target),
                "unit_of_measure": uom,
                "completion": _number(row.completion),
                "time_elapsed": _number(progress.elapsed),
                "light": row.light,
            }
            text = _(
                "%(indicator)s: %(actual)s %(uom)s by %(date)s, %(completion)s%% of the annual "
                "target of %(target)s %(uom)s, while %(elapsed)s%% of the year has passed."
            ) % {
                "indicator": indicator.name,
                "actual": figures["actual"],
                "uom": uom,
                "date": _day(measured_on),
                "completion": figures["completion"],
                "target": figures["target"],
                "elapsed": figures["time_elapsed"],
            }
            reasons.append(
                DraftReason(
                    unit=row.unit,
                    kind=ReasonKind.LAGGING_INDICATOR,
                    text=text,
                    figures=figures,
                    source_ref=f"{_ref(indicator)}:{year}",
                )
            )
    return reasons


# Overdue items named one by one per unit; beyond that, one reason counts them and names
# the oldest (a unit with 57 overdue items would otherwise fill pages of the notice).
ITEMISED_RECTIFICATIONS = 3


def _overdue_rectifications(units: list[OrgUnit], as_of: datetime.date) -> list[DraftReason]:
    items = Rectification.objects.overdue(as_of).filter(unit__in=units).order_by("due_date", "pk")
    by_unit: dict[int, list[Rectification]] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
    reasons = []
    for unit in units:
        overdue = by_unit.get(unit.pk, [])
        if len(overdue) > ITEMISED_RECTIFICATIONS:
            reasons.append(_overdue_summary(unit, overdue, as_of))
            continue
        for item in overdue:
            days = (as_of - item.due_date).days
            reasons.append(
                DraftReason(
                    unit=unit,
                    kind=ReasonKind.OVERDUE_RECTIFICATION,
                    text=_(
                        "The rectification “%(requirement)s” (%(source)s) was due by %(due)s "
                        "and is %(days)s days overdue."
                    )
                    % {
                        "requirement": item.requirement,
                        "source": item.source_label,
                        "due": _day(item.due_date),
                        "days": days,
                    },
                    figures={
                        "source": item.source_label,
                        "due": item.due_date.isoformat(),
                        "days_overdue": days,
                    },
                    source_ref=_ref(item),
                )
            )
    return reasons


def _overdue_summary(
    unit: OrgUnit, overdue: list[Rectification], as_of: datetime.date
) -> DraftReason:
    """One reason for many overdue items: how many, and the oldest few (oldest first)."""
    oldest = overdue[:ITEMISED_RECTIFICATIONS]
    named = pgettext("list separator", "; ").join(
        _("“%(requirement)s” (%(source)s), %(days)s days overdue")
        % {
            "requirement": item.requirement,
            "source": item.source_label,
            "days": (as_of - item.due_date).days,
        }
        for item in oldest
    )
    return DraftReason(
        unit=unit,
        kind=ReasonKind.OVERDUE_RECTIFICATION,
        text=_("%(count)s rectification items are past their deadline; the oldest: %(named)s.")
        % {"count": len(overdue), "named": named},
        figures={
            "overdue_items": len(overdue),
            "oldest_due": overdue[0].due_date.isoformat(),
            "days_overdue": (as_of - overdue[0].due_date).days,
        },
        source_ref=_ref(overdue[0]),
    )


def reasons_from_data(
    units, *, as_of: datetime.date | None = None, year: int | None = None
) -> list[DraftReason]:
    """What the data says against each unit, with its figures, unit by unit: red tasks it
    leads, late or missing dispatch reports, lagging indicators, overdue rectifications.

    A fixed number of queries whatever the number of units."""
    units = list(units)
    if not units:
        return []
    as_of = as_of or timezone.localdate()
    year = year or as_of.year
    found = [
        *_red_tasks(units, as_of),
        *_dispatch_lapses(units, year, as_of),
        *_lagging_indicators(units, year, as_of),
        *_overdue_rectifications(units, as_of),
    ]
    order = {u.pk: position for position, u in enumerate(units)}
    # Stable: within a unit, the order above (tasks, reports, indicators, rectifications).
    found.sort(key=lambda reason: order[reason.unit.pk])
    return found


# --- the list of notices -----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeFilters:
    year: int | None = None
    status: str = ""
    kind: str = ""
    authority: int | None = None
    unit: int | None = None


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """A correlated COUNT, grouped on the column that refers to the outer row: no join
    in the outer query, so one count cannot multiply another."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_counts(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Annotate recipients_total, recipients_replied and rectifications_open (items
    not yet verified and closed, nor withdrawn)."""
    recipients = NoticeRecipient.objects.filter(notice_id=OuterRef("pk"))
    # The content type by its natural key: a join in the subquery, not a query of its own.
    open_items = Rectification.objects.filter(
        source_type__app_label=Notice._meta.app_label,
        source_type__model=Notice._meta.model_name,
        source_id=OuterRef("pk"),
        status__in=LIVE_STATES,
    )
    return notices.annotate(
        recipients_total=_count(recipients, "notice_id"),
        recipients_replied=_count(recipients.filter(replied_at__isnull=False), "notice_id"),
        rectifications_open=_count(open_items, "source_id"),
    )


def notice_list(user, filters: NoticeFilters | None = None) -> QuerySet[Notice]:
    """The notices `user` may see, filtered, with their counts and what a list row shows
    (units prefetched: one more query for the page, whatever its length)."""
    filters = filters or NoticeFilters()
    notices = visible_notices(user)
    if filters.year:
        notices = notices.filter(
            Q(year=filters.year) | Q(year__isnull=True, created_at__year=filters.year)
        )
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.kind:
        notices = notices.filter(kind=filters.kind)
    if filters.authority:
        notices = notices.filter(authority_id=filters.authority)
    if filters.unit:
        notices = notices.filter(
            Exists(NoticeRecipient.objects.filter(notice_id=OuterRef("pk"), unit_id=filters.unit))
        )
    return (
        with_counts(notices)
        .select_related("authority", "office")
        .prefetch_related("units")
        .order_by(F("year").desc(nulls_first=True), "-sequence", "-created_at", "-pk")
    )


# --- the notice's page -------------------------------------------------------------------

# The figures a reason shows beside its text, in this order (others stay in the record).
FIGURE_LABELS = {
    "due": gettext_lazy("Due"),
    "reported": pgettext_lazy("dispatch report", "First reported"),
    "overdue_items": gettext_lazy("Overdue items"),
    "days_overdue": gettext_lazy("Days overdue"),
    "days_late": gettext_lazy("Days late"),
    "progress": gettext_lazy("Progress (%)"),
    "as_of": gettext_lazy("As of"),
    "actual": gettext_lazy("Actual"),
    "target": gettext_lazy("Target"),
    "completion": gettext_lazy("Completion"),
    "time_elapsed": gettext_lazy("Time elapsed"),
}
PUBLIC_EVENTS = (NoticeAction.ISSUE, NoticeAction.CLOSE)
PERCENT_FIGURES = frozenset({"completion", "time_elapsed"})
EVENT_LABELS = {
    "create": pgettext_lazy("notice event", "Drafted"),
    "edit": pgettext_lazy("notice event", "Edited"),
    "fill_reasons": pgettext_lazy("notice event", "Reasons drafted from data"),
    "reason": pgettext_lazy("notice event", "Reason written"),
    "reason_delete": pgettext_lazy("notice event", "Reason removed"),
    "reply": pgettext_lazy("notice event", "Replied"),
    "corrected": pgettext_lazy("notice event", "Correction drafted"),
    **{action.value: action.label for action in NoticeAction},
}


def _label(model, field: str) -> str:
    return capfirst(model._meta.get_field(field).verbose_name)


def _figure_items(figures: dict) -> list[tuple[str, str]]:
    items = []
    for key, label in FIGURE_LABELS.items():
        if figures.get(key) in (None, ""):
            continue
        value = str(figures[key])
        if key in PERCENT_FIGURES:
            value += "%"
        elif key in ("actual", "target") and figures.get("unit_of_measure"):
            value += figures["unit_of_measure"]
        items.append((str(label), value))
    return items


@dataclass
class NoticePage:
    """Everything the notice's page shows, for one user: what they may read and do."""

    actions: list[tuple[str, str]]
    can_edit: bool
    can_correct: bool
    sees_all: bool
    reasons_by_unit: list[tuple[OrgUnit, list[NoticeReason]]]
    requirements: list[NoticeRequirement]
    recipients: list[NoticeRecipient]
    readable: list[NoticeRecipient]  # whose reply the user may read
    replying: list[NoticeRecipient]  # the units the user may still reply for
    items: list[Rectification]
    events: list[NoticeEvent]
    corrections: list[Notice]
    corrects_visible: bool
    labels: dict = field(default_factory=dict)

    @property
    def replied(self) -> int:
        return sum(1 for r in self.recipients if r.replied_at is not None)

    @property
    def not_replied(self) -> list[OrgUnit]:
        return [r.unit for r in self.recipients if r.replied_at is None]


def _reasons_by_unit(notice: Notice, recipients) -> list[tuple[OrgUnit, list]]:
    """The reasons under their unit, in the order the units are listed (as printed)."""
    grouped: dict[int, list] = {r.unit_id: [] for r in recipients}
    for reason in notice.reasons.order_by("position", "pk"):
        reason.figure_items = _figure_items(reason.figures or {})
        grouped.setdefault(reason.unit_id, []).append(reason)
    units = {r.unit_id: r.unit for r in recipients}
    return [(units[unit_id], reasons) for unit_id, reasons in grouped.items() if unit_id in units]


def notice_page(user, notice: Notice) -> NoticePage:
    """A fixed number of queries whatever the number of units, reasons and replies."""
    parties = notice_parties(user, notice)
    actions = allowed_actions(notice.status, parties)
    if NoticeAction.ISSUE in actions and notice.submitted_by_id == user.pk:
        actions.remove(NoticeAction.ISSUE)  # four eyes: another reviewer issues it
    is_drafter = NoticeParty.DRAFTER in parties
    sees_all = sees_all_replies(user, notice)
    recipients = list(notice.recipients.select_related("unit", "replied_by"))
    replying = []
    if notice.status == NoticeStatus.ISSUED and notice.kind == NoticeKind.SUPERVISION:
        replying = list(
            replying_units(user, notice).filter(replied_at__isnull=True).select_related("unit")
        )
    events = notice.events.select_related("actor")
    if not sees_all:
        # A unit follows the notice from its issue; the drafting and the other units'
        # replies are the bureau's.
        events = events.filter(action__in=PUBLIC_EVENTS)
    events = list(events)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    items = (
        visible_items(user)
        .filter(
            source_type__app_label=Notice._meta.app_label,
            source_type__model=Notice._meta.model_name,
            source_id=notice.pk,
        )
        .with_light()
        .select_related("unit")
        .order_by("unit__code", "pk")
    )
    return NoticePage(
        actions=[(a, str(NoticeAction(a).label)) for a in actions],
        can_edit=is_drafter and notice.status in EDITABLE_STATES,
        can_correct=is_drafter and notice.is_issued,
        sees_all=sees_all,
        reasons_by_unit=_reasons_by_unit(notice, recipients),
        requirements=list(notice.requirements.order_by("position", "pk")),
        recipients=recipients,
        readable=list(
            visible_recipients(user, notice)
            .select_related("unit", "replied_by")
            .prefetch_related("reply_evidence")
        ),
        replying=replying,
        items=list(items),
        events=events,
        corrections=list(
            visible_notices(user)
            .filter(corrects=notice)
            .select_related("authority")
            .order_by("created_at", "pk")
        ),
        corrects_visible=notice.corrects_id is not None
        and visible_notices(user).filter(pk=notice.corrects_id).exists(),
        labels={
            "authority": _label(Notice, "authority"),
            "office": _label(Notice, "office"),
            "corrects": _label(Notice, "corrects"),
            "issue_date": _label(Notice, "issue_date"),
            "content_sha256": _label(Notice, "content_sha256"),
            "docx": _label(Notice, "docx"),
            "unit": _label(Rectification, "unit"),
            "requirement": _label(Rectification, "requirement"),
            "due_date": _label(Rectification, "due_date"),
            "status": _label(Rectification, "status"),
        },
    )
