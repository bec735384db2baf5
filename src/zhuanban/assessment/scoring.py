"""Automatic scoring and totals: read-only computations, a constant number of queries
whatever the number of tasks, reports, notices or units (the services write them).

Each automatic method gives a share of the item's maximum:

- tasks: of the linked task list's tasks that count in the assessment and fell due in
  the period (lead unit or county within the unit assessed), the share closed by their
  deadline. Nothing due: full marks.
- indicator: the indicator's year-to-date value against the unit's annual target
  (capped at 100 %; for a ceiling, target ÷ value). No target or no value: zero.
- dispatch: of the unit's reports to the table's rounds due in the period, the share
  first submitted by the round's deadline. No round: full marks.
- notices: the maximum less the points per supervision notice the unit received in
  the period (issued notices naming it; commendations do not count), never below zero.

Units are matched by subtree: a county scores on the tasks, reports and notices of
every unit within it, the city on everything.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhuanban.assessment.models import HUNDRED, ZERO, Item, Method, Participant, Scheme, Score
from zhuanban.dispatch.models import Submission
from zhuanban.dispatch.selectors import indicator_progress
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import NoticeKind, NoticeRecipient
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task

CENT = Decimal("0.01")


def points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Computed:
    score: Decimal
    basis: dict


def period_of(
    scheme: Scheme, as_of: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The data window: the scheme's period, cut at `as_of` (today by default)."""
    as_of = as_of or timezone.localdate()
    return scheme.period_start, max(scheme.period_start, min(scheme.period_end, as_of))


def _share(item: Item, done: int, total: int) -> Decimal:
    if total == 0:
        return item.max_score
    return points(item.max_score * done / total)


def _owners(participants: list[Participant]):
    """A function giving the ids of the participants whose unit's subtree holds the unit
    with a given path: the path's prefixes looked up (a path has a handful), instead of
    every participant tried on every row."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for participant in participants:
        by_path[participant.unit.path].append(participant.pk)
    found: dict[str, frozenset[int]] = {}

    def owners(path: str | None) -> frozenset[int]:
        if not path:
            return frozenset()
        if path not in found:
            ids: set[int] = set()
            end = 0
            while (end := path.find("/", end + 1)) != -1:
                ids.update(by_path.get(path[: end + 1], ()))
            found[path] = frozenset(ids)
        return found[path]

    return owners


# --- tasks --------------------------------------------------------------------------------------


def counted_tasks(task_list_ids, start: datetime.date, end: datetime.date) -> QuerySet[Task]:
    return Task.objects.filter(
        task_list_id__in=task_list_ids,
        is_heading=False,
        counts_in_assessment=True,
        due_date__gte=start,
        due_date__lte=end,
    ).exclude(status=TaskStatus.DRAFT)


ON_TIME_TASK = Q(status=TaskStatus.CLOSED, closed_at__date__lte=F("due_date"))


def tasks_of(participant: Participant, item: Item, start, end) -> QuerySet[Task]:
    """The tasks behind a tasks item's score for one unit (the drill-down)."""
    path = participant.unit.path
    return (
        counted_tasks([item.task_list_id], start, end)
        .filter(Q(lead_unit__path__startswith=path) | Q(county__path__startswith=path))
        .annotate(on_time=Count("pk", filter=ON_TIME_TASK))
    )


def _tasks(items: list[Item], participants: list[Participant], start, end) -> dict:
    rows = (
        counted_tasks({i.task_list_id for i in items}, start, end)
        .values("task_list_id", "lead_unit__path", "county__path")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=ON_TIME_TASK))
        .order_by()
    )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    owners = _owners(participants)
    for row in rows:
        for pid in owners(row["lead_unit__path"]) | owners(row["county__path"]):
            tally = counts[(row["task_list_id"], pid)]
            tally[0] += row["due"]
            tally[1] += row["on_time"]
    result = {}
    for item in items:
        for participant in participants:
            due, on_time = counts.get((item.task_list_id, participant.pk), (0, 0))
            result[(participant.pk, item.pk)] = Computed(
                _share(item, on_time, due), {"due": due, "on_time": on_time}
            )
    return result


