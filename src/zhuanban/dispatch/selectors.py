"""Reads: completeness, consolidation, comparisons, snapshots and indicator progress.

Each is a constant number of grouped queries whatever the number of units, rows and
periods: the database sums, Python only arranges the result.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Q, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.dispatch.models import (
    REPORTED_STATES,
    Aggregation,
    DataValue,
    DispatchRound,
    Indicator,
    IndicatorValue,
    RowMode,
    Submission,
    SubmissionStatus,
    Target,
    UnitGroup,
)
from zhuanban.dispatch.periods import Period, time_elapsed
from zhuanban.dispatch.schema import ColumnType, TableSchema
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind

HUNDRED = Decimal(100)


# --- completeness and timeliness -------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    expected: int = 0
    submitted: int = 0  # submitted at least once
    on_time: int = 0
    late: int = 0
    missing: int = 0  # never submitted
    awaiting_review: int = 0
    approved: int = 0
    returned: int = 0

    @property
    def rate(self) -> int:
        return round(self.submitted * 100 / self.expected) if self.expected else 0

    @property
    def timely_rate(self) -> int:
        return round(self.on_time * 100 / self.expected) if self.expected else 0


def _completeness_counts() -> dict:
    due = F("round__due_on")
    return {
        "expected": Count("pk"),
        "submitted": Count("pk", filter=Q(first_submitted_at__isnull=False)),
        "on_time": Count("pk", filter=Q(first_submitted_at__date__lte=due)),
        "late": Count("pk", filter=Q(first_submitted_at__date__gt=due)),
        "missing": Count("pk", filter=Q(first_submitted_at__isnull=True)),
        "awaiting_review": Count("pk", filter=Q(status=SubmissionStatus.SUBMITTED)),
        "approved": Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
        "returned": Count("pk", filter=Q(status=SubmissionStatus.RETURNED)),
    }


def completeness_by_round(round_ids, submissions=None) -> dict[int, Completeness]:
    """Counts per round, in one query; over `submissions` (e.g. a county's own) if given."""
    submissions = Submission.objects.all() if submissions is None else submissions
    rows = (
        submissions.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(**_completeness_counts())
        .order_by()
    )
    return {row.pop("round_id"): Completeness(**row) for row in rows}


def completeness_by_unit(rounds) -> list[tuple[OrgUnit, Completeness]]:
    """Counts per unit over a set of rounds (a year of a table), in one query."""
    rows = (
        Submission.objects.filter(round__in=rounds)
        .values("unit_id", "unit__name", "unit__sort_order", "unit__code")
        .annotate(**_completeness_counts())
        .order_by("unit__sort_order", "unit__code")
    )
    result = []
    for row in rows:
        unit = OrgUnit(pk=row.pop("unit_id"), name=row.pop("unit__name"))
        row.pop("unit__sort_order"), row.pop("unit__code")
        result.append((unit, Completeness(**row)))
    return result


def round_submissions(round_: DispatchRound):
    """Every unit's submission of a round with its unit, for the completeness page."""
    return (
        Submission.objects.filter(round=round_)
        .select_related("unit", "updated_by")
        .order_by("unit__sort_order", "unit__code")
    )


def is_late(submission: Submission) -> bool:
    if submission.first_submitted_at is None:
        return timezone.localdate() > submission.round.due_on
    return timezone.localdate(submission.first_submitted_at) > submission.round.due_on


def reporting_grid(rounds) -> tuple[list, list[OrgUnit], dict]:
    """Units × rounds with each submission's status and timeliness (one query), for
    the at-a-glance view of a table's year."""
    rounds = list(rounds)
    cells = {}
    units = {}
    for submission in (
        Submission.objects.filter(round__in=rounds)
        .select_related("unit")
        .only(
            "round_id",
            "status",
            "first_submitted_at",
            "unit__name",
            "unit__sort_order",
            "unit__code",
        )
    ):
        units[submission.unit_id] = submission.unit
        cells[(submission.unit_id, submission.round_id)] = submission
    ordered = sorted(units.values(), key=lambda u: (u.sort_order, u.code))
    return rounds, ordered, cells


# --- consolidation ------------------------------------------------------------------------------


@dataclass
class UnitLine:
    unit: OrgUnit
    status: str
    values: dict = field(default_factory=dict)
    records: int = 0
    submission_id: int | None = None

    @property
    def reported(self) -> bool:
        return self.status in REPORTED_STATES


@dataclass
class GroupBlock:
    name: str
    lines: list[UnitLine] = field(default_factory=list)
    subtotal: dict = field(default_factory=dict)
    records: int = 0


@dataclass
class Consolidation:
    round: DispatchRound
    table: TableSchema
    groups: list[GroupBlock]
    total: dict
    records: int
    expected: int
    reported: int

    @property
    def summed_columns(self):
        return [c for c in self.table.columns if _summed(c)]

    @property
    def lines(self) -> list[UnitLine]:
        return [line for group in self.groups for line in group.lines]


def _summed(column) -> bool:
    return column.is_numeric or column.type == ColumnType.BOOLEAN


def _add(totals: dict, values: dict, keys) -> None:
    for key in keys:
        value = values.get(key)
        if isinstance(value, Decimal):
            totals[key] = totals.get(key, Decimal(0)) + value


def unit_sums(round_ids, keys, places: dict[str, int]) -> dict[tuple[int, int], dict]:
    """{(round id, unit id): {column: sum, "__rows__": records}} of reported data (the
    store holds only submitted and approved tables: see services._store_values), each
    sum rounded to its column's decimal places (SQLite adds in binary floating point)."""
    sums: dict[tuple[int, int], dict] = defaultdict(dict)
    rows = (
        DataValue.objects.filter(round_id__in=round_ids, column__in=keys)
        .values("round_id", "unit_id", "column")
        .annotate(total=Sum("number"), last_row=Max("row"))
        .order_by()
    )
    for row in rows:
        entry = sums[(row["round_id"], row["unit_id"])]
        total = row["total"]
        if total is not None:
            total = Decimal(total).quantize(Decimal(1).scaleb(-places.get(row["column"], 0)))
        entry[row["column"]] = total
        entry["__rows__"] = max(entry.get("__rows__", 0), row["last_row"] + 1)
    return sums


def consolidate(round_: DispatchRound) -> Consolidation:
    """The round's table across its units: a line per unit (its values, or the sums of
    its records), subtotals by unit group, and the total. Four queries."""
    table = round_.template_version.table
    summed = [c.key for c in table.columns if _summed(c)]
    submissions = list(
        Submission.objects.filter(round=round_)
        .select_related("unit")
        .only("status", "unit__name", "unit__short_name", "unit__sort_order", "unit__code")
        .order_by("unit__sort_order", "unit__code")
    )
    sums = unit_sums([round_.pk], summed, decimal_places(table))
    texts: dict[int, dict] = defaultdict(dict)
    if round_.template.row_mode == RowMode.PER_UNIT:
        text_keys = [c.key for c in table.columns if not _summed(c)]
        if text_keys:
            for unit_id, column, text in DataValue.objects.filter(
                round=round_, column__in=text_keys
            ).values_list("unit_id", "column", "text"):
                texts[unit_id][column] = text
    memberships = {}
    for unit_id, name, order in UnitGroup.units.through.objects.filter(
        orgunit_id__in=[s.unit_id for s in submissions]
    ).values_list("orgunit_id", "unitgroup__name", "unitgroup__sort_order"):
        memberships.setdefault(unit_id, (order, name))
    blocks: dict[tuple, GroupBlock] = {}
    for submission in submissions:
        reported = submission.status in REPORTED_STATES
        values = dict(sums.get((round_.pk, submission.unit_id), {})) if reported else {}
        records = values.pop("__rows__", 0)
        values.update(texts.get(submission.unit_id, {}))
        line = UnitLine(
            unit=submission.unit,
            status=submission.status,
            values=values,
            records=records,
            submission_id=submission.pk,
        )
        group_key = memberships.get(submission.unit_id, (10**6, _("Other units")))
        block = blocks.setdefault(group_key, GroupBlock(name=group_key[1]))
        block.lines.append(line)
        _add(block.subtotal, values, summed)
        block.records += records
    groups = [blocks[key] for key in sorted(blocks)]
    total: dict = {}
    for block in groups:
        _add(total, block.subtotal, summed)
    return Consolidation(
        round=round_,
        table=table,
        groups=groups,
        total=total,
        records=sum(b.records for b in groups),
        expected=len(submissions),
        reported=sum(1 for s in submissions if s.status in REPORTED_STATES),
    )


@dataclass
class Comparison:
    label: str
    round: DispatchRound | None
    by_unit: dict  # unit id -> {column: sum}
    total: dict


def decimal_places(table: TableSchema) -> dict[str, int]:
    return {c.key: c.decimals for c in table.columns}


def comparisons(round_: DispatchRound, keys) -> list[Comparison]:
    """The same table for the previous period and the same period last year (two
    queries)."""
    period = round_.period
    wanted = {
        period.previous(): _("Previous period"),
        period.same_last_year(): _("Same period last year"),
    }
    condition = Q(pk__in=[])
    for p in wanted:
        condition |= Q(year=p.year, period_kind=p.kind, period_number=p.number)
    found = {
        r.period: r
        for r in DispatchRound.objects.filter(
            condition, template_id=round_.template_id, cadence=round_.cadence
        )
    }
    sums = unit_sums(
        [r.pk for r in found.values()], keys, decimal_places(round_.template_version.table)
    )
    result = []
    for p, label in wanted.items():
        other = found.get(p)
        by_unit = {unit: v for (rid, unit), v in sums.items() if other and rid == other.pk}
        total: dict = {}
        for values in by_unit.values():
            _add(total, values, keys)
        result.append(
            Comparison(label=f"{label}（{p.label()}）", round=other, by_unit=by_unit, total=total)
        )
    return result


def _json_value(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def snapshot_data(round_: DispatchRound) -> dict:
    """The consolidation as JSON, kept by RoundSnapshot."""
    result = consolidate(round_)
    return {
        "columns": [{"key": c.key, "label": c.heading} for c in result.table.columns],
        "summed": [c.key for c in result.summed_columns],
        "units": [
            {
                "unit": line.unit.pk,
                "name": line.unit.name,
                "group": group.name,
                "status": line.status,
                "records": line.records,
                "values": {k: _json_value(v) for k, v in line.values.items()},
            }
            for group in result.groups
            for line in group.lines
        ],
        "total": {k: _json_value(v) for k, v in result.total.items()},
        "reported": result.reported,
        "expected": result.expected,
    }


# --- indicators --------------------------------------------------------------------------------


def _per_reporting_unit(indicators: list[Indicator], year: int, as_of: datetime.date):
    """{indicator id: {unit id: (value, count, path)}} aggregated over the year's periods
    up to `as_of`, as each indicator's aggregation says. Two queries."""
    base = IndicatorValue.objects.filter(year=year, period_end__lte=as_of)
    result: dict[int, dict] = defaultdict(dict)
    others = [i.pk for i in indicators if i.aggregation != Aggregation.LATEST]
    if others:
        rows = (
            base.filter(indicator_id__in=others)
            .values("indicator_id", "unit_id", "unit__path")
            .annotate(total=Sum("value"), mean=Avg("value"), top=Max("value"), n=Count("pk"))
            .order_by()
        )
        kinds = {i.pk: i.aggregation for i in indicators}
        for row in rows:
            value = {
                Aggregation.SUM: row["total"],
                Aggregation.AVERAGE: row["mean"],
                Aggregation.MAX: row["top"],
            }[kinds[row["indicator_id"]]]
            result[row["indicator_id"]][row["unit_id"]] = (
                Decimal(str(value)),
                row["n"],
                row["unit__path"],
            )
    latest = [i.pk for i in indicators if i.aggregation == Aggregation.LATEST]
    if latest:
        # Each unit's value of its latest period: a window over (indicator, unit), not a
        # subquery per row (which scans the indicator's year for every value).
        last_end = Window(Max("period_end"), partition_by=[F("indicator_id"), F("unit_id")])
        rows = (
            base.filter(indicator_id__in=latest)
            .annotate(last_end=last_end)
            .filter(period_end=F("last_end"))
            .values_list("indicator_id", "unit_id", "unit__path", "value")
        )
        for indicator_id, unit_id, path, value in rows:
            # (Two periods may end on the same day, a month and its quarter: summed.)
            before = result[indicator_id].get(unit_id, (Decimal(0),))[0]
            result[indicator_id][unit_id] = (before + value, 1, path)
    return result


def _roll_up(indicator: Indicator, reported: dict, unit: OrgUnit) -> Decimal | None:
    """Combine the reporting units' values within `unit`'s subtree."""
    return _combine(
        indicator, [(v, n) for v, n, path in reported.values() if path.startswith(unit.path)]
    )


def _combine(indicator: Indicator, inside: list) -> Decimal | None:
    if not inside:
        return None
    if indicator.aggregation == Aggregation.AVERAGE:
        count = sum(n for _v, n in inside)
        return sum(v * n for v, n in inside) / count
    if indicator.aggregation == Aggregation.MAX:
        return max(v for v, _n in inside)
    return sum((v for v, _n in inside), Decimal(0))


class _Subtrees:
    """The reporting units' values sorted by path: a unit's subtree is a slice (found by
    bisection), so rolling up every county is not a scan of every value per county."""

    def __init__(self, reported: dict):
        rows = sorted((path, v, n) for v, n, path in reported.values())
        self.paths = [path for path, _v, _n in rows]
        self.values = [(v, n) for _path, v, n in rows]

    def roll_up(self, indicator: Indicator, unit: OrgUnit) -> Decimal | None:
        start = bisect.bisect_left(self.paths, unit.path)
        end = bisect.bisect_left(self.paths, unit.path + "\uffff")
        return _combine(indicator, self.values[start:end])


def indicator_actuals(
    indicator: Indicator, year: int, units, as_of: datetime.date | None = None
) -> dict[int, Decimal]:
    """Year-to-date value of `indicator` for each unit (its subtree), in two queries."""
    as_of = as_of or datetime.date(year, 12, 31)
    reported = _per_reporting_unit([indicator], year, as_of).get(indicator.pk, {})
    result = {}
    for unit in units:
        value = _roll_up(indicator, reported, unit)
        if value is not None:
            result[unit.pk] = value
    return result


@dataclass
class ProgressRow:
    unit: OrgUnit
    actual: Decimal | None
    target: Decimal | None
    target_is_sum: bool = False
    completion: Decimal | None = None  # percent of the annual target
    lead: Decimal | None = None  # points ahead of (or behind) time elapsed
    light: str = "none"
    rank: int | None = None

    @property
    def is_lagging(self) -> bool:
        return self.light in ("yellow", "red")


@dataclass
class IndicatorProgress:
    indicator: Indicator
    year: int
    as_of: datetime.date
    elapsed: Decimal
    total: ProgressRow
    rows: list[ProgressRow]


def default_as_of(year: int, indicators=None) -> datetime.date:
    """The end of the latest period with data in `year` (not after today): "as of the end
    of June" when June is the last month reported."""
    today = timezone.localdate()
    values = IndicatorValue.objects.filter(year=year, period_end__lte=today)
    if indicators is not None:
        values = values.filter(indicator__in=indicators)
    latest = values.aggregate(latest=Max("period_end"))["latest"]
    return latest or min(today, datetime.date(year, 12, 31))


def _progress_row(indicator, unit, actual, target, elapsed, year_over, target_is_sum=False):
    row = ProgressRow(unit=unit, actual=actual, target=target, target_is_sum=target_is_sum)
    if actual is None or not target:
        return row
    row.completion = (actual * HUNDRED / target).quantize(Decimal("0.1"))
    if indicator.higher_is_better:
        row.lead = row.completion - elapsed
        behind = row.lead < -settings.TASK_LAG_POINTS
        missed = year_over and row.completion < HUNDRED
    else:  # a ceiling: lagging once the share used runs ahead of time
        row.lead = elapsed - row.completion
        behind = row.lead < -settings.TASK_LAG_POINTS
        missed = row.completion > HUNDRED
    row.light = "red" if missed else "yellow" if behind else "green"
    return row


def indicator_progress(
    indicators: list[Indicator],
    year: int,
    as_of: datetime.date | None = None,
    units: list[OrgUnit] | None = None,
    root: OrgUnit | None = None,
) -> list[IndicatorProgress]:
    """Actual against target and against time elapsed for each indicator: the whole
    (root, the city by default) and each unit (the counties by default), ranked.
    A constant number of queries for any number of indicators and units."""
    indicators = list(indicators)
    as_of = as_of or default_as_of(year, indicators)
    elapsed = time_elapsed(as_of)
    year_over = as_of >= datetime.date(year, 12, 31)
    root = root or OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("depth").first()
    units = list(units) if units is not None else list(OrgUnit.objects.counties().active())
    reported = _per_reporting_unit(indicators, year, as_of)
    targets: dict[tuple[int, int], Decimal] = {
        (indicator_id, unit_id): value
        for indicator_id, unit_id, value in Target.objects.filter(
            indicator__in=indicators,
            year=year,
            unit__in=[*units, root] if root and root.pk else units,
        ).values_list("indicator_id", "unit_id", "value")
    }
    result = []
    for indicator in indicators:
        values = reported.get(indicator.pk, {})
        subtrees = _Subtrees(values)
        rows = [
            _progress_row(
                indicator,
                unit,
                subtrees.roll_up(indicator, unit),
                targets.get((indicator.pk, unit.pk)),
                elapsed,
                year_over,
            )
            for unit in units
        ]
        ranked = sorted(
            (r for r in rows if r.completion is not None),
            key=lambda r: r.completion,
            reverse=indicator.higher_is_better,
        )
        for position, row in enumerate(ranked, start=1):
            row.rank = position
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.sort_order))
        root_target = targets.get((indicator.pk, root.pk)) if root and root.pk else None
        target_is_sum = False
        if root_target is None:
            unit_targets = [r.target for r in rows if r.target is not None]
            root_target = sum(unit_targets, Decimal(0)) if unit_targets else None
            target_is_sum = root_target is not None
        total = _progress_row(
            indicator,
            root,
            subtrees.roll_up(indicator, root) if root else None,
            root_target,
            elapsed,
            year_over,
            target_is_sum,
        )
        result.append(
            IndicatorProgress(
                indicator=indicator, year=year, as_of=as_of, elapsed=elapsed, total=total, rows=rows
            )
        )
    return result


def period_values(indicator: Indicator, year: int, units) -> dict[tuple[int, str], Decimal]:
    """{(unit id, period key): value} of one indicator's year, for the month-by-month table
    (one query)."""
    return {
        (unit_id, Period(year, kind, number).key): value
        for unit_id, kind, number, value in IndicatorValue.objects.filter(
            indicator=indicator, year=year, unit__in=units
        ).values_list("unit_id", "period_kind", "period_number", "value")
    }


# --- versions -------------------------------------------------------------------------------------


@dataclass
class CellChange:
    row: int
    column: str
    before: object
    after: object


def diff_rows(table: TableSchema, before: list[dict], after: list[dict]) -> list[CellChange]:
    """Cell-by-cell changes between two versions of a submission's rows."""
    changes = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else {}
        new = after[index] if index < len(after) else {}
        for column in table.columns:
            if old.get(column.key) != new.get(column.key):
                changes.append(
                    CellChange(index, column.key, old.get(column.key), new.get(column.key))
                )
    return changes
