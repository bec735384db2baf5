"""Benchmark: supervision and rectification at province scale, against what the database
and openpyxl need at the least.

    .venv/bin/python benchmarks/supervision.py          # 103 counties, 60,000 items
    .venv/bin/python benchmarks/supervision.py --quick  # 20 counties, 6,000 items (CI)
    .venv/bin/python benchmarks/supervision.py --database-url postgres://...  # an empty one

It makes a throw-away SQLite database in a temporary directory (or uses the empty
database given), migrates it, and seeds a province: the organisation and a modest task
ledger from `zhuanban.tasks.scale` (5,000 tasks), this year's monthly dispatch rounds
and three indicators with targets and monthly values, and for last year 20,000
supervisory visits with their findings, 1,000 issued notices with their units, reasons,
requirements and replies, and 60,000 rectification items from every source (visit
findings, notices, assessment deductions, brand re-reviews) in every state, with the
unit's reports and the office's verdicts for the answered ones. Then it measures, each
figure the best of three runs, for a bureau leader (who sees everything):

- rectification_list_page: what the list view asks the database (the page count, the
  first page of 50 in the list's order, the chip counts), against a floor of one raw
  `SELECT … ORDER BY … LIMIT 50` plus one raw `GROUP BY` with the light as a CASE;
- supervision_overview: `selectors.overview` for the province, against a floor of the
  raw GROUP BYs it needs (visits by kind, items by county, notices by kind, units
  concerned, reasons by kind);
- visit_counts_grid: `selectors.visit_counts` (county × month for last year), against a
  floor of one raw `GROUP BY county, month`;
- rectification_ledger_export: every item to .xlsx through `rectification.exports` as the
  export view calls it, against a floor of one raw SELECT of the same columns (latest
  report and verdict as subqueries) written by openpyxl in write-only mode as plain
  values;
- notice_reasons: `notice_selectors.reasons_from_data` for 50 counties (red tasks, late
  and missing reports, lagging indicators, overdue rectifications), with the time of
  each of its four parts; it has no floor.

The rows are written with bulk inserts, holding what the services would have stored;
the item and notice timelines (events), per-object audit entries, photos, evidence
files and the notices' .docx are not made (one audit event records the seeding). The
assessment and brand apps do not exist yet: their items point at a task and at the
unit, as the rectification tests' items do (the loop does not read its source).

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor).
"""

import argparse
import datetime
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from harness import add_database_arguments, best_of, figure, ratio, workspace

PAGE_SIZE = 50  # rectification.views.PAGE_SIZE
EXPORT_CHUNK = 2000  # rectification.views_export.CHUNK_SIZE
# Shares of the items by source (the notices' share is what their units × requirements
# make; assessment and brand share the rest two to one).
VISIT_SHARE = 0.6

PROBLEMS = [
    "种薯仓储库房消防设施不全，灭火器过期",
    "高标准农田建设项目档案资料不完整",
    "规模化养殖场粪污处理设施未正常运行",
    "设施农业园区部分大棚闲置，未按计划投产",
    "冷链物流设施建设进度滞后于计划",
    "品牌授权企业包装未规范使用区域公用品牌标识",
    "良种推广示范区台账记录不及时",
    "招商引资签约项目开工手续未办结",
    "奶站生鲜乳收购记录不全",
    "农畜产品加工园区安全生产制度未上墙",
]
REQUIREMENTS = [
    "立即整改，补齐相关设施并建立台账",
    "限期补齐档案资料，报送整改情况",
    "制定整改方案，明确责任人和完成时限",
    "按计划推进，每月报送进展",
    "规范使用品牌标识，整改后拍照留存",
]
RESPONSES = [
    "已按要求完成整改，相关照片和台账见附件。",
    "已制定整改方案并落实到人，主体整改工作已完成。",
    "已补齐档案资料，建立长效管理制度。",
    "已召开专题会议部署整改，现已整改到位。",
]
GOOD_PRACTICES = [
    "建立了县乡村三级调度机制，进展台账清晰",
    "示范区统一供种、统一技术指导，成效明显",
    "企业与合作社建立利益联结机制，带动农户增收",
]
VISIT_KINDS = [  # (kind, weight)
    ("inspection", 50),
    ("research", 25),
    ("open", 8),
    ("unannounced", 7),
    ("site_meeting", 5),
    ("forum", 5),
]
AUTHORITIES = [
    ("规模测试市委农牧办", "中共规模测试市委农村牧区工作办公室", "规测农牧督"),
    ("规模测试市农牧局", "规模测试市农牧局", "规测农牧局督"),
    ("规模测试市督查室", "规模测试市人民政府督查室", "规测政督"),
]
INDICATORS = [  # (code, name, unit of measure, annual target per county)
    ("bench-cattle", "肉牛存栏", "万头", 5),
    ("bench-potato", "马铃薯种植面积", "万亩", 20),
    ("bench-milk", "生鲜乳产量", "万吨", 8),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20 counties, 2,000 visits, 6,000 items, 100 notices, 1,000 tasks",
    )
    parser.add_argument("--counties", type=int)
    parser.add_argument("--visits", type=int)
    parser.add_argument("--items", type=int, help="rectification items")
    parser.add_argument("--notices", type=int, help="issued notices")
    parser.add_argument("--tasks", type=int, help="tasks of the scale generator")
    parser.add_argument("--reason-units", type=int, help="units reasons are drafted for")
    add_database_arguments(parser)
    args = parser.parse_args()
    args.counties = args.counties or (20 if args.quick else 103)
    args.visits = args.visits or (2_000 if args.quick else 20_000)
    args.items = args.items or (6_000 if args.quick else 60_000)
    args.notices = args.notices or (100 if args.quick else 1_000)
    args.tasks = args.tasks or (1_000 if args.quick else 5_000)
    args.reason_units = min(args.reason_units or 50, args.counties)
    return args


