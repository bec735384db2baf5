"""Scale data (DESIGN.md "Scale"): a province-sized organisation and tens of thousands
of tasks, made in seconds with bulk inserts, for benchmarks and load tests.

    from zhuanban.tasks import scale
    scale.seed(counties=103, tasks=20_000)   # {"counties": 103, "tasks": 20000, ...}

What it makes:

- a provincial department (kind bureau, "规模测试农牧厅") with sections and offices;
- cities of about nine counties each, with fake but valid GB/T 2260 division codes:
  province prefix 15 first, city digits 30-99 (real Inner Mongolia cities use 01-29,
  so the Ulanqab demo's codes never clash), counties 01-99 under each city; beyond 70
  cities the next province prefix is used, so the whole country (2,800 counties) fits;
- a leader, an inspector, a director and a member per office, a liaison per county
  and per section;
- task lists owned by the offices, each a two-level tree: key tasks (重点任务, led by
  a section) with 3-12 measures (具体措施, mostly led by counties), cooperating units,
  statuses and dates chosen so the warning lights come out as in real work (about a
  quarter closed, one live measure in eight overdue, one in four yellow), and the
  latest progress report of every measure that has progress.

Tasks get their tree fields (position, sort_path, depth), county and light inputs
(lag_date, last_activity_on) computed with `services.lag_date`, as `services._place`,
`services._county_of` and `services.refresh_light_inputs` compute them. The task
timeline (TaskEvent) and per-object audit entries are not written: one audit event
records the seeding.

Everything made is marked: unit codes and usernames start with "scale-", and every
task list belongs to one of its offices. `reset()` deletes exactly that.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.org.models import OrgUnit, Profile, RoleAssignment
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.validators import PROVINCE_PREFIXES
from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Level, NumberingStyle, ProgressReport, Task, TaskList
from zhuanban.tasks.numbering import chinese_numeral

PREFIX = "scale-"
BUREAU_CODE = f"{PREFIX}bureau"
LEADER = f"{PREFIX}leader"
INSPECTOR = f"{PREFIX}inspector"
FIRST_CITY_DIGITS = 30  # real cities of province 15 use 01-29
COUNTIES_PER_CITY = 9

OFFICE_NAMES = [
    "农牧办",
    "马铃薯产业办",
    "国家重要农畜产品基地办",
    "肉(奶)牛办",
    "菜篮子办",
    "品牌办",
    "京蒙协作净菜进京办",
    "招商引资办",
    "马铃薯产业联盟秘书处",
]
SECTION_NAMES = [
    "种植业管理科",
    "畜牧业管理科",
    "农田建设管理科",
    "乡村产业发展科",
    "市场与信息化科",
    "科技教育科",
]
INDUSTRIES = ["马铃薯", "燕麦", "设施蔬菜", "肉牛", "肉羊", "奶业", "冷凉蔬菜", "杂粮杂豆"]
VERBS = ["建设", "推进", "完善", "实施", "落实", "培育", "扩大", "提升"]
OBJECTS = [
    "种薯繁育基地",
    "高标准农田",
    "规模化养殖场",
    "标准化牧场",
    "设施农业园区",
    "良种推广示范区",
    "冷链物流设施",
    "农畜产品加工园区",
    "品牌授权企业",
    "招商引资签约项目",
]
REPORTS = [
    "已完成选址和方案编制，正在组织施工。",
    "项目主体工程已完工，正在进行设备安装调试。",
    "已召开推进会，分解落实到乡镇，按月调度进展。",
    "资金已拨付到位，完成年度目标的大部分任务量。",
    "受天气影响进度有所滞后，已制定赶工计划。",
]
DUE_TEXTS = ["6月底前", "9月底前", "年底前", "每季度末"]


class AlreadySeeded(Exception):
    """The database already holds scale data (run with reset=True to replace it)."""


def is_seeded() -> bool:
    return OrgUnit.objects.filter(code=BUREAU_CODE).exists()


@transaction.atomic
def reset() -> None:
    """Delete every record the generator made, and nothing else."""
    TaskList.objects.filter(office__code__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()
    units = OrgUnit.objects.filter(code__startswith=PREFIX)
    for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
        units.filter(depth=depth).delete()


# --- the organisation ------------------------------------------------------------------


def division_codes(counties: int, per_city: int = COUNTIES_PER_CITY) -> list[tuple[str, list]]:
    """[(city code, [county codes])] for `counties` counties, `per_city` to a city."""
    if not 1 <= per_city <= 99:
        raise ValueError("per_city must be between 1 and 99")
    cities = math.ceil(counties / per_city) if counties else 0
    per_province = 100 - FIRST_CITY_DIGITS
    provinces = ["15", *sorted(PROVINCE_PREFIXES - {"15"})]
    if cities > per_province * len(provinces):
        raise ValueError("too many counties for fake division codes")
    plan = []
    remaining = counties
    for index in range(cities):
        province = provinces[index // per_province]
        city = f"{province}{FIRST_CITY_DIGITS + index % per_province:02d}00"
        # Spread the counties evenly: the first cities take one more when it doesn't divide.
        here = math.ceil(remaining / (cities - index))
        plan.append((city, [f"{city[:4]}{k:02d}" for k in range(1, here + 1)]))
        remaining -= here
    return plan


def _bulk_units(units: list[OrgUnit], parent_paths: dict[int | None, str]) -> list[OrgUnit]:
    """Insert units of one level and give them their materialised paths."""
    for unit in units:
        unit.clean_fields(exclude=["path", "parent"])  # the parent is in memory
        unit.clean()
        unit.path = ""
    OrgUnit.objects.bulk_create(units)
    for unit in units:
        unit.path = f"{parent_paths.get(unit.parent_id, '/')}{unit.pk}/"
        unit.depth = unit.path.count("/") - 2
    OrgUnit.objects.bulk_update(units, ["path", "depth"])
    return units


@dataclass
class _Org:
    bureau: OrgUnit
    sections: list[OrgUnit]
    offices: list[OrgUnit]
    counties: list[OrgUnit]
    liaisons: dict[int, int] = field(default_factory=dict)  # unit id -> user id
    users: int = 0


def _make_org(counties: int, offices: int, sections: int, password_hash: str | None) -> _Org:
    bureau = _bulk_units(
        [
            OrgUnit(
                code=BUREAU_CODE,
                name="规模测试农牧厅",
                short_name="测试厅",
                kind=UnitKind.BUREAU,
            )
        ],
        {},
    )[0]
    paths = {bureau.pk: bureau.path}
    section_units = _bulk_units(
        [
            OrgUnit(
                code=f"{PREFIX}sec-{i}",
                name=SECTION_NAMES[(i - 1) % len(SECTION_NAMES)]
                + ("" if i <= len(SECTION_NAMES) else str(i)),
                kind=UnitKind.SECTION,
                parent=bureau,
                sort_order=i,
            )
            for i in range(1, sections + 1)
        ],
        paths,
    )
    office_units = _bulk_units(
        [
            OrgUnit(
                code=f"{PREFIX}office-{i}",
                name=OFFICE_NAMES[(i - 1) % len(OFFICE_NAMES)]
                + ("" if i <= len(OFFICE_NAMES) else str(i)),
                kind=UnitKind.OFFICE,
                parent=bureau,
                sort_order=100 + i,
            )
            for i in range(1, offices + 1)
        ],
        paths,
    )
    plan = division_codes(counties)
    cities = _bulk_units(
        [
            OrgUnit(
                code=f"{PREFIX}{city}",
                name=f"测试{chinese_numeral(i)}市",
                kind=UnitKind.CITY,
                division_code=city,
                sort_order=i,
            )
            for i, (city, _codes) in enumerate(plan, start=1)
        ],
        {},
    )
    county_units = _bulk_units(
        [
            OrgUnit(
                code=f"{PREFIX}{code}",
                name=f"{city.name}{chinese_numeral(k)}县",
                kind=UnitKind.COUNTY,
                parent=city,
                division_code=code,
                sort_order=k,
            )
            for city, (_city_code, codes) in zip(cities, plan, strict=True)
            for k, code in enumerate(codes, start=1)
        ],
        {city.pk: city.path for city in cities},
    )
    org = _Org(bureau=bureau, sections=section_units, offices=office_units, counties=county_units)
    _make_people(org, password_hash)
    return org


def _make_people(org: _Org, password_hash: str | None) -> None:
    User = get_user_model()
    people: list[tuple[str, str, OrgUnit, list[tuple[str, OrgUnit | None]]]] = [
        (LEADER, "测试局领导", org.bureau, [(Role.LEADER, None)]),
        (INSPECTOR, "测试督导员", org.bureau, [(Role.INSPECTOR, None)]),
    ]
    for i, office in enumerate(org.offices, start=1):
        people.append(
            (
                f"{PREFIX}office-{i}-director",
                f"{office.name}主任",
                org.bureau,
                [(Role.OFFICE_DIRECTOR, office)],
            )
        )
        people.append(
            (
                f"{PREFIX}office-{i}-member",
                f"{office.name}成员",
                org.bureau,
                [(Role.OFFICE_MEMBER, office)],
            )
        )
    for i, section in enumerate(org.sections, start=1):
        people.append(
            (
                f"{PREFIX}sec-{i}",
                f"{section.name}联络员",
                section,
                [(Role.DEPARTMENT_LIAISON, section)],
            )
        )
    for county in org.counties:
        people.append(
            (
                f"{PREFIX}{county.division_code}",
                f"{county.name}联络员",
                county,
                [(Role.COUNTY_LIAISON, county)],
            )
        )
    users = User.objects.bulk_create(
        [
            User(username=username, first_name=name, password=password_hash or make_password(None))
            for username, name, _unit, _roles in people
        ]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=user, unit=unit)
            for user, (_username, _name, unit, _roles) in zip(users, people, strict=True)
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=role, unit=unit)
            for user, (_username, _name, _unit, roles) in zip(users, people, strict=True)
            for role, unit in roles
        ]
    )
    for user, (_username, _name, _unit, roles) in zip(users, people, strict=True):
        for role, unit in roles:
            if role in (Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON):
                org.liaisons[unit.pk] = user.pk
    org.users = len(users)


# --- tasks -------------------------------------------------------------------------------


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class _Measures:
    """Draws one measure's status, dates and progress so its light lands where it would
    in real work."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def fill(self, task: Task) -> datetime.date | None:
        """Set status and dates on `task`; return the day of its latest report, if any."""
        rng, today = self.rng, self.today
        draw = rng.random()
        if draw < 0.04:
            status = Status.DRAFT
        elif draw < 0.06:
            status = Status.RETURNED
        elif draw < 0.29:
            status = Status.CLOSED
        elif draw < 0.34:
            status = Status.CLOSE_REQUESTED
        elif draw < 0.44:
            status = Status.ASSIGNED
        else:
            status = Status.IN_PROGRESS
        task.status = status
        ongoing = rng.random() < 0.02
        light = rng.random()  # for live work: < 0.12 overdue, < 0.37 yellow, else green
        if status == Status.CLOSED:
            due = today + self.days(-200, 120)
            start = due - self.days(60, 240)
        elif ongoing:
            due, start = None, today - self.days(30, 300)
        elif light < 0.12:
            due = today - self.days(1, 90)
            start = due - self.days(60, 240)
        elif light < 0.22:
            due = today + self.days(0, settings.TASK_DUE_SOON_DAYS)
            start = due - self.days(60, 240)
        else:
            due = today + self.days(settings.TASK_DUE_SOON_DAYS + 1, 300)
            start = today - self.days(0, 120)
        if start and due and start > due:
            start = due
        task.start_date, task.due_date, task.original_due_date = start, due, due
        task.is_ongoing = ongoing
        if ongoing:
            task.due_text = "长期坚持"
        elif rng.random() < 0.1:
            task.due_text = rng.choice(DUE_TEXTS)

        if status == Status.DRAFT:
            task.progress = 0
            return None
        task.assigned_at = _moment(start)
        if status in (Status.RETURNED, Status.ASSIGNED):
            task.progress = 0
            report_day = None
        elif status == Status.CLOSED:
            task.progress = 100
            done = min(today, (due or today) + self.days(-30, 10))
            done = max(done, start)
            task.closed_at = _moment(done, 16)
            report_day = done
        else:
            elapsed = 0.0
            if due and due > start:
                elapsed = min(1.0, max(0.0, (today - start).days / (due - start).days))
            if light < 0.22 or light >= 0.37:
                progress = elapsed * 100 + rng.randint(-10, 25)  # on track
            else:
                progress = elapsed * 100 - rng.randint(25, 50)  # lagging: yellow
            task.progress = int(min(95, max(5, progress)))
            if status == Status.CLOSE_REQUESTED:
                task.progress = 100
            stale = 0.30 <= light < 0.37
            report_day = today - (self.days(31, 90) if stale else self.days(0, 25))
            report_day = max(report_day, start)
        task.lag_date = services.lag_date(start, due, task.progress)
        moments = [d for d in (report_day, start) if d is not None]
        task.last_activity_on = max(moments)
        return report_day


