"""Benchmark: scoring an assessment scheme at province scale, against the raw SQL the
computation needs at the least.

    .venv/bin/python benchmarks/assessment.py          # 103 counties, 20,000 tasks
    .venv/bin/python benchmarks/assessment.py --quick  # 20 counties, 4,000 tasks (CI)
    .venv/bin/python benchmarks/assessment.py --database-url postgres://...  # an empty one

It makes a throw-away SQLite database in a temporary directory (or uses the empty
database given), migrates it, and seeds last year's data of a province: the
organisation and 20,000 tasks in 8 task lists from `zhuanban.tasks.scale` (through the
supervision benchmark's `seed_province`), their measures then given due dates over the
year, most of them counting in the assessment, about three in five closed (most on
time, some late) and the rest still open; monthly dispatch rounds of six statistical
tables for the whole year, every county answering (most on time, some late, a few
never); eight indicators (stocks reported as the latest value, flows summed, one
ceiling) with a target per county and monthly values; and 300 issued notices with
their units (the supervision benchmark's `seed_notices`). Then, through the services as
the office would, a scheme for that year (self-assessment open, so every score row
exists) of 60 leaf items under 6 weighted headings, 24 of them automatic (tasks of each
list, each indicator, each table's reports, two notice deductions) and 36 manual, for
the 103 counties.

It measures, each figure the best of three runs:

- scoring_compute: `scoring.compute(scheme, as_of=31 December)`, every automatic score
  of every county, with the time of each method's part;
- scoring_floor: the raw GROUP BYs that computation needs at the least, one per method
  (tasks by list, lead unit's path and county's path with the on-time count;
  submissions by table and unit path with the on-time count; indicator values, the
  latest per unit for stocks and summed for flows, and the targets; recipients of
  supervision notices by unit path), run on a raw cursor and fetched; printed beside
  it as `ratio scoring_compute`;
- scoring_apply: the write path as `services.compute_automatic` runs it, in one
  transaction: `services._apply_automatic` (compute, then upsert every computed score)
  and `services.recompute_totals`.

A constant number of queries: compute's queries are counted for the full scheme over
the year and for a small scheme of the same methods (6 items, 10 counties) over the
first half of the year, and must be equal (`scoring_queries_constant 1 bool`). The
write path's queries grow with the statements the score rows are written in (500 rows
a statement, 76 on SQLite), and `scoring.totals` is counted on both schemes too
(`totals_queries_constant`, printed, not enforced). Before timing, the computed basis
of every county and item is checked against the floor's rows.

The tasks, submissions and indicator values are written in bulk as the services would
store them, without the tasks' timelines or the submissions' revisions and value store
(nothing scored reads them); the schemes go through the assessment services. One audit
event records the seeding.

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor).
"""

import argparse
import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from harness import add_database_arguments, best_of, figure, ratio, workspace
from supervision import Province, moment, seed_notices
from supervision import seed_province as supervision_seed_province