# --- indicators ---------------------------------------------------------------------------------


def _indicators(items: list[Item], participants: list[Participant], year: int, end) -> dict:
    indicators = {i.indicator_id: i.indicator for i in items}
    progress = {
        p.indicator.pk: {row.unit.pk: row for row in p.rows}
        for p in indicator_progress(
            list(indicators.values()),
            year,
            as_of=end,
            units=[p.unit for p in participants],
            root=participants[0].unit,
        )
    }
    result = {}
    for item in items:
        indicator = indicators[item.indicator_id]
        for participant in participants:
            row = progress[indicator.pk][participant.unit_id]
            share = ZERO
            if row.actual is not None and row.target:
                if indicator.higher_is_better:
                    share = min(Decimal(1), row.actual / row.target)
                elif row.actual <= row.target:
                    share = Decimal(1)
                else:
                    share = row.target / row.actual
            basis = {
                "actual": None if row.actual is None else str(row.actual),
                "target": None if row.target is None else str(row.target),
                "completion": None if row.completion is None else str(row.completion),
            }
            result[(participant.pk, item.pk)] = Computed(
                points(item.max_score * max(share, ZERO)), basis
            )
    return result


# --- dispatch -----------------------------------------------------------------------------------


def counted_submissions(template_ids, start, end) -> QuerySet[Submission]:
    return Submission.objects.filter(
        round__template_id__in=template_ids, round__due_on__gte=start, round__due_on__lte=end
    )


ON_TIME_REPORT = Q(
    first_submitted_at__isnull=False, first_submitted_at__date__lte=F("round__due_on")
)


def submissions_of(participant: Participant, item: Item, start, end) -> QuerySet[Submission]:
    return counted_submissions([item.template_id], start, end).filter(
        unit__path__startswith=participant.unit.path
    )


def _dispatch(items: list[Item], participants: list[Participant], start, end) -> dict:
    rows = (
        counted_submissions({i.template_id for i in items}, start, end)
        .values("round__template_id", "unit__path")
        .annotate(rounds=Count("pk"), on_time=Count("pk", filter=ON_TIME_REPORT))
        .order_by()
    )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    owners = _owners(participants)
    for row in rows:
        for pid in owners(row["unit__path"]):
            tally = counts[(row["round__template_id"], pid)]
            tally[0] += row["rounds"]
            tally[1] += row["on_time"]
    result = {}
    for item in items:
        for participant in participants:
            total, on_time = counts.get((item.template_id, participant.pk), (0, 0))
            result[(participant.pk, item.pk)] = Computed(
                _share(item, on_time, total), {"reports": total, "on_time": on_time}
            )
    return result


# --- notices ------------------------------------------------------------------------------------


def counted_notices(start, end) -> QuerySet[NoticeRecipient]:
    return NoticeRecipient.objects.filter(
        notice__kind=NoticeKind.SUPERVISION,
        notice__status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED],
        notice__issued_at__date__gte=start,
        notice__issued_at__date__lte=end,
    )


def notices_of(participant: Participant, start, end) -> QuerySet[NoticeRecipient]:
    return counted_notices(start, end).filter(unit__path__startswith=participant.unit.path)


def _notices(items: list[Item], participants: list[Participant], start, end) -> dict:
    rows = counted_notices(start, end).values("unit__path").annotate(n=Count("pk")).order_by()
    received: dict[int, int] = defaultdict(int)
    owners = _owners(participants)
    for row in rows:
        for pid in owners(row["unit__path"]):
            received[pid] += row["n"]
    result = {}
    for item in items:
        for participant in participants:
            n = received[participant.pk]
            score = max(ZERO, item.max_score - item.points_per_notice * n)
            result[(participant.pk, item.pk)] = Computed(
                points(score), {"notices": n, "per_notice": str(item.points_per_notice)}
            )
    return result


