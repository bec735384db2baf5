"""Benchmark: the leader dashboard at province scale, against the raw SQL aggregates it
needs at the least.

    .venv/bin/python benchmarks/dashboard.py          # 103 counties, 20,000 tasks
    .venv/bin/python benchmarks/dashboard.py --quick  # 11 counties, 2,000 tasks (CI):
        # 9 tables, 200 enterprises, 500 projects, 60 notices, 300 other items
    .venv/bin/python benchmarks/dashboard.py --database-url postgres://...  # an empty one

It makes a throw-away SQLite database in a temporary directory (or uses the empty
database given), migrates it, and seeds a province as issue 11 sizes it:

- the organisation and 20,000 tasks in the task lists of nine offices from
  `zhuanban.tasks.scale` (through the supervision benchmark's `seed_province`): measures
  spread over the counties, in every state, with due dates around today so every light
  shows;
- a year of monthly dispatch rounds (the twelve latest months open by today) of 38
  per-county tables spread over the offices, most answered on time, some late, a few
  never, the rounds past their lock date locked, this month's still open; eight
  indicators (stocks and flows) with a target per county for this year and last, and a
  value a month for every county whose submission of the table feeding it was approved;
- 2,000 brand enterprises (each with its org unit under its county), their approved
  applications and licences (valid, expired, not yet in force, revoked) and their sales
  this year and last;
- 5,000 investment projects of eight chains at every stage with their stage dates,
  progress reports, the promotion activities that attracted them, and upward
  applications over three years;
- supervision notices over this year and last with their units, the rectification
  items they raise and assessment and brand ones (in every state, with the units'
  reports), and a small assessment scheme of last year scored for every county.

Then it measures, for the bureau leader of the scale data (who sees everything):

- dashboard_cold: `reports.selectors.build_dashboard(leader, DashboardScope("bureau",
  None))`, the server work of the dashboard without its cache, the median of several
  runs after one untimed run (imports, content types, query plans) whose figures are
  checked against the floor's: the tasks by light, licensees, notices, rectifications,
  projects, every open round's completeness and every indicator's total;
- dashboard_floor: the raw SQL the dashboard needs at the least, run on a raw cursor
  and fetched: tasks by light per office and county, indicator values per indicator and
  county (summed flows, latest stocks) this year and last with the targets,
  completeness of the open rounds, notices this year and last year to the same date,
  rectifications open and overdue, enterprises, licensees valid and sales by year,
  projects per stage and light, activities and the projects they attracted this year,
  upward funding per year, the latest assessment's ranking, and the names of the
  counties and offices. It takes turns with dashboard_cold, run for run, so that a busy
  machine slows both alike; `ratio dashboard_cold` is their medians' ratio;
- dashboard_warm: `reports.selectors.dashboard(...)`, the cached path, after one call
  filled the cache, the median of as many runs;
- the queries of each (dashboard_queries, dashboard_warm_queries,
  dashboard_floor_queries).

It exits non-zero, after printing every figure, when the dashboard shows a figure the
floor does not count.

The rows are written with bulk inserts, holding what the services would have stored
(timelines, revisions, per-object audit entries and files are not made); the tables,
rounds, indicators and the assessment scheme go through the services.

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor).
"""

import argparse
import datetime
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from assessment import make_scheme, small_headings
from harness import add_database_arguments, figure, ratio, workspace
from supervision import Province, Raised, moment, other_sources, seed_items, seed_province