TABLES = [  # (code, title)
    ("assess-sowing", "农作物播种面积月报表"),
    ("assess-livestock", "畜牧业生产情况月报表"),
    ("assess-processing", "农畜产品加工业月报表"),
    ("assess-farmland", "高标准农田建设进度月报表"),
    ("assess-investment", "招商引资项目进展月报表"),
    ("assess-coldchain", "冷链物流设施建设月报表"),
]
# (code, name, unit of measure, aggregation, higher is better, annual target per county)
INDICATORS = [
    ("assess-cattle", "肉牛存栏", "万头", "latest", True, 5),
    ("assess-sheep", "肉羊存栏", "万只", "latest", True, 40),
    ("assess-potato-area", "马铃薯种植面积", "万亩", "latest", True, 20),
    ("assess-greenhouse", "设施农业面积", "万亩", "latest", True, 2),
    ("assess-milk", "生鲜乳产量", "万吨", "sum", True, 8),
    ("assess-meat", "肉类产量", "万吨", "sum", True, 3),
    ("assess-output", "农牧业总产值", "亿元", "sum", True, 30),
    ("assess-fertiliser", "化肥施用量", "万吨", "sum", False, 1),
]
NOTICE_ITEMS = [("督查通报扣分", Decimal(1)), ("督办事项逾期扣分", Decimal("0.5"))]
# The six headings (title, weight) and the manual items filling each up to ten leaves.
HEADINGS = [
    ("重点任务落实", Decimal(30)),
    ("产业发展指标", Decimal(20)),
    ("调度报送", Decimal(10)),
    ("督查督办", Decimal(10)),
    ("工作成效", Decimal(15)),
    ("党建和作风建设", Decimal(15)),
]
LEAVES_PER_HEADING = 10
LEAF_POINTS = Decimal(10)
MANUAL_TITLES = [
    "组织领导有力，专班运行规范",
    "工作机制健全，责任分工明确",
    "宣传引导到位，典型经验推广",
    "创新举措成效明显",
    "资金保障落实到位",
    "档案资料规范完整",
    "信息报送及时准确",
    "群众满意度测评",
    "上级领导批示肯定",
    "党风廉政建设责任落实",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="20 counties, 4,000 tasks, 100 notices"
    )
    parser.add_argument("--counties", type=int)
    parser.add_argument("--tasks", type=int, help="tasks of the scale generator")
    parser.add_argument("--lists", type=int, help="task lists the tasks are in")
    parser.add_argument("--notices", type=int, help="issued notices")
    add_database_arguments(parser)
    args = parser.parse_args()
    args.counties = args.counties or (20 if args.quick else 103)
    args.tasks = args.tasks or (4_000 if args.quick else 20_000)
    args.lists = args.lists or 8
    args.notices = args.notices or (100 if args.quick else 300)
    return args


# --- seeding: the province, its tasks over the year -----------------------------------------


def seed_province(counties: int, tasks: int, lists: int, today: datetime.date) -> Province:
    """The supervision benchmark's province, with the tasks in `lists` task lists."""
    return supervision_seed_province(counties, tasks, today, lists=lists)


def spread_tasks(rng: random.Random, p: Province) -> None:
    """Give the measures the scale generator made (its dates follow the warning lights
    around `today`) due dates over the year and assessment outcomes: most count in the
    assessment; of those live, about three in five closed (four in five of them by the
    deadline), the rest still at work; a few are due early next year. Drafts stay drafts.
    One raw UPDATE per task, as `tasks.services` would have left the row."""
    from django.db import connection

    from zhuanban.tasks.lifecycle import Status
    from zhuanban.tasks.models import Task

    year = p.year
    first, days = datetime.date(year, 1, 1), 365
    now = moment(p.today, 23)
    day = connection.ops.adapt_datefield_value
    instant = connection.ops.adapt_datetimefield_value
    rows = []
    for pk, status in Task.objects.filter(depth=1).values_list("pk", "status").order_by("pk"):
        if rng.random() < 0.06:
            due = datetime.date(year + 1, 1, 1) + datetime.timedelta(days=rng.randrange(90))
        else:
            due = first + datetime.timedelta(days=rng.randrange(days))
        start = min(due, first + datetime.timedelta(days=rng.randrange(60)))
        closed_at = None
        if status == Status.DRAFT:
            progress, assigned_at = 0, None
        else:
            draw = rng.random()
            if draw < 0.60:
                status, progress = Status.CLOSED, 100
                if rng.random() < 0.8:
                    done = due - datetime.timedelta(days=rng.randint(0, 40))
                else:
                    done = due + datetime.timedelta(days=rng.randint(1, 45))
                closed_at = min(moment(max(done, start), 16), now)
            elif draw < 0.66:
                status, progress = Status.CLOSE_REQUESTED, 100
            elif draw < 0.74:
                status, progress = Status.ASSIGNED, 0
            else:
                status, progress = Status.IN_PROGRESS, rng.randint(5, 95)
            assigned_at = moment(start, 9)
        rows.append(
            (
                day(start),
                day(due),
                day(due),
                False,
                "",
                status,
                progress,
                instant(assigned_at) if assigned_at else None,
                instant(closed_at) if closed_at else None,
                rng.random() < 0.85,
                pk,
            )
        )
    columns = (
        "start_date",
        "due_date",
        "original_due_date",
        "is_ongoing",
        "due_text",
        "status",
        "progress",
        "assigned_at",
        "closed_at",
        "counts_in_assessment",
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(Task._meta.db_table)} SET "  # noqa: S608 (names from the model)
            + ", ".join(f"{quote(c)} = %s" for c in columns)
            + f" WHERE {quote('id')} = %s",
            rows,
        )
    p.counts["measures"] = len(rows)