def compute(
    scheme: Scheme, *, as_of: datetime.date | None = None, participants=None
) -> dict[tuple[int, int], Computed]:
    """{(participant id, item id): computed score} for every automatic leaf item."""
    start, end = period_of(scheme, as_of)
    if participants is None:
        participants = scheme.participants.all()
    participants = list(participants.select_related("unit"))
    items = list(
        scheme.items.filter(is_heading=False)
        .exclude(method=Method.MANUAL)
        .select_related("indicator")
    )
    if not participants or not items:
        return {}
    by_method: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_method[item.method].append(item)
    result = {}
    if by_method[Method.TASKS]:
        result.update(_tasks(by_method[Method.TASKS], participants, start, end))
    if by_method[Method.INDICATOR]:
        result.update(_indicators(by_method[Method.INDICATOR], participants, scheme.year, end))
    if by_method[Method.DISPATCH]:
        result.update(_dispatch(by_method[Method.DISPATCH], participants, start, end))
    if by_method[Method.NOTICES]:
        result.update(_notices(by_method[Method.NOTICES], participants, start, end))
    return result


# --- totals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    self_total: Decimal
    total: Decimal
    unscored: int


def full_marks(scheme_items: list[Item]) -> Decimal:
    """The scheme's full score: 100 with weights, else the top-level maxima's sum."""
    tops = [i for i in scheme_items if i.parent_id is None]
    if any(i.weight is not None for i in tops):
        return sum((i.weight or ZERO for i in tops), ZERO)
    return sum((i.max_score for i in tops), ZERO)


def totals(scheme: Scheme, participant_ids=None) -> dict[int, Totals]:
    """Each participant's self-assessed and final totals, summed in the database by
    top-level item, capped at its maximum and weighted. Two queries."""
    tops = {
        item.pk: item
        for item in scheme.items.filter(parent__isnull=True).only("scheme", "max_score", "weight")
    }
    weighted = any(item.weight is not None for item in tops.values())
    scores = Score.objects.filter(participant__scheme=scheme)
    if participant_ids is not None:
        scores = scores.filter(participant_id__in=participant_ids)
    rows = (
        scores.values("participant_id", "item__root_id")
        .annotate(
            final=Sum(Coalesce("review_score", "auto_score")),
            own=Sum(Coalesce("self_score", "auto_score")),
            missing=Count("pk", filter=Q(review_score__isnull=True, auto_score__isnull=True)),
        )
        .order_by()
    )
    sums: dict[int, list] = defaultdict(lambda: [ZERO, ZERO, 0])
    for row in rows:
        top = tops[row["item__root_id"]]
        factor = Decimal(1)
        if weighted:
            factor = (top.weight or ZERO) / top.max_score if top.max_score else ZERO
        tally = sums[row["participant_id"]]
        tally[0] += min(row["own"] or ZERO, top.max_score) * factor
        tally[1] += min(row["final"] or ZERO, top.max_score) * factor
        tally[2] += row["missing"]
    return {
        pid: Totals(points(own), points(final), missing)
        for pid, (own, final, missing) in sums.items()
    }


@dataclass(frozen=True)
class WeightCheck:
    """How far the weights or the points are from adding up (warnings, not errors)."""

    message_key: str  # "weights", "children"
    item: Item | None
    expected: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.expected


def weight_checks(items: list[Item]) -> list[WeightCheck]:
    """Top-level weights that do not add up to 100, and headings whose sub-items' maxima
    do not add up to the heading's maximum."""
    found = []
    tops = [i for i in items if i.parent_id is None]
    if any(i.weight is not None for i in tops):
        weights = sum((i.weight or ZERO for i in tops), ZERO)
        if weights != HUNDRED:
            found.append(WeightCheck("weights", None, HUNDRED, weights))
    children: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        if item.parent_id is not None:
            children[item.parent_id] += item.max_score
    for item in items:
        if item.is_heading and children[item.pk] != item.max_score:
            found.append(WeightCheck("children", item, item.max_score, children[item.pk]))
    return found