RUNS = 7
TABLES = 38
MONTHS = 12
OBJECTS = [
    "马铃薯种植",
    "燕麦种植",
    "设施蔬菜",
    "肉牛养殖",
    "肉羊养殖",
    "奶业生产",
    "冷凉蔬菜",
    "杂粮杂豆",
    "高标准农田",
    "农畜产品加工",
    "冷链物流",
    "种业发展",
    "品牌建设",
]
# (code, name, unit of measure, aggregation, higher is better, annual target per county)
INDICATORS = [
    ("dash-cattle", "肉牛存栏", "万头", "latest", True, 5),
    ("dash-dairy", "奶牛存栏", "万头", "latest", True, 2),
    ("dash-sheep", "肉羊存栏", "万只", "latest", True, 40),
    ("dash-potato-area", "马铃薯种植面积", "万亩", "latest", True, 20),
    ("dash-milk", "生鲜乳产量", "万吨", "sum", True, 8),
    ("dash-meat", "肉类产量", "万吨", "sum", True, 3),
    ("dash-output", "农牧业总产值", "亿元", "sum", True, 30),
    ("dash-fertiliser", "化肥施用量", "万吨", "sum", False, 1),
]
CHAINS = [  # (code, name, short name)
    ("dash-wheat", "小麦产业链", "麦"),
    ("dash-vegetable", "蔬菜产业链", "菜"),
    ("dash-potato", "马铃薯产业链", "薯"),
    ("dash-cattle", "肉牛产业链", "牛"),
    ("dash-sheep", "肉羊产业链", "羊"),
    ("dash-dairy", "奶业产业链", "乳"),
    ("dash-oats", "燕麦产业链", "燕"),
    ("dash-grain", "杂粮杂豆产业链", "粮"),
]
# Where the projects stand (weights): most early in the pipeline, some producing.
STAGE_WEIGHTS = [
    ("planned", 22),
    ("negotiating", 25),
    ("signed", 18),
    ("landed", 12),
    ("started", 12),
    ("producing", 8),
    ("dropped", 3),
]
AUTHORITIES = [
    ("看板测试市委农牧办", "中共看板测试市委农村牧区工作办公室", "看测农牧督"),
    ("看板测试市农牧局", "看板测试市农牧局", "看测农牧局督"),
    ("看板测试市督查室", "看板测试市人民政府督查室", "看测政督"),
]
REQUIREMENTS = [
    "立即整改，补齐相关设施并建立台账",
    "限期补齐档案资料，报送整改情况",
    "制定整改方案，明确责任人和完成时限",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="11 counties, 2,000 tasks, 200 licensees, 500 projects, 60 notices",
    )
    parser.add_argument("--counties", type=int)
    parser.add_argument("--tasks", type=int, help="tasks of the scale generator")
    parser.add_argument("--tables", type=int, help="per-county dispatch tables")
    parser.add_argument("--enterprises", type=int, help="brand enterprises")
    parser.add_argument("--projects", type=int, help="investment projects")
    parser.add_argument("--notices", type=int, help="issued notices over this year and last")
    parser.add_argument("--items", type=int, help="rectification items not from notices")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each (median)")
    add_database_arguments(parser)
    args = parser.parse_args()
    args.counties = args.counties or (11 if args.quick else 103)
    args.tasks = args.tasks or (2_000 if args.quick else 20_000)
    args.tables = args.tables or (TABLES // 4 if args.quick else TABLES)
    args.enterprises = args.enterprises or (200 if args.quick else 2_000)
    args.projects = args.projects or (500 if args.quick else 5_000)
    args.notices = args.notices or (60 if args.quick else 600)
    args.items = args.items or (300 if args.quick else 3_000)
    return args


# --- seeding: a year of dispatch rounds and the indicators they feed --------------------------


def month_period(year: int, month: int):
    from zhuanban.dispatch.periods import Period, PeriodKind

    return Period(year, PeriodKind.MONTH, month)


def last_months(today: datetime.date, count: int) -> list[tuple[int, int]]:
    """The `count` latest months whose round has opened by `today` (three days before
    the month's end), oldest first."""
    year, month = today.year, today.month
    if today < month_period(year, month).end - datetime.timedelta(days=3):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months = []
    for _n in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def seed_dispatch(rng: random.Random, p: Province, tables: int) -> tuple[list, list]:
    """`tables` per-county tables over the offices, each sent out monthly for the latest
    twelve months; answered (raw UPDATEs, as the services leave the rows), the rounds past
    their lock date locked; and the indicators with their targets and monthly values.
    Returns (templates, indicators)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from zhuanban.dispatch import services
    from zhuanban.dispatch.models import (
        Cadence,
        DispatchRound,
        IndicatorValue,
        RowMode,
        Submission,
        SubmissionStatus,
        Target,
    )

    users = get_user_model().objects.in_bulk([ids[0] for ids in p.staff.values()])
    schema = {
        "columns": [
            {"key": "done", "label": "本月完成", "type": "decimal", "decimals": 2, "min": 0},
            {"key": "total", "label": "累计完成", "type": "decimal", "decimals": 2, "min": 0},
            {"key": "note", "label": "工作进展", "type": "text"},
        ]
    }
    today = p.today
    months = last_months(today, MONTHS)
    templates, rounds = [], []
    for n in range(tables):
        office = p.offices[n % len(p.offices)]
        staff = users[p.staff[office.pk][0]]
        template = services.template_create(
            actor=staff,
            office=office,
            code=f"dash-table-{n + 1:02d}",
            title=f"{OBJECTS[n % len(OBJECTS)]}工作进展月调度表（{n + 1}）",
            schema=schema,
            units=p.counties,
            row_mode=RowMode.PER_UNIT,
        )
        templates.append(template)
        for year, month in months:
            period = month_period(year, month)
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
    # What the daily job does: rounds past their lock date are locked.
    locked = [r for r in rounds if r.locks_on < today]
    for round_ in locked:
        round_.locked_at = moment(round_.locks_on, 1)
    DispatchRound.objects.bulk_update(locked, ["locked_at"], batch_size=500)
    by_pk = {r.pk: r for r in rounds}

    data_field = Submission._meta.get_field("data")
    approved: set[tuple[int, int, int, int]] = set()  # (template, year, month, unit)
    rows = []
    for pk, round_id, unit_id in Submission.objects.filter(round__in=rounds).values_list(
        "pk", "round_id", "unit_id"
    ):
        round_ = by_pk[round_id]
        draw = rng.random()
        if round_.due_on >= today:  # still open: a share has reported so far
            if draw < 0.55:
                continue
            day = today - datetime.timedelta(days=rng.randint(0, (today - round_.opens_on).days))
        elif draw < 0.05:  # never reported
            continue
        else:
            late = rng.randint(1, 9) if draw < 0.18 else -rng.randint(0, 4)
            day = min(round_.due_on + datetime.timedelta(days=late), today)
        done = Decimal(rng.randint(100, 999999)).scaleb(-2)
        data = [{"done": format(done, "f"), "total": format(done, "f"), "note": "按计划推进"}]
        checked = day < today or rng.random() < 0.5
        status = SubmissionStatus.APPROVED if checked else SubmissionStatus.SUBMITTED
        if status == SubmissionStatus.APPROVED:
            approved.add((round_.template_id, round_.year, round_.period_number, unit_id))
        at = moment(day, 10)
        rows.append(
            (
                status,
                data_field.get_db_prep_value(data, connection),
                1,
                connection.ops.adapt_datetimefield_value(at),
                connection.ops.adapt_datetimefield_value(at),
                connection.ops.adapt_datetimefield_value(moment(day, 16) if checked else None),
                pk,
            )
        )
    columns = ("status", "data", "revision", "first_submitted_at", "submitted_at", "approved_at")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(Submission._meta.db_table)} SET "  # noqa: S608 (names from the model)
            + ", ".join(f"{quote(c)} = %s" for c in columns)
            + f" WHERE {quote('id')} = %s",
            rows,
        )

    office, staff = p.offices[0], users[p.staff[p.offices[0].pk][0]]
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
    round_of = {(r.template_id, r.year, r.period_number): r.pk for r in rounds}
    targets, values = [], []
    for n, (indicator, (*_spec, target)) in enumerate(zip(indicators, INDICATORS, strict=True)):
        feeding = templates[n % len(templates)]
        for county in p.counties:
            for year in (today.year - 1, today.year):
                targets.append(Target(indicator=indicator, unit=county, year=year, value=target))
            pace = rng.choice([1.15, 1.05, 1.0, 0.95, 0.85, 0.7])  # some counties behind
            for year, month in months:
                if (feeding.pk, year, month, county.pk) not in approved:
                    continue
                period = month_period(year, month)
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
                        source_round_id=round_of[(feeding.pk, year, month)],
                    )
                )
    Target.objects.bulk_create(targets, batch_size=2000)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    p.counts |= {
        "tables": len(templates),
        "dispatch_rounds": len(rounds),
        "open_rounds": sum(1 for r in rounds if r.locked_at is None and r.opens_on <= today),
        "submissions": len(rounds) * len(p.counties),
        "submissions_reported": len(rows),
        "indicators": len(indicators),
        "indicator_values": len(values),
    }
    return templates, indicators


# --- seeding: the brand register ---------------------------------------------------------------


def seed_brand(rng: random.Random, p: Province, count: int) -> None:
    """Enterprises spread over the counties (each with its org unit), an approved
    application and a licence for most (three-year terms; some expired, a few not yet in
    force, a few revoked), and sales this year and last for many."""
    from stdnum.cn import uscc

    from zhuanban.brand.lifecycle import AppStatus
    from zhuanban.brand.models import Application, Enterprise, EnterpriseKind, Licence, Sales
    from zhuanban.org.models import OrgUnit
    from zhuanban.org.roles import UnitKind

    today = p.today
    brand_office = next((o for o in p.offices if o.name == "品牌办"), p.offices[0])
    issuer = p.staff[brand_office.pk][0]
    counties = [rng.choice(p.counties) for _n in range(count)]
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                code=f"dash-ent-{n:05d}",
                name=f"{county.name}农牧业企业{n + 1}",
                kind=UnitKind.ENTERPRISE,
                parent=county,
                sort_order=n,
            )
            for n, county in enumerate(counties)
        ],
        batch_size=1000,
    )
    for unit, county in zip(units, counties, strict=True):
        unit.path = f"{county.path}{unit.pk}/"
        unit.depth = county.depth + 1
    OrgUnit.objects.bulk_update(units, ["path", "depth"], batch_size=1000)
    kinds = EnterpriseKind.values
    enterprises = []
    for n, (unit, county) in enumerate(zip(units, counties, strict=True)):
        base = f"91{(county.division_code or '150900')[:6]}MA{n:07d}"
        enterprises.append(
            Enterprise(
                unit=unit,
                name=unit.name,
                credit_code=base + uscc.calc_check_digit(base),
                county=county,
                kind=rng.choice(kinds),
                contact_name="联系人",
                contact_phone="0474-0000000",
                association_member=rng.random() < 0.4,
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=1000)
    applications, licences, sales = [], [], []
    for n, enterprise in enumerate(enterprises):
        if rng.random() < 0.1:  # still under review
            applications.append(
                Application(
                    enterprise=enterprise,
                    number=f"DASH-{n:06d}",
                    status=rng.choice([AppStatus.COUNTY_REVIEW, AppStatus.OFFICE_REVIEW]),
                )
            )
            continue
        valid_from = today - datetime.timedelta(days=rng.randint(-20, 4 * 365))
        revoked = valid_from < today and rng.random() < 0.04
        application = Application(
            enterprise=enterprise, number=f"DASH-{n:06d}", status=AppStatus.APPROVED
        )
        applications.append(application)
        licences.append(
            Licence(
                number=f"DASH-{today.year}-{n:06d}",
                enterprise=enterprise,
                application=application,
                valid_from=valid_from,
                valid_until=valid_from + datetime.timedelta(days=3 * 365 - 1),
                issued_by_id=issuer,
                issued_at=moment(valid_from, 10),
                revoked_on=valid_from
                + datetime.timedelta(days=rng.randint(0, (today - valid_from).days))
                if revoked
                else None,
                revoked_reason="复审不合格，予以清退" if revoked else "",
            )
        )
        last = Decimal(rng.randint(50_00, 50_000_00)).scaleb(-2)
        if rng.random() < 0.75:
            sales.append(Sales(enterprise=enterprise, year=today.year - 1, amount=last))
        if rng.random() < 0.6:
            growth = Decimal(rng.randint(-30, 60)) / 100
            amount = (last * (1 + growth)).quantize(Decimal("0.01"))
            sales.append(Sales(enterprise=enterprise, year=today.year, amount=amount))
    Application.objects.bulk_create(applications, batch_size=1000)
    Licence.objects.bulk_create(licences, batch_size=1000)
    Sales.objects.bulk_create(sales, batch_size=1000)
    p.counts |= {
        "enterprises": len(enterprises),
        "licences": len(licences),
        "sales_figures": len(sales),
    }


# --- seeding: the investment pipeline ------------------------------------------------------------


def seed_investment(rng: random.Random, p: Province, count: int) -> None:
    """Chains, projects at every stage with their stage dates (most of this year, some of
    last), a progress report for many, the activities that attracted them, and upward
    applications over three years."""
    from zhuanban.investment.lifecycle import DATE_FIELDS, PIPELINE, Stage
    from zhuanban.investment.models import (
        Activity,
        ActivityKind,
        ProgressReport,
        Project,
        UpwardApplication,
        UpwardKind,
    )
    from zhuanban.org.models import Chain

    today = p.today
    chains = Chain.objects.bulk_create(
        [
            Chain(code=code, name=name, short_name=short, sort_order=n)
            for n, (code, name, short) in enumerate(CHAINS)
        ]
    )
    invest_office = next((o for o in p.offices if o.name == "招商引资办"), p.offices[0])
    entered_by = p.staff[invest_office.pk][0]
    stages, weights = zip(*STAGE_WEIGHTS, strict=True)
    projects = []
    for n in range(count):
        year = today.year if rng.random() < 0.7 else today.year - 1
        county = rng.choice(p.counties)
        chain = rng.choice(chains)
        stage = rng.choices(stages, weights)[0]
        first = max(datetime.date(year, 1, 1), today - datetime.timedelta(days=700))
        day = first + datetime.timedelta(days=rng.randrange(max(1, (today - first).days - 30)))
        dates = {}
        path = PIPELINE if stage == Stage.DROPPED else PIPELINE[: PIPELINE.index(stage) + 1]
        if stage == Stage.DROPPED:
            path = PIPELINE[: rng.randint(1, 3)]
        for reached in path:
            dates[DATE_FIELDS[reached]] = day
            day = min(today, day + datetime.timedelta(days=rng.randint(5, 120)))
        if stage == Stage.DROPPED:
            dates["dropped_on"] = day
        since = max(dates.values())
        projects.append(
            Project(
                name=f"{county.name}{chain.short_name}产业项目{n + 1}",
                year=year,
                chain=chain,
                county=county,
                investor=f"投资企业{n % 400 + 1}",
                investor_origin=rng.choice(["北京", "上海", "广东", "浙江", "山东", "区内"]),
                planned_investment=Decimal(rng.randint(500, 200_000)),
                is_key=rng.random() < 0.15,
                responsible_unit=county,
                stage=stage,
                stage_since=since,
                last_report_on=min(today, since + datetime.timedelta(days=rng.randint(0, 60))),
                drop_reason="投资方资金链断裂" if stage == Stage.DROPPED else "",
                created_by_id=entered_by,
                **dates,
            )
        )
    Project.objects.bulk_create(projects, batch_size=1000)
    reports = [
        ProgressReport(
            project=project,
            reported_on=project.last_report_on,
            text="项目按计划推进。",
            received=Decimal(rng.randint(0, int(project.planned_investment))),
            reported_by_id=entered_by,
        )
        for project in projects
        if project.stage in (Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING)
        and rng.random() < 0.6
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=1000)

    kinds = ActivityKind.values
    activities = []
    for n in range(max(1, count // 4)):
        first = datetime.date(today.year - 1, 1, 1)
        day = first + datetime.timedelta(days=rng.randrange((today - first).days + 1))
        county = rng.choice(p.counties) if rng.random() < 0.7 else None
        activities.append(
            Activity(
                kind=rng.choice(kinds),
                title=f"{day.year}年农牧业招商推介活动（{n + 1}）",
                date=day,
                place=f"{county.name}会议中心" if county else "市农牧局会议室",
                organiser=county or invest_office,
                county=county,
                created_by_id=entered_by,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=1000)
    by_year = defaultdict(list)
    for project in projects:
        by_year[project.year].append(project)
    Produced = Activity.projects.through
    links = []
    for activity in activities:
        pool = by_year.get(activity.date.year, [])
        for project in rng.sample(pool, min(len(pool), rng.choice([0, 1, 1, 2, 3]))):
            links.append(Produced(activity_id=activity.pk, project_id=project.pk))
    Produced.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)

    upward = []
    for n in range(max(3, count // 15)):
        year = today.year - rng.randint(0, 2)
        status = rng.choice(["preparing", "submitted", "approved", "approved", "rejected"])
        requested = Decimal(rng.randint(50, 5000))
        upward.append(
            UpwardApplication(
                title=f"争取{rng.choice(CHAINS)[1]}项目资金（{n + 1}）",
                kind=rng.choice(UpwardKind.values),
                authority=rng.choice(["农业农村部", "自治区农牧厅", "中国农科院"]),
                chain=rng.choice(chains),
                office=rng.choice(p.offices),
                year=year,
                amount_requested=requested,
                amount_granted=(requested * Decimal(rng.randint(30, 100)) / 100).quantize(
                    Decimal("0.01")
                )
                if status == "approved"
                else None,
                status=status,
                created_by_id=entered_by,
            )
        )
    UpwardApplication.objects.bulk_create(upward, batch_size=1000)
    p.counts |= {
        "projects": len(projects),
        "project_reports": len(reports),
        "activities": len(activities),
        "activity_projects": len(links),
        "upward_applications": len(upward),
    }


# --- seeding: notices and rectification items --------------------------------------------------


def seed_notices(rng: random.Random, p: Province, count: int) -> list[Raised]:
    """Issued notices from the start of last year to today, numbered per authority and
    year, with their units; returns one possible item per unit of every supervision
    notice (what `notice_issue` raises for one requirement)."""
    from django.contrib.contenttypes.models import ContentType

    from zhuanban.supervision.models import (
        IssuingAuthority,
        Notice,
        NoticeCounter,
        NoticeRecipient,
    )

    today = p.today
    authorities = IssuingAuthority.objects.bulk_create(
        [
            IssuingAuthority(name=name, header=header, number_prefix=prefix)
            for name, header, prefix in AUTHORITIES
        ]
    )
    start = datetime.date(today.year - 1, 1, 1)
    days = sorted(
        start + datetime.timedelta(days=rng.randrange((today - start).days + 1))
        for _n in range(count)
    )
    sequence: dict[tuple[int, int], int] = defaultdict(int)
    notices = []
    for day in days:
        authority = rng.choice(authorities)
        sequence[(authority.pk, day.year)] += 1
        office = rng.choice(p.offices)
        drafter, reviewer = p.staff[office.pk][-1], p.staff[office.pk][0]
        supervision = rng.random() < 0.9
        deadline = day + datetime.timedelta(days=rng.randint(15, 30)) if supervision else None
        closed = supervision and deadline < today - datetime.timedelta(days=60)
        closed = closed and rng.random() < 0.8
        notices.append(
            Notice(
                office=office,
                authority=authority,
                kind="supervision" if supervision else "commendation",
                title=f"关于{day.month}月份重点工作推进情况的"
                + ("督办通报" if supervision else "通报表扬"),
                addressees="各旗县市区农牧局，市直有关单位",
                opening="为推动重点工作落实，现将有关情况通报如下。",
                reply_deadline=deadline,
                status="closed" if closed else "issued",
                year=day.year,
                sequence=sequence[(authority.pk, day.year)],
                issue_date=day,
                drafted_by_id=drafter,
                submitted_by_id=drafter,
                issued_by_id=reviewer,
                issued_at=moment(day, 15),
                closed_at=moment(deadline + datetime.timedelta(days=20), 10) if closed else None,
            )
        )
    Notice.objects.bulk_create(notices, batch_size=1000)
    NoticeCounter.objects.bulk_create(
        [
            NoticeCounter(authority_id=authority, year=year, last=last)
            for (authority, year), last in sequence.items()
        ]
    )
    prefixes = {a.pk: a.number_prefix for a in authorities}
    notice_type = ContentType.objects.get_for_model(Notice).pk
    recipients, raised = [], []
    for notice in notices:
        units = rng.sample(p.counties, min(rng.randint(1, 6), len(p.counties)))
        number = f"{prefixes[notice.authority_id]}〔{notice.year}〕{notice.sequence}号"
        for unit in units:
            recipients.append(NoticeRecipient(notice=notice, unit=unit))
            if notice.kind == "supervision":
                raised.append(
                    Raised(
                        kind="notice",
                        source_type_id=notice_type,
                        source_id=notice.pk,
                        label=f"{number} {notice.title}",
                        office_id=notice.office_id,
                        unit=unit,
                        problem=f"{unit.name}重点任务推进滞后",
                        requirement=rng.choice(REQUIREMENTS),
                        day=notice.issue_date,
                        at=notice.issued_at,
                        raised_by_id=notice.issued_by_id,
                        due=notice.reply_deadline,
                    )
                )
    NoticeRecipient.objects.bulk_create(recipients, batch_size=2000)
    p.counts |= {"notices": len(notices), "notice_recipients": len(recipients)}
    return raised


def seed(args):
    from django.db import connection, transaction
    from django.utils import timezone

    from zhuanban.core import audit
    from zhuanban.core.models import AuditAction
    from zhuanban.tasks.models import TaskList

    rng = random.Random(2023)  # noqa: S311 (made-up data, not secrets)
    today = timezone.localdate()
    timings = {}
    with transaction.atomic():
        started = time.perf_counter()
        p = seed_province(args.counties, args.tasks, today)
        timings["seed_tasks_s"] = time.perf_counter() - started
        started = time.perf_counter()
        templates, indicators = seed_dispatch(rng, p, args.tables)
        timings["seed_dispatch_s"] = time.perf_counter() - started
        started = time.perf_counter()
        seed_brand(rng, p, args.enterprises)
        seed_investment(rng, p, args.projects)
        raised = seed_notices(rng, p, args.notices)
        seed_items(rng, p, raised + other_sources(rng, p, args.items))
        timings["seed_other_s"] = time.perf_counter() - started
        started = time.perf_counter()
        task_lists = list(TaskList.objects.filter(office__in=p.offices).order_by("pk"))
        make_scheme(  # the latest assessment: last year's (p.year), every county
            p,
            f"看板测试{p.year}年度农牧业重点工作考核",
            small_headings(task_lists, indicators, templates),
            p.counties,
        )
        timings["seed_assessment_s"] = time.perf_counter() - started
        audit.record(
            actor=None,
            action=AuditAction.SYSTEM,
            message="dashboard benchmark data seeded: "
            + ", ".join(f"{name} {count}" for name, count in p.counts.items()),
        )
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of bulk loads in production: without it,
        # the planner takes the tables for empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return p, timings


# --- the floor -----------------------------------------------------------------------------------


def local_date(column: str) -> tuple[str, list]:
    """SQL for the local date of a stored moment, and its parameters."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "sqlite":
        offset = timezone.localtime().utcoffset().total_seconds() // 60
        return f"date({column}, %s)", [f"{offset:+.0f} minutes"]
    return f"CAST(({column} AT TIME ZONE %s) AS date)", [settings.TIME_ZONE]


def floor_statements(today: datetime.date) -> list[tuple[str, str, list]]:
    """[(what, sql, parameters)]: the least the bureau's dashboard asks the database."""
    from django.conf import settings
    from django.db import connection

    from zhuanban.assessment.models import Participant, Scheme
    from zhuanban.brand.models import Enterprise, Licence, Sales
    from zhuanban.dispatch.models import (
        DispatchRound,
        Indicator,
        IndicatorValue,
        Submission,
        Target,
    )
    from zhuanban.investment.models import Activity, Project, UpwardApplication, clocks_by_stage
    from zhuanban.org.models import OrgUnit
    from zhuanban.rectification.models import Rectification
    from zhuanban.supervision.models import Notice
    from zhuanban.tasks.models import Task, TaskList

    day = connection.ops.adapt_datefield_value
    year = today.year
    soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
    stale = today - datetime.timedelta(days=settings.TASK_REPORT_CYCLE_DAYS)
    try:
        last_year_today = today.replace(year=year - 1)
    except ValueError:  # 29 February
        last_year_today = today.replace(year=year - 1, day=28)

    task_light = (
        "CASE WHEN t.status = 'closed' THEN 'grey' "
        "WHEN t.status NOT IN ('assigned', 'in_progress', 'close_requested', 'returned') "
        "THEN 'none' WHEN t.due_date < %s THEN 'red' "
        "WHEN t.due_date <= %s OR t.lag_date <= %s OR t.last_activity_on <= %s THEN 'yellow' "
        "ELSE 'green' END"
    )
    tasks = (
        f"SELECT l.office_id, t.county_id, {task_light} AS light, COUNT(*) "  # noqa: S608 (names from the models)
        f"FROM {Task._meta.db_table} t JOIN {TaskList._meta.db_table} l ON l.id = t.task_list_id "
        "WHERE t.is_heading = %s GROUP BY l.office_id, t.county_id, light"
    )
    values = IndicatorValue._meta.db_table
    indicators = Indicator._meta.db_table
    summed = (
        f"SELECT v.indicator_id, v.unit_id, v.year, SUM(v.value) FROM {values} v "  # noqa: S608 (names from the models)
        f"JOIN {indicators} i ON i.id = v.indicator_id WHERE i.aggregation <> 'latest' AND "
        "((v.year = %s AND v.period_end <= %s) OR (v.year = %s AND v.period_end <= %s)) "
        "GROUP BY v.indicator_id, v.unit_id, v.year"
    )
    latest = (
        f"SELECT v.indicator_id, v.unit_id, v.year, v.value FROM {values} v "  # noqa: S608 (names from the models)
        f"JOIN {indicators} i ON i.id = v.indicator_id JOIN (SELECT indicator_id, unit_id, "
        f"year, MAX(period_end) AS last_end FROM {values} WHERE (year = %s AND period_end <= %s) "
        "OR (year = %s AND period_end <= %s) GROUP BY indicator_id, unit_id, year) m "
        "ON m.indicator_id = v.indicator_id AND m.unit_id = v.unit_id AND m.year = v.year "
        "AND m.last_end = v.period_end WHERE i.aggregation = 'latest'"
    )
    targets = (
        f"SELECT indicator_id, unit_id, year, value FROM {Target._meta.db_table} "  # noqa: S608 (names from the models)
        "WHERE year IN (%s, %s)"
    )
    submitted_on, submitted_params = local_date("s.first_submitted_at")
    completeness = (
        "SELECT s.round_id, COUNT(*), "  # noqa: S608 (names from the models)
        "SUM(CASE WHEN s.first_submitted_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {submitted_on} <= r.due_on THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN s.status = 'approved' THEN 1 ELSE 0 END) "
        f"FROM {Submission._meta.db_table} s JOIN {DispatchRound._meta.db_table} r "
        "ON r.id = s.round_id WHERE r.locked_at IS NULL AND r.opens_on <= %s GROUP BY s.round_id"
    )
    notices = (
        "SELECT SUM(CASE WHEN issue_date >= %s THEN 1 ELSE 0 END), "  # noqa: S608 (names from the models)
        "SUM(CASE WHEN issue_date < %s AND issue_date <= %s THEN 1 ELSE 0 END) "
        f"FROM {Notice._meta.db_table} WHERE status IN ('issued', 'closed') "
        "AND issue_date >= %s AND issue_date <= %s"
    )
    rectifications = (
        "SELECT SUM(CASE WHEN status IN ('open', 'rework') THEN 1 ELSE 0 END), "  # noqa: S608 (names from the models)
        "SUM(CASE WHEN status IN ('open', 'rework') AND due_date < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'responded' THEN 1 ELSE 0 END) "
        f"FROM {Rectification._meta.db_table}"
    )
    licensees = (
        "SELECT COUNT(*), SUM(CASE WHEN association_member THEN 1 ELSE 0 END), "  # noqa: S608 (names from the models)
        f"(SELECT COUNT(DISTINCT enterprise_id) FROM {Licence._meta.db_table} "
        "WHERE valid_from <= %s AND valid_until >= %s AND (revoked_on IS NULL OR revoked_on > %s)) "
        f"FROM {Enterprise._meta.db_table}"
    )
    sales = (
        f"SELECT year, SUM(amount) FROM {Sales._meta.db_table} "  # noqa: S608 (names from the models)
        "WHERE year <= %s GROUP BY year"
    )
    clocks = clocks_by_stage()
    red, yellow, params_light = [], [], []
    for stage, clock in clocks.items():
        red.append(f"WHEN stage = '{stage}' AND stage_since < %s THEN 'red'")
        params_light.append(day(today - datetime.timedelta(days=clock.limit_days)))
    for stage, clock in clocks.items():
        late = "stage_since < %s"
        params_light.append(
            day(today - datetime.timedelta(days=clock.limit_days - clock.warn_days))
        )
        if clock.report_days:
            late += " OR last_report_on < %s"
            params_light.append(day(today - datetime.timedelta(days=clock.report_days)))
        yellow.append(f"WHEN stage = '{stage}' AND ({late}) THEN 'yellow'")
    project_light = (
        "CASE WHEN stage IN ('producing', 'dropped') THEN 'grey' "
        + " ".join(red + yellow)
        + " ELSE 'green' END"
    )
    projects = (
        f"SELECT stage, {project_light} AS light, COUNT(*) "  # noqa: S608 (names from the models)
        f"FROM {Project._meta.db_table} WHERE year = %s GROUP BY stage, light"
    )
    produced = Activity.projects.through._meta.db_table
    activities = (
        f"SELECT COUNT(*), (SELECT COUNT(DISTINCT ap.project_id) FROM {produced} ap "  # noqa: S608 (names from the models)
        f"JOIN {Activity._meta.db_table} b ON b.id = ap.activity_id "
        "WHERE b.date >= %s AND b.date <= %s) "
        f"FROM {Activity._meta.db_table} a WHERE a.date >= %s AND a.date <= %s"
    )
    upward = (
        "SELECT year, COUNT(*), SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), "  # noqa: S608 (names from the models)
        "SUM(amount_requested), SUM(CASE WHEN status = 'approved' THEN amount_granted END) "
        f"FROM {UpwardApplication._meta.db_table} GROUP BY year"
    )
    ranking = (
        f"SELECT p.unit_id, p.total FROM {Participant._meta.db_table} p "  # noqa: S608 (names from the models)
        f"WHERE p.scheme_id = (SELECT MAX(id) FROM {Scheme._meta.db_table}) "
        "ORDER BY p.total DESC"
    )
    units = (
        f"SELECT id, name, kind, sort_order FROM {OrgUnit._meta.db_table} "  # noqa: S608 (names from the models)
        "WHERE kind IN ('county', 'office') ORDER BY sort_order, code"
    )
    first, last_first = datetime.date(year, 1, 1), datetime.date(year - 1, 1, 1)
    return [
        ("tasks", tasks, [day(today), day(soon), day(today), day(stale), False]),
        (
            "indicators_summed",
            summed,
            [year, day(today), year - 1, day(last_year_today)],
        ),
        (
            "indicators_latest",
            latest,
            [year, day(today), year - 1, day(last_year_today)],
        ),
        ("targets", targets, [year, year - 1]),
        ("completeness", completeness, [*submitted_params, day(today)]),
        (
            "notices",
            notices,
            [
                day(first),
                day(first),
                day(last_year_today),
                day(last_first),
                day(today),
            ],
        ),
        ("rectifications", rectifications, [day(today)]),
        ("licensees", licensees, [day(today)] * 3),
        ("sales", sales, [year]),
        ("projects", projects, [*params_light, year]),
        (
            "activities",
            activities,
            [day(first), day(today), day(first), day(today)],
        ),
        ("upward", upward, []),
        ("ranking", ranking, []),
        ("units", units, []),
    ]


def floor(today: datetime.date) -> Callable[[], dict]:
    from django.db import connection

    statements = floor_statements(today)

    def run() -> dict:
        results = {}
        with connection.cursor() as cursor:
            for what, sql, params in statements:
                cursor.execute(sql, params)
                results[what] = cursor.fetchall()
        return results

    run.statements = len(statements)  # type: ignore[attr-defined]
    return run


def check(dash, facts: dict) -> dict:
    """What the dashboard shows against what the floor counts (and so what was seeded):
    {figure: (dashboard, floor)} of those that differ; prints the figures."""
    from zhuanban.dispatch.models import Indicator

    tasks = facts["tasks"]
    [(enterprises, _members, licensed)] = facts["licensees"]
    [(notices, _last)] = facts["notices"]
    [(pending, overdue, _awaiting)] = facts["rectifications"]
    expected = {
        "measures": (dash.tasks.counts["total"], sum(row[3] for row in tasks)),
        "closed": (dash.tasks.counts["closed"], sum(r[3] for r in tasks if r[2] == "grey")),
        "red": (dash.tasks.counts["red"], sum(r[3] for r in tasks if r[2] == "red")),
        "enterprises": (dash.brand.enterprises, enterprises),
        "licensees": (dash.brand.licensed, licensed),
        "notices": (dash.supervision.notices, notices or 0),
        "rectifications_open": (dash.supervision.open, pending or 0),
        "rectifications_overdue": (dash.supervision.overdue, overdue or 0),
        "projects": (dash.investment.projects, sum(row[2] for row in facts["projects"])),
    }
    for name, count in expected.items():
        figure(f"dashboard_{name}", count[0], "count")
    # Every open round shown with the floor's counts.
    completeness = {row[0]: row[1:] for row in facts["completeness"]}
    figure("dashboard_open_rounds", len(dash.rounds), "count")
    for line in dash.rounds:
        expected[f"round_{line.pk}"] = (
            (line.expected, line.submitted),
            tuple(completeness.get(line.pk, (None, None))[:2]),
        )
    # The bureau's total of each indicator: every county's values, this year to date.
    codes = dict(Indicator.objects.values_list("pk", "code"))
    year = dash.day.year
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for indicator_id, _unit, value_year, value in (
        facts["indicators_summed"] + facts["indicators_latest"]
    ):
        if value_year == year:
            totals[codes[indicator_id]] += Decimal(str(value))
    cent = Decimal("0.01")
    for line in dash.indicators:
        shown = None if line.actual is None else Decimal(line.actual).quantize(cent)
        expected[f"indicator_{line.code}"] = (shown, totals[line.code].quantize(cent))
    return {name: pair for name, pair in expected.items() if pair[0] != pair[1]}


# --- timing --------------------------------------------------------------------------------------


def median_of(*functions: Callable[[], object], runs: int) -> list[float]:
    """The median time of each function over `runs` rounds, the functions taking turns
    within each round: a busy machine slows them alike, and the ratio holds."""
    times: list[list[float]] = [[] for _function in functions]
    for _run in range(runs):
        for function, spent in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            spent.append(time.perf_counter() - started)
    return [statistics.median(spent) for spent in times]


def queries_of(function: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def main() -> None:
    args = parse_args()
    with workspace(args.database_url, args.keep):
        from django.core.cache import cache
        from django.utils import timezone

        from zhuanban.org.scoping import scope_for

        started = time.perf_counter()
        p, timings = seed(args)
        figure("seed_s", time.perf_counter() - started, "s")
        for name, seconds in timings.items():
            figure(name, seconds, "s")
        for name, count in p.counts.items():
            figure(name, count, "count")

        leader, today = p.leader, timezone.localdate()
        lowest = floor(today)
        facts = lowest()
        figure("floor_rows", sum(len(rows) for rows in facts.values()), "count")
        try:
            from zhuanban.reports.selectors import DashboardScope, build_dashboard, dashboard
        except ImportError as missing:
            [floor_s] = median_of(lowest, runs=args.runs)
            figure("dashboard_floor", floor_s * 1000, "ms")
            raise SystemExit(f"dashboard not measured: {missing}") from None

        scope_for(leader)  # computed once per request; not the dashboard's work
        scope = DashboardScope("bureau", None)

        def cold():
            return build_dashboard(leader, scope)

        started = time.perf_counter()
        wrong = check(cold(), facts)  # the first run, untimed: imports, content types, plans
        figure("dashboard_first", (time.perf_counter() - started) * 1000, "ms")
        cold_s, floor_s = median_of(cold, lowest, runs=args.runs)
        queries = queries_of(cold)

        cache.clear()
        dashboard(leader, scope)  # fills the cache

        def warm():
            return dashboard(leader, scope)

        [warm_s] = median_of(warm, runs=args.runs)
        warm_queries = queries_of(warm)

        figure("dashboard_cold", cold_s * 1000, "ms")
        figure("dashboard_warm", warm_s * 1000, "ms")
        figure("dashboard_floor", floor_s * 1000, "ms")
        figure("dashboard_queries", queries, "queries")
        figure("dashboard_warm_queries", warm_queries, "queries")
        figure("dashboard_floor_queries", lowest.statements, "queries")
        ratio("dashboard_cold", cold_s, floor_s)
        ratio("dashboard_warm", warm_s, floor_s)
        if wrong:
            raise SystemExit(
                "the dashboard does not show what the floor counts (dashboard, floor): "
                + "; ".join(f"{name} {pair}" for name, pair in wrong.items())
            )


if __name__ == "__main__":
    main()