# --- seeding: a year of dispatch data --------------------------------------------------------


def office_staff(p: Province):
    from django.contrib.auth import get_user_model

    office = p.offices[0]
    return office, get_user_model().objects.get(pk=p.staff[office.pk][0])


def seed_dispatch(rng: random.Random, p: Province) -> tuple[list, list]:
    """The year's monthly rounds of each table (due on the 5th of the next month: the
    December round falls due next year), every county answering: most on time, some
    late, a few never; and the indicators with a target per county and a value a month
    (a few counties report none), some counties behind. Returns (templates, indicators).
    """
    from zhuanban.dispatch import services
    from zhuanban.dispatch.models import (
        Cadence,
        IndicatorValue,
        RowMode,
        Submission,
        SubmissionStatus,
        Target,
    )
    from zhuanban.dispatch.periods import Period, PeriodKind

    office, staff = office_staff(p)
    year = p.year
    schema = {
        "columns": [
            {"key": "done", "label": "本月完成", "type": "decimal", "decimals": 2, "min": 0},
            {"key": "total", "label": "累计完成", "type": "decimal", "decimals": 2, "min": 0},
            {"key": "note", "label": "工作进展", "type": "text"},
        ]
    }
    templates, rounds = [], []
    for code, title in TABLES:
        template = services.template_create(
            actor=staff,
            office=office,
            code=code,
            title=title,
            schema=schema,
            units=p.counties,
            row_mode=RowMode.PER_UNIT,
        )
        templates.append(template)
        for month in range(1, 13):
            period = Period(year, PeriodKind.MONTH, month)
            due = period.end + datetime.timedelta(days=5)
            rounds.append(
                services.round_open(
                    actor=staff,
                    template=template,
                    cadence=Cadence.MONTHLY_DISPATCH,
                    period=period,
                    opens_on=period.end - datetime.timedelta(days=3),
                    due_on=due,
                    locks_on=due + datetime.timedelta(days=10),
                )
            )
    due_on = {round_.pk: round_.due_on for round_ in rounds}
    submissions = list(Submission.objects.filter(round__in=rounds))
    for submission in submissions:
        draw = rng.random()
        if draw < 0.05:  # never reported, or sent back and not sent again
            submission.status = rng.choice(
                [SubmissionStatus.PENDING, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]
            )
            continue
        late = rng.randint(1, 12) if draw < 0.18 else -rng.randint(0, 4)
        day = due_on[submission.round_id] + datetime.timedelta(days=late)
        done = Decimal(rng.randint(100, 999999)).scaleb(-2)
        submission.data = [
            {"done": format(done, "f"), "total": format(done, "f"), "note": "按计划推进"}
        ]
        submission.status = SubmissionStatus.APPROVED
        submission.revision = 1
        submission.first_submitted_at = submission.submitted_at = moment(day, 10)
        submission.approved_at = moment(day, 16)
    Submission.objects.bulk_update(
        submissions,
        ["status", "data", "revision", "first_submitted_at", "submitted_at", "approved_at"],
        batch_size=500,
    )

    indicators = [
        services.indicator_save(
            actor=staff,
            code=code,
            name=name,
            unit_of_measure=uom,
            aggregation=aggregation,
            higher_is_better=higher,
            office=office,
            decimals=2,
            sort_order=n,
        )
        for n, (code, name, uom, aggregation, higher, _target) in enumerate(INDICATORS)
    ]
    targets, values = [], []
    for indicator, (*_spec, target) in zip(indicators, INDICATORS, strict=True):
        for county in p.counties:
            targets.append(Target(indicator=indicator, unit=county, year=year, value=target))
            if rng.random() < 0.03:
                continue  # never reported
            pace = rng.choice([1.15, 1.05, 1.0, 0.95, 0.85, 0.7])
            for month in range(1, 13):
                period = Period(year, PeriodKind.MONTH, month)
                share = month / 12 if indicator.aggregation == "latest" else 1 / 12
                values.append(
                    IndicatorValue(
                        indicator=indicator,
                        unit=county,
                        year=year,
                        period_kind=period.kind,
                        period_number=month,
                        period_end=period.end,
                        value=Decimal(target * pace * share).quantize(Decimal("0.01")),
                    )
                )
    Target.objects.bulk_create(targets, batch_size=2000)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    p.counts |= {
        "tables": len(templates),
        "dispatch_rounds": len(rounds),
        "submissions": len(submissions),
        "indicators": len(indicators),
        "indicator_values": len(values),
    }
    return templates, indicators