# --- seeding: the organisation and what the reasons are drafted from -----------------------


@dataclass
class Province:
    today: datetime.date
    year: int  # the year of the visits and notices: last year, all of it in the past
    leader: object
    bureau: object
    counties: list
    sections: list
    offices: list
    staff: dict[int, list[int]]  # office id -> its director's and member's user ids
    liaisons: dict[int, int]  # unit id -> the liaison's user id
    bureau_people: list[int]  # who sits in groups and goes on visits
    counts: dict[str, int] = field(default_factory=dict)


def moment(day: datetime.date, hour: int) -> datetime.datetime:
    """That hour of that day, local time, and never later than now."""
    from django.utils import timezone

    return min(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), timezone.now()
    )


def seed_province(
    counties: int, tasks: int, today: datetime.date, lists: int | None = None
) -> Province:
    from django.contrib.auth import get_user_model

    from zhuanban.org.models import OrgUnit, RoleAssignment
    from zhuanban.org.roles import OFFICE_ROLES, Role, UnitKind
    from zhuanban.tasks import scale

    extra = {} if lists is None else {"lists": lists}
    made = scale.seed(counties=counties, tasks=tasks, today=today, reset_first=True, **extra)
    units = OrgUnit.objects.filter(code__startswith=scale.PREFIX).order_by("sort_order", "code")
    by_kind = defaultdict(list)
    for unit in units:
        by_kind[unit.kind].append(unit)
    staff: dict[int, list[int]] = defaultdict(list)
    liaisons: dict[int, int] = {}
    people: set[int] = set()
    for assignment in RoleAssignment.objects.filter(user__username__startswith=scale.PREFIX):
        if assignment.role in OFFICE_ROLES:
            staff[assignment.unit_id].append(assignment.user_id)
            people.add(assignment.user_id)
        elif assignment.role in (Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON):
            liaisons[assignment.unit_id] = assignment.user_id
        elif assignment.role in (Role.LEADER, Role.INSPECTOR):
            people.add(assignment.user_id)
    for user_ids in staff.values():
        user_ids.sort()  # the director first: the scale generator makes them in that order
    return Province(
        today=today,
        year=today.year - 1,
        leader=get_user_model().objects.get(username=scale.LEADER),
        bureau=by_kind[UnitKind.BUREAU][0],
        counties=sorted(by_kind[UnitKind.COUNTY], key=lambda unit: unit.code),
        sections=by_kind[UnitKind.SECTION],
        offices=by_kind[UnitKind.OFFICE],
        staff=dict(staff),
        liaisons=liaisons,
        bureau_people=sorted(people),
        counts={"tasks": made["tasks"], "counties": made["counties"]},
    )