def _content(rng: random.Random, lead: OrgUnit) -> str:
    verb, thing = rng.choice(VERBS), rng.choice(OBJECTS)
    amount = rng.randint(1, 50) * 1000
    return f"{lead.name}{verb}{rng.choice(INDUSTRIES)}{thing}，年内新增{amount}亩（头）"


def _list_sizes(tasks: int, lists: int) -> list[int]:
    base, extra = divmod(tasks, lists)
    return [base + (1 if i < extra else 0) for i in range(lists)]


@transaction.atomic
def seed(
    *,
    counties: int = 103,
    tasks: int = 20_000,
    lists: int | None = None,
    offices: int = 9,
    sections: int = 6,
    today: datetime.date | None = None,
    password: str | None = None,
    random_seed: int = 2023,
    reset_first: bool = False,
) -> dict[str, int]:
    """Create the scale data set and return how many of each record were made.

    `lists` defaults to one list per 250 tasks. Accounts get no usable password unless
    `password` is given. Refuses (AlreadySeeded) when the database already holds scale
    data, unless `reset_first`.
    """
    if reset_first:
        reset()
    elif is_seeded():
        raise AlreadySeeded
    if counties < 1 or offices < 1 or sections < 1 or tasks < 0:
        raise ValueError("counties, offices and sections must be at least 1")
    today = today or timezone.localdate()
    lists = lists or max(1, round(tasks / 250))
    rng = random.Random(random_seed)  # noqa: S311 (made-up data, not secrets)
    org = _make_org(counties, offices, sections, make_password(password) if password else None)

    task_lists = TaskList.objects.bulk_create(
        [
            TaskList(
                title=f"规模测试{today.year}年重点任务清单（第{n}号）",
                year=today.year,
                level=Level.CITY,
                source_document=f"规模测试实施方案（第{n}号）",
                office=org.offices[(n - 1) % len(org.offices)],
                numbering=NumberingStyle.DECIMAL if n % 5 == 0 else NumberingStyle.CHINESE,
            )
            for n in range(1, lists + 1)
        ]
    )

    # The whole tree in memory first; key tasks are inserted before their measures, whose
    # parent ids Django takes from the saved key tasks.
    drawer = _Measures(rng, today)
    keys: list[Task] = []
    measures: list[Task] = []
    report_days: list[datetime.date | None] = []
    for task_list, size in zip(task_lists, _list_sizes(tasks, lists), strict=True):
        position = 0
        while size > 0:
            position += 1
            count = min(rng.randint(3, 12), size - 1)
            size -= 1 + count
            key = Task(
                task_list=task_list,
                position=position,
                sort_path=f"{position:04d}.",
                depth=0,
                is_heading=count > 0,
                content=f"{rng.choice(VERBS)}{rng.choice(INDUSTRIES)}产业高质量发展",
                lead_unit=rng.choice(org.sections),
                county=None,
                responsible_leader="测试局领导",
            )
            children = []
            for child_position in range(1, count + 1):
                by_county = rng.random() < 0.85
                lead = rng.choice(org.counties) if by_county else rng.choice(org.sections)
                task = Task(
                    task_list=task_list,
                    parent=key,
                    position=child_position,
                    sort_path=f"{key.sort_path}{child_position:04d}.",
                    depth=1,
                    content=_content(rng, lead),
                    lead_unit=lead,
                    county=lead if by_county else None,
                    responsible_leader=f"{lead.name}分管负责人",
                    remarks="列入年度考核" if rng.random() < 0.2 else "",
                    counts_in_assessment=rng.random() < 0.3,
                )
                report_days.append(drawer.fill(task))
                children.append(task)
            _summarise(key, children)
            keys.append(key)
            measures.extend(children)
    Task.objects.bulk_create(keys, batch_size=2000)
    Task.objects.bulk_create(measures, batch_size=2000)

    cooperations = _cooperate(rng, org, measures)
    reports = _reports(rng, org, measures, report_days)
    counts = {
        "cities": len({c.parent_id for c in org.counties}),
        "counties": len(org.counties),
        "offices": len(org.offices),
        "sections": len(org.sections),
        "users": org.users,
        "task_lists": len(task_lists),
        "tasks": len(keys) + len(measures),
        "key_tasks": len(keys),
        "measures": len(measures),
        "cooperations": cooperations,
        "reports": reports,
    }
    audit.record(
        actor=None,
        action=AuditAction.SYSTEM,
        message="scale data seeded: "
        + ", ".join(f"{name} {count}" for name, count in counts.items()),
    )
    return counts