# --- seeding: the schemes, through the services ---------------------------------------------


@dataclass
class Leaf:
    title: str
    method: str
    task_list: object = None
    indicator: object = None
    template: object = None
    points_per_notice: Decimal | None = None


def make_scheme(
    p: Province, title: str, headings: list[tuple[str, Decimal | None, list[Leaf]]], units
):
    """A scheme for the year made and opened as the office would: details, the units
    assessed, the items one by one, then self-assessment opened (which creates every
    score row and computes the automatic ones)."""
    from zhuanban.assessment import services
    from zhuanban.assessment.lifecycle import SchemeAction

    office, staff = office_staff(p)
    year = p.year
    scheme = services.scheme_save(
        actor=staff,
        office=office,
        data={
            "title": title,
            "year": year,
            "assessor": "规模测试省委农村牧区工作领导小组",
            "basis": "规模测试年度考核实施方案",
            "period_start": datetime.date(year, 1, 1),
            "period_end": datetime.date(year, 12, 31),
            "self_due": datetime.date(year + 1, 1, 15),
            "review_due": datetime.date(year + 1, 1, 31),
        },
    )
    services.participants_set(actor=staff, scheme=scheme, units=units)
    for heading_title, weight, leaves in headings:
        heading = services.item_save(
            actor=staff,
            scheme=scheme,
            data={
                "title": heading_title,
                "max_score": LEAF_POINTS * len(leaves),
                "weight": weight,
            },
        )
        for leaf in leaves:
            services.item_save(
                actor=staff,
                scheme=scheme,
                parent=heading,
                data={
                    "title": leaf.title,
                    "max_score": LEAF_POINTS,
                    "method": leaf.method,
                    "task_list": leaf.task_list,
                    "indicator": leaf.indicator,
                    "template": leaf.template,
                    "points_per_notice": leaf.points_per_notice,
                    "criteria": "按考核细则计分",
                    "evidence_required": "工作台账、相关文件及图片资料",
                },
            )
    return services.scheme_act(
        actor=staff,
        scheme=scheme,
        action=SchemeAction.OPEN,
        as_of=datetime.date(year, 12, 31),
    )


def scheme_headings(task_lists, indicators, templates):
    """Six weighted headings of ten leaves: tasks of every list, every indicator, every
    table's reports and two notice deductions, the rest manual."""
    from zhuanban.assessment.models import Method

    automatic = [
        [Leaf(f"{tl.title}按期完成率", Method.TASKS, task_list=tl) for tl in task_lists],
        [Leaf(f"{i.name}目标完成情况", Method.INDICATOR, indicator=i) for i in indicators],
        [Leaf(f"{t.title}按时报送率", Method.DISPATCH, template=t) for t in templates],
        [Leaf(text, Method.NOTICES, points_per_notice=pts) for text, pts in NOTICE_ITEMS],
    ]
    headings = []
    for n, (title, weight) in enumerate(HEADINGS):
        leaves = (automatic[n] if n < len(automatic) else [])[:LEAVES_PER_HEADING]
        leaves += [
            Leaf(MANUAL_TITLES[k % len(MANUAL_TITLES)], Method.MANUAL)
            for k in range(LEAVES_PER_HEADING - len(leaves))
        ]
        headings.append((title, weight, leaves))
    return headings