def seed_dispatch(rng: random.Random, p: Province) -> None:
    """This year's monthly rounds of one per-county table, due on the 5th of the next
    month, most reported on time, some late, some never; and three indicators with a
    target per county and monthly values, some counties behind time."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from zhuanban.dispatch import services
    from zhuanban.dispatch.models import (
        Cadence,
        DataValue,
        IndicatorValue,
        RowMode,
        Submission,
        SubmissionStatus,
        Target,
    )
    from zhuanban.dispatch.periods import Period, PeriodKind

    office = p.offices[0]
    staff = get_user_model().objects.get(pk=p.staff[office.pk][0])
    template = services.template_create(
        actor=staff,
        office=office,
        code="bench-monthly",
        title="农牧业重点工作月调度表",
        schema={
            "columns": [
                {"key": "cattle", "label": "肉牛存栏", "type": "integer", "unit": "头", "min": 0},
                {"key": "area", "label": "种植面积", "type": "decimal", "decimals": 2, "min": 0},
                {"key": "note", "label": "工作进展", "type": "text"},
            ]
        },
        units=p.counties,
        row_mode=RowMode.PER_UNIT,
    )
    rounds = []
    for month in range(1, p.today.month):
        period = Period(p.today.year, PeriodKind.MONTH, month)
        due = period.end + datetime.timedelta(days=5)
        rounds.append(
            services.round_open(
                actor=staff,
                template=template,
                cadence=Cadence.MONTHLY_DISPATCH,
                period=period,
                opens_on=period.end - datetime.timedelta(days=3),
                due_on=min(due, p.today - datetime.timedelta(days=1)),
                locks_on=min(due + datetime.timedelta(days=10), p.today),
            )
        )
    due_on = {round_.pk: round_.due_on for round_ in rounds}
    submissions = list(Submission.objects.filter(round__in=rounds))
    values = []
    for submission in submissions:
        draw = rng.random()
        if draw < 0.10:  # never reported, or sent back and not sent again
            submission.status = rng.choice(
                [SubmissionStatus.PENDING, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]
            )
            continue
        due = due_on[submission.round_id]
        late = rng.randint(1, 12) if draw < 0.2 else -rng.randint(0, 4)
        day = min(due + datetime.timedelta(days=late), p.today)
        cattle, area = rng.randint(1000, 90000), Decimal(rng.randint(10000, 9999999)).scaleb(-2)
        row = {"cattle": cattle, "area": format(area, "f"), "note": "按计划推进"}
        submission.data = [row]  # as validation.row_to_json stores it
        submission.status = SubmissionStatus.APPROVED
        submission.revision = 1
        submission.first_submitted_at = submission.submitted_at = moment(day, 10)
        submission.approved_at = moment(day, 16)
        values += [
            (submission.pk, submission.round_id, submission.unit_id, 0, "cattle", cattle, ""),
            (submission.pk, submission.round_id, submission.unit_id, 0, "area", area, ""),
            (submission.pk, submission.round_id, submission.unit_id, 0, "note", None, row["note"]),
        ]
    Submission.objects.bulk_update(
        submissions,
        ["status", "data", "revision", "first_submitted_at", "submitted_at", "approved_at"],
        batch_size=500,
    )
    quote = connection.ops.quote_name
    columns = ("submission_id", "round_id", "unit_id", "row", "column", "number", "text")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(DataValue._meta.db_table)} "  # noqa: S608 (names from the model)
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )

    indicators = [
        services.indicator_save(
            actor=staff,
            code=code,
            name=name,
            unit_of_measure=uom,
            office=office,
            decimals=2,
            sort_order=n,
        )
        for n, (code, name, uom, _target) in enumerate(INDICATORS)
    ]
    targets, indicator_values = [], []
    months = p.today.month - 1
    for indicator, (_code, _name, _uom, target) in zip(indicators, INDICATORS, strict=True):
        for county in p.counties:
            targets.append(
                Target(indicator=indicator, unit=county, year=p.today.year, value=target)
            )
            pace = rng.choice([1.1, 1.0, 0.95, 0.8, 0.6])  # a fifth behind time, some far
            for month in range(1, months + 1):
                period = Period(p.today.year, PeriodKind.MONTH, month)
                monthly = Decimal(target * pace / 12).quantize(Decimal("0.01"))
                indicator_values.append(
                    IndicatorValue(
                        indicator=indicator,
                        unit=county,
                        year=period.year,
                        period_kind=period.kind,
                        period_number=month,
                        period_end=period.end,
                        value=monthly,
                    )
                )
    Target.objects.bulk_create(targets, batch_size=2000)
    IndicatorValue.objects.bulk_create(indicator_values, batch_size=2000)
    p.counts |= {
        "dispatch_rounds": len(rounds),
        "submissions": len(submissions),
        "indicator_values": len(indicator_values),
    }


# --- seeding: groups, visits, findings, notices ---------------------------------------------


@dataclass
class Raised:
    """What an item is raised from, before it is drawn a state."""

    kind: str
    source_type_id: int
    source_id: int
    label: str
    office_id: int
    unit: object
    problem: str
    requirement: str
    day: datetime.date
    at: datetime.datetime
    raised_by_id: int
    due: datetime.date | None = None


def seed_visits(rng: random.Random, p: Province, count: int) -> list[Raised]:
    """Groups, last year's visits (all carried out) with their participants, and their
    findings; returns the problem findings, each a possible item. (The scale generator's
    task lists are this year's, so neither groups nor visits are linked to tasks.)"""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from zhuanban.supervision.models import Finding, FindingKind, InspectionGroup, Visit

    year = p.year
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year, 12, 31) - start).days + 1

    groups = []
    for n in range(max(6, len(p.counties) // 4)):
        office = p.offices[n % len(p.offices)]
        groups.append(
            InspectionGroup(
                name=f"第{n + 1}督导检查组",
                year=year,
                office=office,
                leader=p.leader,
                topics="重点任务推进、项目建设、品牌授权企业",
                starts_on=datetime.date(year, 1, 1),
                ends_on=datetime.date(year, 12, 31),
                created_by_id=p.staff[office.pk][0],
            )
        )
    InspectionGroup.objects.bulk_create(groups)
    group_counties: dict[int, list] = {}
    GroupCounty = InspectionGroup.counties.through
    GroupMember = InspectionGroup.members.through
    links, members = [], []
    for n, group in enumerate(groups):
        covered = p.counties[n :: len(groups)] or [p.counties[n % len(p.counties)]]
        group_counties[group.pk] = covered
        links += [GroupCounty(inspectiongroup_id=group.pk, orgunit_id=c.pk) for c in covered]
        people = rng.sample(p.bureau_people, min(4, len(p.bureau_people)))
        members += [GroupMember(inspectiongroup_id=group.pk, user_id=u) for u in people]
    GroupCounty.objects.bulk_create(links)
    GroupMember.objects.bulk_create(members)

    kinds, weights = zip(*VISIT_KINDS, strict=True)
    visits = []
    for _n in range(count):
        kind = rng.choices(kinds, weights)[0]
        day = start + datetime.timedelta(days=rng.randrange(days))
        group = rng.choice(groups) if rng.random() < 0.7 else None
        if group is not None:
            county = rng.choice(group_counties[group.pk])
            office = group.office
        else:
            office = rng.choice(p.offices)
            city_level = kind in ("site_meeting", "forum") and rng.random() < 0.5
            county = None if city_level else rng.choice(p.counties)
        place = f"{county.name}某镇现代农业产业园" if county else "市农牧局会议室"
        visits.append(
            Visit(
                group=group,
                office=office,
                kind=kind,
                status="done",
                date=day,
                place=place,
                county=county,
                other_participants="旗县农牧局分管负责人",
                topics="重点任务推进情况",
                summary="实地查看项目现场，听取汇报，查阅台账。",
                report_text="调研报告正文……" if kind == "research" else "",
                created_by_id=rng.choice(p.staff[office.pk]),
            )
        )
    Visit.objects.bulk_create(visits, batch_size=2000)
    Participant = Visit.participants.through
    participants = []
    for visit in visits:
        people = rng.sample(p.bureau_people, min(rng.randint(1, 3), len(p.bureau_people)))
        visit.people = people
        participants += [Participant(visit_id=visit.pk, user_id=u) for u in people]
    Participant.objects.bulk_create(participants, batch_size=5000)

    findings: list[tuple[Finding, object]] = []
    for visit in visits:
        problems = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
        goods = 1 if rng.random() < 0.4 else 0
        for k in range(problems + goods):
            problem = k < problems
            if visit.county is not None and rng.random() < 0.85:
                unit = visit.county
            else:
                unit = rng.choice(p.sections)
            text = rng.choice(PROBLEMS) if problem else rng.choice(GOOD_PRACTICES)
            finding = Finding(
                visit=visit,
                kind=FindingKind.PROBLEM if problem else FindingKind.GOOD_PRACTICE,
                text=f"{visit.place}：{text}",
                unit=unit if problem else None,
                recorded_by_id=rng.choice(visit.people),
                recorded_at=moment(visit.date, 10 + k),
            )
            findings.append((finding, visit))
    Finding.objects.bulk_create([f for f, _v in findings], batch_size=2000)
    finding_type = ContentType.objects.get_for_model(Finding).pk
    raised = []
    # The source label as `supervision.services.source_label` writes it: in the bureau's
    # language whoever raised the item.
    with translation.override(settings.LANGUAGE_CODE):
        for finding, visit in findings:
            if finding.kind != FindingKind.PROBLEM:
                continue
            raised.append(
                Raised(
                    kind="visit",
                    source_type_id=finding_type,
                    source_id=finding.pk,
                    label=str(visit),
                    office_id=visit.office_id,
                    unit=finding.unit,
                    problem=finding.text,
                    requirement=rng.choice(REQUIREMENTS),
                    day=visit.date,
                    at=finding.recorded_at,
                    raised_by_id=finding.recorded_by_id,
                )
            )
    p.counts |= {
        "groups": len(groups),
        "visits": len(visits),
        "participants": len(participants),
        "findings": len(findings),
        "problem_findings": len(raised),
    }
    return raised


def seed_notices(rng: random.Random, p: Province, count: int) -> list[Raised]:
    """Last year's issued notices, numbered per authority without gaps, with their units,
    reasons, requirements and replies; returns one possible item per unit concerned and
    requirement of every supervision notice (what `notice_issue` raises)."""
    from django.contrib.contenttypes.models import ContentType

    from zhuanban.supervision.models import (
        IssuingAuthority,
        Notice,
        NoticeCounter,
        NoticeReason,
        NoticeRecipient,
        NoticeRequirement,
        ReasonKind,
    )

    authorities = IssuingAuthority.objects.bulk_create(
        [
            IssuingAuthority(name=name, header=header, number_prefix=prefix)
            for name, header, prefix in AUTHORITIES
        ]
    )
    year = p.year
    start = datetime.date(year, 1, 1)
    issue_days = sorted(start + datetime.timedelta(days=rng.randrange(365)) for _ in range(count))
    sequence: Counter = Counter()
    notices = []
    for day in issue_days:
        authority = rng.choice(authorities)
        sequence[authority.pk] += 1
        office = rng.choice(p.offices)
        drafter, reviewer = p.staff[office.pk][-1], p.staff[office.pk][0]
        supervision = rng.random() < 0.9
        deadline = day + datetime.timedelta(days=rng.randint(15, 30)) if supervision else None
        closed = (
            supervision
            and deadline is not None
            and deadline < p.today - datetime.timedelta(days=60)
        )
        closed = closed and rng.random() < 0.8
        notices.append(
            Notice(
                office=office,
                authority=authority,
                kind="supervision" if supervision else "commendation",
                title=(
                    f"关于{day.month}月份重点工作推进情况的督办通报"
                    if supervision
                    else f"关于{day.month}月份重点工作先进典型的通报表扬"
                ),
                addressees="各旗县市区农牧局，市直有关单位",
                opening="为推动重点工作落实，现将有关情况通报如下。",
                closing="请各单位高度重视，按要求整改落实。" if supervision else "",
                reply_deadline=deadline,
                status="closed" if closed else "issued",
                year=year,
                sequence=sequence[authority.pk],
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
        [NoticeCounter(authority=a, year=year, last=sequence[a.pk]) for a in authorities]
    )
    prefixes = {a.pk: a.number_prefix for a in authorities}
    data_kinds = [
        ReasonKind.RED_TASK,
        ReasonKind.LATE_SUBMISSION,
        ReasonKind.MISSING_SUBMISSION,
        ReasonKind.LAGGING_INDICATOR,
        ReasonKind.OVERDUE_RECTIFICATION,
        ReasonKind.OTHER,
    ]
    recipients, reasons, requirements = [], [], []
    plans = []
    for notice in notices:
        units = rng.sample(p.counties, min(rng.randint(1, 6), len(p.counties)))
        if rng.random() < 0.15:
            units.append(rng.choice(p.sections))
        units.sort(key=lambda unit: unit.code)
        texts = rng.sample(REQUIREMENTS, rng.randint(1, 3)) if notice.kind == "supervision" else []
        requirements += [
            NoticeRequirement(notice=notice, text=text, position=n)
            for n, text in enumerate(texts, start=1)
        ]
        problems: dict[int, list[str]] = defaultdict(list)
        position = 0
        for unit in units:
            answered = notice.status == "closed" or (
                notice.kind == "supervision" and rng.random() < 0.7
            )
            recipients.append(
                NoticeRecipient(
                    notice=notice,
                    unit=unit,
                    reply_text="已对照通报要求逐项整改，整改情况报告见附件。" if answered else "",
                    replied_at=moment(notice.reply_deadline - datetime.timedelta(days=2), 11)
                    if answered and notice.reply_deadline
                    else None,
                    replied_by_id=p.liaisons[unit.pk]
                    if answered and notice.reply_deadline
                    else None,
                )
            )
            for _k in range(rng.randint(1, 3)):
                position += 1
                kind = rng.choice(data_kinds) if notice.kind == "supervision" else "achievement"
                text = (
                    f"{unit.name}{rng.choice(PROBLEMS)}，截至{notice.issue_date:%m月%d日}仍未完成。"
                )
                problems[unit.pk].append(text)
                reasons.append(
                    NoticeReason(
                        notice=notice,
                        unit=unit,
                        kind=kind,
                        text=text,
                        figures={
                            "due": notice.issue_date.isoformat(),
                            "days_overdue": rng.randint(1, 60),
                        },
                        position=position,
                    )
                )
        plans.append((notice, units, texts, problems))
    NoticeRecipient.objects.bulk_create(recipients, batch_size=2000)
    NoticeReason.objects.bulk_create(reasons, batch_size=2000)
    NoticeRequirement.objects.bulk_create(requirements, batch_size=2000)

    notice_type = ContentType.objects.get_for_model(Notice).pk
    raised = []
    for notice, units, texts, problems in plans:
        number = f"{prefixes[notice.authority_id]}〔{notice.year}〕{notice.sequence}号"
        for unit in units:
            for text in texts:
                raised.append(
                    Raised(
                        kind="notice",
                        source_type_id=notice_type,
                        source_id=notice.pk,
                        label=f"{number} {notice.title}",
                        office_id=notice.office_id,
                        unit=unit,
                        problem="\n".join(problems[unit.pk]),
                        requirement=text,
                        day=notice.issue_date,
                        at=notice.issued_at,
                        raised_by_id=notice.issued_by_id,
                        due=notice.reply_deadline,
                    )
                )
    p.counts |= {
        "notices": len(notices),
        "notice_recipients": len(recipients),
        "notice_reasons": len(reasons),
    }
    return raised


def other_sources(rng: random.Random, p: Province, count: int) -> list[Raised]:
    """Assessment deductions and brand re-reviews over the last twelve months (two to
    one): their apps are not built yet, so the items point at an assessed task and at
    the unit itself."""
    from django.contrib.contenttypes.models import ContentType

    from zhuanban.org.models import OrgUnit
    from zhuanban.tasks.models import Task

    task_type = ContentType.objects.get_for_model(Task).pk
    unit_type = ContentType.objects.get_for_model(OrgUnit).pk
    assessed = list(
        Task.objects.filter(depth=1, county__isnull=False).values_list("pk", "county_id")
    )
    counties = {c.pk: c for c in p.counties}
    raised = []
    for n in range(count):
        day = p.today - datetime.timedelta(days=rng.randint(1, 365))
        office = rng.choice(p.offices)
        if n % 3 < 2 and assessed:
            task_id, county_id = rng.choice(assessed)
            unit = counties[county_id]
            kind, source_type, source_id = "assessment", task_type, task_id
            label = f"{day.year}年度考核扣分"
            problem = f"{unit.name}年度重点任务未按期完成，考核扣分"
        else:
            unit = rng.choice(p.counties)
            kind, source_type, source_id = "brand", unit_type, unit.pk
            label = f"{day.year}年度品牌授权企业复审"
            problem = f"{unit.name}授权企业未规范使用区域公用品牌标识"
        raised.append(
            Raised(
                kind=kind,
                source_type_id=source_type,
                source_id=source_id,
                label=label,
                office_id=office.pk,
                unit=unit,
                problem=problem,
                requirement=rng.choice(REQUIREMENTS),
                day=day,
                at=moment(day, 11),
                raised_by_id=p.staff[office.pk][0],
            )
        )
    return raised


# --- seeding: rectification items and the units' reports --------------------------------------


def draw_state(rng: random.Random, due: datetime.date, today: datetime.date) -> str:
    """Most items past their deadline are closed; of those still due, most are open or
    waiting for verification."""
    draw = rng.random()
    if due < today:
        table = [(0.74, "closed"), (0.78, "withdrawn"), (0.88, "responded"), (0.92, "rework")]
    else:
        table = [(0.17, "closed"), (0.20, "withdrawn"), (0.47, "responded"), (0.55, "rework")]
    for bound, state in table:
        if draw < bound:
            return state
    return "open"


def seed_items(rng: random.Random, p: Province, raised: list[Raised]) -> None:
    from zhuanban.rectification.models import Rectification, RectificationResponse

    today = p.today
    items, reports = [], []
    for source in raised:
        due = source.due or source.day + datetime.timedelta(days=rng.randint(15, 90))
        state = draw_state(rng, due, today)
        original = due
        version = 1
        if state != "closed" and rng.random() < 0.1:  # the deadline was moved once
            due += datetime.timedelta(days=rng.randint(10, 60))
            version += 1
            if state in ("open", "rework") and due < today and rng.random() < 0.5:
                due = today + datetime.timedelta(days=rng.randint(0, 20))
        unit = source.unit
        item = Rectification(
            source_kind=source.kind,
            source_type_id=source.source_type_id,
            source_id=source.source_id,
            source_label=source.label[:200],
            office_id=source.office_id,
            unit_id=unit.pk,
            county_id=unit.pk if unit.kind == "county" else None,
            problem=source.problem,
            requirement=source.requirement,
            due_date=due,
            original_due_date=original,
            status=state,
            raised_by_id=source.raised_by_id,
            raised_at=source.at,
        )
        span = max(1, min((today - source.day).days, (due - source.day).days + 20))
        answered = source.day + datetime.timedelta(days=rng.randint(1, span))
        answered = min(answered, today)
        verifier = p.staff[source.office_id][rng.random() < 0.5]
        responder = p.liaisons[unit.pk]
        later = min(today, answered + datetime.timedelta(days=rng.randint(1, 10)))
        earlier = (answered - source.day).days - 1
        if state in ("responded", "closed") and earlier > 0 and rng.random() < 0.15:
            # Sent back once before: reported and rejected on an earlier day.
            first = answered - datetime.timedelta(days=rng.randint(1, min(20, earlier)))
            reports.append(
                (
                    item,
                    RectificationResponse(
                        responder_id=responder,
                        at=moment(first, 9),
                        text=rng.choice(RESPONSES),
                        verdict="rejected",
                        verified_by_id=verifier,
                        verified_at=moment(first, 17),
                        verdict_comment="整改不到位，请补充佐证材料。",
                    ),
                )
            )
            version += 2
        if state in ("responded", "rework", "closed"):
            verdict = {"responded": "pending", "rework": "rejected", "closed": "accepted"}[state]
            reports.append(
                (
                    item,
                    RectificationResponse(
                        responder_id=responder,
                        at=moment(answered, 10),
                        text=rng.choice(RESPONSES),
                        verdict=verdict,
                        verified_by_id=None if verdict == "pending" else verifier,
                        verified_at=None if verdict == "pending" else moment(later, 16),
                        verdict_comment={"rejected": "佐证材料不足，请重新整改。"}.get(verdict, ""),
                    ),
                )
            )
            item.responded_at = moment(answered, 10)
            version += 1 if verdict == "pending" else 2
        if state == "closed":
            item.closed_at = moment(later, 16)
        elif state == "withdrawn":
            version += 1
        item.version = version
        items.append(item)
    Rectification.objects.bulk_create(items, batch_size=2000)
    responses = []
    for item, response in reports:
        response.item_id = item.pk
        responses.append(response)
    RectificationResponse.objects.bulk_create(responses, batch_size=2000)
    p.counts |= {"rectifications": len(items), "rectification_reports": len(responses)}


def check_sample(rng: random.Random, size: int = 25) -> None:
    """Rows written in bulk skip the services' checks: a sample of each kind must pass
    the models' own validation, and every item's source must exist."""
    from django.core.exceptions import ValidationError

    from zhuanban.dispatch.models import Submission
    from zhuanban.rectification.models import Rectification, RectificationResponse
    from zhuanban.supervision.models import (
        Finding,
        InspectionGroup,
        Notice,
        NoticeReason,
        NoticeRecipient,
        Visit,
    )

    models = [
        InspectionGroup,
        Visit,
        Finding,
        Notice,
        NoticeRecipient,
        NoticeReason,
        Rectification,
        RectificationResponse,
        Submission,
    ]
    for model in models:
        pks = list(model.objects.values_list("pk", flat=True))
        for instance in model.objects.filter(pk__in=rng.sample(pks, min(size, len(pks)))):
            try:
                instance.full_clean()
            except ValidationError as error:
                raise SystemExit(f"seeded {model.__name__} {instance.pk}: {error}") from None
            if model is Rectification and instance.source is None:
                raise SystemExit(f"seeded rectification item {instance.pk} has no source")


def seed(args) -> Province:
    from django.db import transaction
    from django.utils import timezone

    from zhuanban.core import audit
    from zhuanban.core.models import AuditAction

    rng = random.Random(2023)  # noqa: S311 (made-up data, not secrets)
    today = timezone.localdate()
    with transaction.atomic():
        p = seed_province(args.counties, args.tasks, today)
        seed_dispatch(rng, p)
        from_visits = seed_visits(rng, p, args.visits)
        from_notices = seed_notices(rng, p, args.notices)
        wanted_visits = min(len(from_visits), round(args.items * VISIT_SHARE))
        rng.shuffle(from_visits)
        raised = from_visits[:wanted_visits] + from_notices
        raised += other_sources(rng, p, max(0, args.items - len(raised)))
        seed_items(rng, p, raised[: args.items])
        check_sample(rng)
        audit.record(
            actor=None,
            action=AuditAction.SYSTEM,
            message="supervision benchmark data seeded: "
            + ", ".join(f"{name} {count}" for name, count in p.counts.items()),
        )
    return p


# --- shared SQL ----------------------------------------------------------------------------


def tables() -> dict[str, str]:
    from zhuanban.org.models import OrgUnit
    from zhuanban.rectification.models import Rectification, RectificationResponse
    from zhuanban.supervision.models import Notice, NoticeReason, NoticeRecipient, Visit

    return {
        "item": Rectification._meta.db_table,
        "response": RectificationResponse._meta.db_table,
        "unit": OrgUnit._meta.db_table,
        "visit": Visit._meta.db_table,
        "notice": Notice._meta.db_table,
        "recipient": NoticeRecipient._meta.db_table,
        "reason": NoticeReason._meta.db_table,
    }


def light_sql(today: datetime.date) -> tuple[str, str, list]:
    """The light and its rank in the list's order as CASEs, with the same rules and
    settings as RectificationQuerySet.with_light; the parameters serve both."""
    from django.conf import settings
    from django.db import connection

    soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
    day = connection.ops.adapt_datefield_value
    whens = (
        "WHEN r.status IN ('closed', 'withdrawn') THEN {grey} "
        "WHEN r.status = 'responded' THEN {green} "
        "WHEN r.due_date < %s THEN {red} WHEN r.due_date <= %s THEN {yellow} ELSE {green} END"
    )
    light = "CASE " + whens.format(grey="'grey'", green="'green'", red="'red'", yellow="'yellow'")
    rank = "CASE " + whens.format(grey="3", green="2", red="0", yellow="1")
    return light, rank, [day(today), day(soon)]


# --- (a) the rectification list page -------------------------------------------------------


def list_page(user, today: datetime.date) -> Callable[[], object]:
    """The database work of rectification.views.item_list with no filter: the page count,
    the first page, the chip counts (the filter form's choices are timed apart)."""
    from django.core.paginator import Paginator

    from zhuanban.rectification import selectors

    def run():
        filters = selectors.ItemFilters()
        page = Paginator(selectors.items(user, filters, today), PAGE_SIZE).get_page(1)
        rows = list(page.object_list)
        selectors.attach_days_overdue(rows, today)
        return rows, page.paginator.num_pages, selectors.chip_counts(user, filters, today)

    return run


def filter_choices(user) -> Callable[[], object]:
    from zhuanban.rectification import selectors

    def run():
        return {name: list(qs) for name, qs in selectors.filter_choices(user).items()}

    return run


def list_floor(today: datetime.date) -> Callable[[], object]:
    from django.db import connection

    t = tables()
    light, rank, params = light_sql(today)
    page = (
        "SELECT r.id, r.source_kind, r.source_label, r.problem, r.requirement, r.due_date, "  # noqa: S608 (names from the models)
        f"r.original_due_date, r.status, r.raised_at, r.closed_at, u.name, c.name, o.name, "
        f"{light} AS light FROM {t['item']} r "
        f"JOIN {t['unit']} u ON u.id = r.unit_id LEFT JOIN {t['unit']} c ON c.id = r.county_id "
        f"JOIN {t['unit']} o ON o.id = r.office_id "
        f"ORDER BY {rank}, r.due_date, r.id LIMIT {PAGE_SIZE}"
    )
    counts = (
        "SELECT light, status, COUNT(*), SUM(overdue) FROM ("  # noqa: S608 (names from the models)
        f"SELECT r.status, {light} AS light, "
        "CASE WHEN r.status IN ('open', 'rework') AND r.due_date < %s THEN 1 ELSE 0 END AS overdue "
        f"FROM {t['item']} r) lights GROUP BY light, status"
    )

    def run():
        with connection.cursor() as cursor:
            cursor.execute(page, params + params)
            rows = cursor.fetchall()
            cursor.execute(counts, [*params, params[0]])
            return rows, cursor.fetchall()

    return run


# --- (b) the supervision overview ------------------------------------------------------------


def overview_floor(year: int, today: datetime.date) -> Callable[[], object]:
    from django.db import connection

    t = tables()
    day = connection.ops.adapt_datefield_value
    first, last = day(datetime.date(year, 1, 1)), day(datetime.date(year + 1, 1, 1))
    issued = "n.status IN ('issued', 'closed') AND n.year = %s"
    statements = [
        (
            "SELECT kind, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), "  # noqa: S608
            f"SUM(CASE WHEN status = 'planned' THEN 1 ELSE 0 END) FROM {t['visit']} "
            "WHERE date >= %s AND date < %s GROUP BY kind",
            [first, last],
        ),
        (
            "SELECT r.county_id, c.name, COUNT(*), "  # noqa: S608
            "SUM(CASE WHEN r.status IN ('open', 'rework') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN r.status = 'responded' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN r.status IN ('open', 'rework') AND r.due_date < %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN r.status = 'closed' THEN 1 ELSE 0 END) "
            f"FROM {t['item']} r LEFT JOIN {t['unit']} c ON c.id = r.county_id "
            "GROUP BY r.county_id, c.name",
            [day(today)],
        ),
        (
            f"SELECT n.kind, COUNT(*) FROM {t['notice']} n WHERE {issued} GROUP BY n.kind",  # noqa: S608
            [year],
        ),
        (
            f"SELECT u.path, COUNT(DISTINCT nr.notice_id) FROM {t['recipient']} nr "  # noqa: S608
            f"JOIN {t['notice']} n ON n.id = nr.notice_id JOIN {t['unit']} u ON u.id = nr.unit_id "
            f"WHERE {issued} GROUP BY u.path",
            [year],
        ),
        (
            f"SELECT nr.kind, COUNT(*), COUNT(DISTINCT nr.notice_id) FROM {t['reason']} nr "  # noqa: S608
            f"JOIN {t['notice']} n ON n.id = nr.notice_id WHERE {issued} GROUP BY nr.kind",
            [year],
        ),
    ]

    def run():
        with connection.cursor() as cursor:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
            return results

    return run


# --- (c) visits per county and month -------------------------------------------------------


def grid_floor(year: int) -> Callable[[], object]:
    from django.db import connection

    t = tables()
    day = connection.ops.adapt_datefield_value
    if connection.vendor == "sqlite":
        month = "CAST(strftime('%%m', date) AS INTEGER)"
    else:
        month = "EXTRACT(MONTH FROM date)"
    sql = (
        f"SELECT county_id, {month} AS month, COUNT(*) FROM {t['visit']} "  # noqa: S608
        "WHERE status = 'done' AND date >= %s AND date < %s GROUP BY county_id, month"
    )
    params = [day(datetime.date(year, 1, 1)), day(datetime.date(year + 1, 1, 1))]

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# --- (d) the rectification ledger ----------------------------------------------------------


def export_ours(user, today: datetime.date, workdir: Path) -> Callable[[], object]:
    """As rectification.views_export.ledger_export calls it, unfiltered."""
    from zhuanban.rectification import exports, selectors

    def run():
        filters = selectors.ItemFilters()
        items = selectors.items(user, filters, today)
        with open(workdir / "ours.xlsx", "wb") as out:
            exports.write_ledger_xlsx(
                exports.export_rows(items, today, chunk_size=EXPORT_CHUNK),
                out,
                counts=exports.ledger_counts(items, today),
                filters=exports.filter_pairs(filters),
                today=today,
            )

    return run


def export_floor(today: datetime.date, workdir: Path) -> tuple[Callable[[], object], list[int]]:
    """openpyxl alone: the same columns in the same order from one raw query."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone
    from openpyxl import Workbook

    t = tables()
    light, rank, params = light_sql(today)
    day = connection.ops.adapt_datefield_value
    # Moments as local dates, as the ledger prints them (Excel holds no time zones).
    if connection.vendor == "sqlite":
        late = "CAST(julianday(%s) - julianday(r.due_date) AS INTEGER)"
        offset = timezone.localtime().utcoffset().total_seconds() // 60
        local, zone = "date({}, %s)", f"{offset:+.0f} minutes"
    else:
        late = "(CAST(%s AS date) - r.due_date)"
        local, zone = "CAST(({} AT TIME ZONE %s) AS date)", settings.TIME_ZONE
    latest = f"FROM {t['response']} x WHERE x.item_id = r.id"
    verified = f"{latest} AND x.verdict <> 'pending'"
    order = "ORDER BY x.at DESC, x.id DESC LIMIT 1"
    sql = (
        "SELECT r.source_kind, r.source_label, r.problem, r.requirement, u.name, c.name, "  # noqa: S608 (names from the models)
        f"o.name, {local.format('r.raised_at')}, r.due_date, r.original_due_date, r.status, "
        f"{light}, CASE WHEN r.status IN ('open', 'rework') AND r.due_date < %s THEN {late} END, "
        f"(SELECT x.text {latest} {order}), (SELECT x.verdict {verified} {order}), "
        f"(SELECT x.verdict_comment {verified} {order}), {local.format('r.closed_at')} "
        f"FROM {t['item']} r JOIN {t['unit']} u ON u.id = r.unit_id "
        f"LEFT JOIN {t['unit']} c ON c.id = r.county_id JOIN {t['unit']} o ON o.id = r.office_id "
        f"ORDER BY {rank}, r.due_date, r.id"
    )
    query_params = [zone, *params, day(today), day(today), zone, *params]
    counted: list[int] = []

    def run():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("ledger")
        rows = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, query_params)
            while batch := cursor.fetchmany(EXPORT_CHUNK):
                for row in batch:
                    rows += 1
                    ws.append([rows, *row])
        with open(workdir / "floor.xlsx", "wb") as out:
            wb.save(out)
        counted.append(rows)

    return run, counted


# --- (e) reasons drafted from data ---------------------------------------------------------


def reason_parts(units: list, today: datetime.date) -> dict[str, Callable[[], object]]:
    from zhuanban.supervision import notice_selectors as ns

    return {
        "red_tasks": lambda: ns._red_tasks(units, today),
        "dispatch_lapses": lambda: ns._dispatch_lapses(units, today.year, today),
        "lagging_indicators": lambda: ns._lagging_indicators(units, today.year, today),
        "overdue_rectifications": lambda: ns._overdue_rectifications(units, today),
    }


def measure(name: str, ours, floor=None, unit: str = "ms") -> None:
    """Time `ours` (and its floor), print the figures, the queries and the ratio."""
    scale = 1000 if unit == "ms" else 1
    ours_s, queries = best_of(ours)
    figure(f"{name}_{unit}", ours_s * scale, unit)
    if floor is not None:
        floor_s, floor_queries = best_of(floor)
        figure(f"{name}_floor_{unit}", floor_s * scale, unit)
    figure(f"{name}_queries", queries, "count")
    if floor is not None:
        figure(f"{name}_floor_queries", floor_queries, "count")
        ratio(name, ours_s, floor_s)


def main() -> None:
    args = parse_args()
    with workspace(args.database_url, args.keep) as workdir:
        from django.contrib.auth import get_user_model
        from django.db.models import Count

        from zhuanban.org.scoping import scope_for
        from zhuanban.rectification import selectors as rectification_selectors
        from zhuanban.rectification.models import Rectification
        from zhuanban.supervision import notice_selectors
        from zhuanban.supervision import selectors as supervision_selectors
        from zhuanban.tasks import scale

        started = time.perf_counter()
        p = seed(args)
        figure("seed_s", time.perf_counter() - started, "s")
        for name, count in p.counts.items():
            figure(name, count, "count")
        by_source = Rectification.objects.values_list("source_kind").annotate(n=Count("pk"))
        for kind, count in sorted(by_source.order_by()):
            figure(f"items_from_{kind}", count, "count")
        leader, today = p.leader, p.today
        scope_for(leader)  # computed once per request; not the pages' work
        chips = rectification_selectors.chip_counts(leader, today=today)
        for light, count in chips["light"].items():
            figure(f"items_{light}", count, "count")
        figure("items_overdue", chips["overdue"], "count")
        if chips["total"] != p.counts["rectifications"]:
            raise SystemExit("the leader does not see every item seeded")

        # (a) the rectification list page
        measure("rectification_list_page", list_page(leader, today), list_floor(today))
        figure("rectification_filter_choices_ms", best_of(filter_choices(leader))[0] * 1000, "ms")
        liaison = get_user_model().objects.get(
            username=f"{scale.PREFIX}{p.counties[0].division_code}"
        )
        scope_for(liaison)
        figure(
            "rectification_list_page_county_liaison_ms",
            best_of(list_page(liaison, today))[0] * 1000,
            "ms",
        )

        # (b) the overview, (c) the visit counts grid
        result = supervision_selectors.overview(leader, p.year, today)
        if result.visits_done != p.counts["visits"] or result.notices_issued != p.counts["notices"]:
            raise SystemExit("the overview does not count what was seeded")
        measure(
            "supervision_overview",
            lambda: supervision_selectors.overview(leader, p.year, today),
            overview_floor(p.year, today),
        )
        grid = supervision_selectors.visit_counts(leader, p.year)
        if grid.total != p.counts["visits"]:
            raise SystemExit("the visit counts grid does not count what was seeded")
        measure(
            "visit_counts_grid",
            lambda: supervision_selectors.visit_counts(leader, p.year),
            grid_floor(p.year),
        )

        # (d) the ledger export
        ours = export_ours(leader, today, workdir)
        floor, counted = export_floor(today, workdir)
        measure("rectification_ledger_export", ours, floor, unit="s")
        if counted[-1] != p.counts["rectifications"]:
            raise SystemExit("the floor did not write every item")
        figure("rectification_ledger_export_rows", counted[-1], "count")
        figure("rectification_ledger_export_bytes", (workdir / "ours.xlsx").stat().st_size, "bytes")
        figure(
            "rectification_ledger_export_floor_bytes",
            (workdir / "floor.xlsx").stat().st_size,
            "bytes",
        )

        # (e) reasons drafted from data for 50 counties
        units = p.counties[: args.reason_units]
        figure("notice_reasons_units", len(units), "count")
        reasons = notice_selectors.reasons_from_data(units, as_of=today)
        for kind, count in sorted(Counter(r.kind for r in reasons).items()):
            figure(f"notice_reasons_{kind}", count, "count")
        measure(
            "notice_reasons",
            lambda: notice_selectors.reasons_from_data(units, as_of=today),
        )
        for part, run in reason_parts(units, today).items():
            figure(f"notice_reasons_{part}_ms", best_of(run)[0] * 1000, "ms")


if __name__ == "__main__":
    main()