def _summarise(key: Task, children: list[Task]) -> None:
    """A key task's status and dates follow its measures."""
    if not children:
        key.status = Status.DRAFT
        return
    statuses = {child.status for child in children}
    if statuses == {Status.CLOSED}:
        key.status = Status.CLOSED
    elif statuses == {Status.DRAFT}:
        key.status = Status.DRAFT
    else:
        key.status = Status.IN_PROGRESS
    key.progress = round(sum(child.progress for child in children) / len(children))
    dues = [child.due_date for child in children if child.due_date]
    starts = [child.start_date for child in children if child.start_date]
    key.due_date = key.original_due_date = max(dues) if dues else None
    key.is_ongoing = key.due_date is None
    key.start_date = min(starts) if starts else None
    if key.status != Status.DRAFT and key.start_date:
        key.assigned_at = _moment(key.start_date)
    if key.status == Status.CLOSED:
        key.closed_at = max(child.closed_at for child in children)
    key.lag_date = services.lag_date(key.start_date, key.due_date, key.progress)
    activity = [child.last_activity_on for child in children if child.last_activity_on]
    key.last_activity_on = max(activity) if activity else None


def _cooperate(rng: random.Random, org: _Org, measures: list[Task]) -> int:
    Through = Task.cooperating_units.through
    rows = []
    for task in measures:
        if rng.random() < 0.5:
            continue
        candidates = rng.sample(org.sections, min(3, len(org.sections)))
        candidates.append(rng.choice(org.counties))
        chosen = {u.pk for u in candidates[: rng.randint(1, 3)]} - {task.lead_unit_id}
        rows.extend(Through(task_id=task.pk, orgunit_id=pk) for pk in sorted(chosen))
    Through.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _reports(
    rng: random.Random, org: _Org, measures: list[Task], days: list[datetime.date | None]
) -> int:
    reports = [
        ProgressReport(
            task_id=task.pk,
            reporter_id=org.liaisons[task.lead_unit_id],
            text=rng.choice(REPORTS),
            progress=task.progress,
        )
        for task, day in zip(measures, days, strict=True)
        if day is not None and task.progress > 0
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    # reported_at is stamped with the current time on insert: give each report its day,
    # one UPDATE per day (a few hundred) rather than a CASE per row.
    day_of = {task.pk: day for task, day in zip(measures, days, strict=True)}
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for report in reports:
        by_day[day_of[report.task_id]].append(report.pk)
    for day, ids in by_day.items():
        for start in range(0, len(ids), 900):
            ProgressReport.objects.filter(pk__in=ids[start : start + 900]).update(
                reported_at=_moment(day, 15)
            )
    return len(reports)