def small_headings(task_lists, indicators, templates):
    """One leaf of every method (an indicator of each aggregation): the small scheme the
    queries are counted on for comparison."""
    from zhuanban.assessment.models import Method

    latest = next(i for i in indicators if i.aggregation == "latest")
    summed = next(i for i in indicators if i.aggregation != "latest")
    leaves = [
        Leaf("任务按期完成率", Method.TASKS, task_list=task_lists[0]),
        Leaf("存栏目标完成情况", Method.INDICATOR, indicator=latest),
        Leaf("产量目标完成情况", Method.INDICATOR, indicator=summed),
        Leaf("按时报送率", Method.DISPATCH, template=templates[0]),
        Leaf("督查通报扣分", Method.NOTICES, points_per_notice=Decimal(1)),
        Leaf("工作成效", Method.MANUAL),
    ]
    return [("综合考核", None, leaves)]


def seed(args):
    from django.db import connection, transaction
    from django.utils import timezone

    from zhuanban.core import audit
    from zhuanban.core.models import AuditAction
    from zhuanban.tasks.models import TaskList

    rng = random.Random(2023)  # noqa: S311 (made-up data, not secrets)
    year = timezone.localdate().year - 1  # last year, all of it in the past
    today = datetime.date(year, 12, 31)  # the scale data is drawn around the year's end
    with transaction.atomic():
        p = seed_province(args.counties, args.tasks, args.lists, today)
        p.year = year  # the supervision benchmark's notices are of the year before `today`
        spread_tasks(rng, p)
        templates, indicators = seed_dispatch(rng, p)
        seed_notices(rng, p, args.notices)
        task_lists = list(TaskList.objects.filter(office__in=p.offices).order_by("pk"))
        scheme = make_scheme(
            p,
            f"规模测试{year}年度农牧业重点工作考核",
            scheme_headings(task_lists, indicators, templates),
            p.counties,
        )
        small = make_scheme(
            p,
            f"规模测试{year}年度专项考核（小）",
            small_headings(task_lists, indicators, templates),
            p.counties[:10],
        )
        audit.record(
            actor=None,
            action=AuditAction.SYSTEM,
            message="assessment benchmark data seeded: "
            + ", ".join(f"{name} {count}" for name, count in p.counts.items()),
        )
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of bulk loads in production: without it,
        # the planner takes the tables for empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return p, scheme, small


# --- the floor ------------------------------------------------------------------------------


def local_date(column: str) -> tuple[str, list]:
    """SQL for the local date of a stored moment, and its parameters (Django compares
    `moment__date` in the current time zone)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "sqlite":
        offset = timezone.localtime().utcoffset().total_seconds() // 60
        return f"date({column}, %s)", [f"{offset:+.0f} minutes"]
    return f"CAST(({column} AT TIME ZONE %s) AS date)", [settings.TIME_ZONE]


def floor_statements(scheme, start: datetime.date, end: datetime.date) -> dict[str, list]:
    """{method: [(sql, parameters)]}: the least each automatic method needs."""
    from django.db import connection

    from zhuanban.dispatch.models import DispatchRound, IndicatorValue, Submission, Target
    from zhuanban.org.models import OrgUnit
    from zhuanban.supervision.models import Notice, NoticeRecipient
    from zhuanban.tasks.models import Task

    items = list(scheme.items.filter(is_heading=False).select_related("indicator"))
    day = connection.ops.adapt_datefield_value
    unit = OrgUnit._meta.db_table

    def ids(values) -> str:
        return ", ".join(str(int(v)) for v in sorted(set(values))) or "NULL"

    lists = ids(i.task_list_id for i in items if i.method == "tasks")
    closed_on, closed_params = local_date("t.closed_at")
    tasks = (
        "SELECT t.task_list_id, l.path, c.path, COUNT(*), "  # noqa: S608 (names from the models)
        f"SUM(CASE WHEN t.status = 'closed' AND {closed_on} <= t.due_date THEN 1 ELSE 0 END) "
        f"FROM {Task._meta.db_table} t LEFT JOIN {unit} l ON l.id = t.lead_unit_id "
        f"LEFT JOIN {unit} c ON c.id = t.county_id "
        f"WHERE t.task_list_id IN ({lists}) AND t.is_heading = %s "
        "AND t.counts_in_assessment = %s AND t.due_date >= %s AND t.due_date <= %s "
        "AND t.status <> 'draft' GROUP BY t.task_list_id, l.path, c.path"
    )
    tables = ids(i.template_id for i in items if i.method == "dispatch")
    submitted_on, submitted_params = local_date("s.first_submitted_at")
    dispatch = (
        "SELECT r.template_id, u.path, COUNT(*), "  # noqa: S608 (names from the models)
        f"SUM(CASE WHEN s.first_submitted_at IS NOT NULL AND {submitted_on} <= r.due_on "
        f"THEN 1 ELSE 0 END) FROM {Submission._meta.db_table} s "
        f"JOIN {DispatchRound._meta.db_table} r ON r.id = s.round_id "
        f"JOIN {unit} u ON u.id = s.unit_id WHERE r.template_id IN ({tables}) "
        "AND r.due_on >= %s AND r.due_on <= %s GROUP BY r.template_id, u.path"
    )
    indicators = [i.indicator for i in items if i.method == "indicator"]
    latest = ids(i.pk for i in indicators if i.aggregation == "latest")
    summed = ids(i.pk for i in indicators if i.aggregation == "sum")
    values = IndicatorValue._meta.db_table
    latest_values = (
        f"SELECT v.indicator_id, u.path, v.value FROM {values} v "  # noqa: S608 (names from the models)
        f"JOIN {unit} u ON u.id = v.unit_id WHERE v.indicator_id IN ({latest}) "
        "AND v.year = %s AND v.period_end = (SELECT MAX(w.period_end) "
        f"FROM {values} w WHERE w.indicator_id = v.indicator_id AND w.unit_id = v.unit_id "
        "AND w.year = %s AND w.period_end <= %s)"
    )
    summed_values = (
        f"SELECT v.indicator_id, u.path, SUM(v.value) FROM {values} v "  # noqa: S608 (names from the models)
        f"JOIN {unit} u ON u.id = v.unit_id WHERE v.indicator_id IN ({summed}) "
        "AND v.year = %s AND v.period_end <= %s GROUP BY v.indicator_id, u.path"
    )
    targets = (
        f"SELECT indicator_id, unit_id, value FROM {Target._meta.db_table} "  # noqa: S608 (names from the models)
        f"WHERE indicator_id IN ({ids(i.pk for i in indicators)}) AND year = %s"
    )
    issued_on, issued_params = local_date("n.issued_at")
    notices = (
        f"SELECT u.path, COUNT(*) FROM {NoticeRecipient._meta.db_table} nr "  # noqa: S608 (names from the models)
        f"JOIN {Notice._meta.db_table} n ON n.id = nr.notice_id "
        f"JOIN {unit} u ON u.id = nr.unit_id WHERE n.kind = 'supervision' "
        "AND n.status IN ('issued', 'closed') "
        f"AND {issued_on} >= %s AND {issued_on} <= %s GROUP BY u.path"
    )
    first, last, year = day(start), day(end), scheme.year
    return {
        "tasks": [(tasks, [*closed_params, False, True, first, last])],
        "dispatch": [(dispatch, [*submitted_params, first, last])],
        "indicator": [
            (latest_values, [year, year, last]),
            (summed_values, [year, last]),
            (targets, [year]),
        ],
        "notices": [(notices, [*issued_params, first, *issued_params, last])],
    }


def run_statements(statements: list) -> Callable[[], list]:
    from django.db import connection

    def run():
        results = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
        return results

    return run


def rounded(value) -> Decimal | None:
    """A value as the ORM or a raw cursor gives it (SQLite: a float), to compare."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def check_against_floor(scheme, computed: dict, statements: dict) -> int:
    """Every county's computed basis, recounted from the floor's rows; returns the tasks
    counted (for the figures). Exits on the first difference."""
    from zhuanban.assessment.models import Method

    participants = list(scheme.participants.select_related("unit"))
    items = list(scheme.items.filter(is_heading=False).exclude(method=Method.MANUAL))
    (task_rows,) = run_statements(statements["tasks"])()
    (dispatch_rows,) = run_statements(statements["dispatch"])()
    latest_rows, summed_rows, target_rows = run_statements(statements["indicator"])()
    (notice_rows,) = run_statements(statements["notices"])()
    within = {p.pk: p.unit.path for p in participants}

    def tally(rows, key_of, paths_of):
        found: dict = defaultdict(lambda: [0, 0])
        for row in rows:
            for pk, path in within.items():
                if any(q and q.startswith(path) for q in paths_of(row)):
                    found[(key_of(row), pk)][0] += row[-2]
                    found[(key_of(row), pk)][1] += row[-1]
        return found

    tasks = tally(task_rows, lambda r: r[0], lambda r: (r[1], r[2]))
    reports = tally(dispatch_rows, lambda r: r[0], lambda r: (r[1],))
    received = {
        pk: sum(n for path, n in notice_rows if path.startswith(mine))
        for pk, mine in within.items()
    }
    actual = {(i, path): rounded(v) for i, path, v in [*latest_rows, *summed_rows]}
    target = {(i, unit): rounded(v) for i, unit, v in target_rows}
    counted = 0
    for participant in participants:
        for item in items:
            basis = computed[(participant.pk, item.pk)].basis
            if item.method == Method.TASKS:
                due, on_time = tasks.get((item.task_list_id, participant.pk), (0, 0))
                expected = {"due": due, "on_time": on_time}
                counted += due
            elif item.method == Method.DISPATCH:
                total, on_time = reports.get((item.template_id, participant.pk), (0, 0))
                expected = {"reports": total, "on_time": on_time}
            elif item.method == Method.NOTICES:
                expected = {"notices": received[participant.pk]}
                basis = {"notices": basis["notices"]}
            else:
                value = actual.get((item.indicator_id, participant.unit.path))
                goal = target.get((item.indicator_id, participant.unit_id))
                expected = {"actual": value, "target": goal}
                basis = {key: rounded(basis[key]) for key in ("actual", "target")}
            if basis != expected:
                raise SystemExit(
                    f"{participant.unit.name}, item {item.number}{item.title}: computed "
                    f"{basis}, the floor's rows say {expected}"
                )
    return counted


# --- measuring ------------------------------------------------------------------------------


def method_parts(scheme, as_of: datetime.date) -> dict[str, Callable[[], object]]:
    """Each method's part of `compute` on its own (the items and units loaded once)."""
    from zhuanban.assessment import scoring
    from zhuanban.assessment.models import Method

    start, end = scoring.period_of(scheme, as_of)
    participants = list(scheme.participants.select_related("unit"))
    items = list(scheme.items.filter(is_heading=False).select_related("indicator"))
    by_method = defaultdict(list)
    for item in items:
        by_method[item.method].append(item)
    return {
        "tasks": lambda: scoring._tasks(by_method[Method.TASKS], participants, start, end),
        "indicator": lambda: scoring._indicators(
            by_method[Method.INDICATOR], participants, scheme.year, end
        ),
        "dispatch": lambda: scoring._dispatch(by_method[Method.DISPATCH], participants, start, end),
        "notices": lambda: scoring._notices(by_method[Method.NOTICES], participants, start, end),
    }


def apply_path(scheme, as_of: datetime.date) -> Callable[[], object]:
    """The write path of `services.compute_automatic`, without its lock and audit entry."""
    from django.db import transaction

    from zhuanban.assessment import services

    def run():
        with transaction.atomic():
            count = services._apply_automatic(scheme, as_of=as_of)
            services.recompute_totals(scheme)
        return count

    return run


def main() -> None:
    args = parse_args()
    with workspace(args.database_url, args.keep):
        from django.db.models import Count

        from zhuanban.assessment import scoring
        from zhuanban.assessment.models import Method, Participant, Score
        from zhuanban.tasks.models import TaskList

        started = time.perf_counter()
        p, scheme, small = seed(args)
        figure("seed_s", time.perf_counter() - started, "s")
        end = scheme.period_end
        half = datetime.date(scheme.year, 6, 30)
        items = scheme.items.filter(is_heading=False)
        by_method = dict(items.values_list("method").annotate(n=Count("pk")).order_by())
        figure("tasks", p.counts["tasks"], "count")
        figure("units", scheme.participants.count(), "count")
        figure("items", items.count(), "count")
        figure("headings", scheme.items.filter(is_heading=True).count(), "count")
        for method in Method.values:
            figure(f"items_{method}", by_method.get(method, 0), "count")
        figure("scores", Score.objects.filter(participant__scheme=scheme).count(), "count")
        figure("task_lists", TaskList.objects.filter(office__in=p.offices).count(), "count")
        for name in (
            "measures",
            "tables",
            "dispatch_rounds",
            "submissions",
            "indicators",
            "indicator_values",
            "notices",
            "notice_recipients",
        ):
            figure(name, p.counts.get(name, 0), "count")

        # Correct before fast: every county's computed basis against the floor's rows.
        statements = floor_statements(scheme, *scoring.period_of(scheme, end))
        computed = scoring.compute(scheme, as_of=end)
        figure("scores_computed", len(computed), "count")
        figure("tasks_counted", check_against_floor(scheme, computed, statements), "count")
        small_statements = floor_statements(small, *scoring.period_of(small, half))
        small_computed = scoring.compute(small, as_of=half)
        figure(
            "tasks_counted_small",
            check_against_floor(small, small_computed, small_statements),
            "count",
        )
        figure("units_small", small.participants.count(), "count")
        figure("items_small", small.items.filter(is_heading=False).count(), "count")

        # compute against the floor, and each method's part against its own
        floor = run_statements([s for method in statements.values() for s in method])
        ours_s, queries = best_of(lambda: scoring.compute(scheme, as_of=end))
        floor_s, floor_queries = best_of(floor)
        figure("scoring_compute_ms", ours_s * 1000, "ms")
        figure("scoring_floor_ms", floor_s * 1000, "ms")
        figure("scoring_queries", queries, "count")
        figure("scoring_floor_queries", floor_queries, "count")
        ratio("scoring_compute", ours_s, floor_s)
        for method, run in method_parts(scheme, end).items():
            part_s, part_queries = best_of(run)
            part_floor_s, _queries = best_of(run_statements(statements[method]))
            figure(f"scoring_compute_{method}_ms", part_s * 1000, "ms")
            figure(f"scoring_floor_{method}_ms", part_floor_s * 1000, "ms")
            figure(f"scoring_compute_{method}_queries", part_queries, "count")

        # a constant number of queries: the small scheme over half the year
        _small_s, small_queries = best_of(lambda: scoring.compute(small, as_of=half), runs=1)
        figure("scoring_queries_small", small_queries, "count")
        figure("scoring_queries_constant", int(small_queries == queries), "bool")
        if small_queries != queries:
            raise SystemExit(
                f"compute asks {small_queries} queries for the small scheme, {queries} for "
                "the full one"
            )

        # the write path
        apply_s, apply_queries = best_of(apply_path(scheme, end))
        figure("scoring_apply_ms", apply_s * 1000, "ms")
        figure("scoring_apply_queries", apply_queries, "count")
        _small_s, small_apply_queries = best_of(apply_path(small, half), runs=1)
        figure("scoring_apply_queries_small", small_apply_queries, "count")
        # totals alone (its docstring says two queries), reported but not enforced here
        totals_s, totals_queries = best_of(lambda: scoring.totals(scheme))
        _small_s, small_totals_queries = best_of(lambda: scoring.totals(small), runs=1)
        figure("totals_ms", totals_s * 1000, "ms")
        figure("totals_queries", totals_queries, "count")
        figure("totals_queries_small", small_totals_queries, "count")
        figure("totals_queries_constant", int(totals_queries == small_totals_queries), "bool")
        graded = Participant.objects.filter(scheme=scheme, total__isnull=False).count()
        if graded != scheme.participants.count():
            raise SystemExit("the write path left units without a total")


if __name__ == "__main__":
    main()
