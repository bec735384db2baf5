"""The data the suite attacks: 化德县's private objects beside 卓资县's own, built through
the services as the screens build them.

卓资县's liaison may see: the shared task list and the task 卓资县 leads; the shared table's
rounds and 卓资县's own submission in them; indicators (every signed-in user does, with
their own line only); offices, chains and the organisation tree.

They may not see anything below: 化德县's task (with its attachment, evidence, report and
extension request), the task list only 化德县 works on, 化德县's submission in the shared
round, the table only 化德县 fills with its rounds and snapshot, 化德县's unit page, a
notification addressed to 化德县's liaison, 化德县's indicator figure.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhuanban.core import notify
from zhuanban.core.files import store_upload
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Cadence, Indicator
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.org.tests.factories import ChainFactory
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Texts that only 化德县's private data contains: none may appear on a page, export or
# API answer that 卓资县's liaison receives.
HUADE_TASK = "化德县白音特拉冷链物流园建设"
HUADE_ONLY_LIST = "化德县冷链物流专项任务单"
HUADE_ONLY_TASK = "化德县乡镇冷库补短板"
HUADE_ATTACHMENT = "化德县冷库设计方案.pdf"
HUADE_EVIDENCE = "化德县冷库验收单.pdf"
HUADE_REPORT = "钢构吊装完成三分之二"
HUADE_EXTENSION = "钢构到货延迟二十天"
HUADE_NOTE = "化德县内部备注八四二"
HUADE_TABLE = "化德县肉羊出栏统计表"
HUADE_NOTIFICATION = "化德县专属提醒九一七"
HUADE_FIGURE = Decimal("8642.13")

SECRETS = (
    "白音特拉冷链物流园",
    "冷链物流专项任务单",
    "乡镇冷库补短板",
    "冷库设计方案",
    "冷库验收单",
    HUADE_REPORT,
    HUADE_EXTENSION,
    "内部备注八四二",
    "肉羊出栏统计表",
    "专属提醒九一七",
    "8642.13",
    "8,642.13",
    "8642.1",  # as a figure shown with one decimal
)
ZHUOZI_TASK = "卓资县种薯繁育基地建设"

LIVESTOCK_SCHEMA = {
    "columns": [
        {
            "key": "beef",
            "label": "肉牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "min": 0,
        },
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [],
}
SHEEP_SCHEMA = {
    "columns": [
        {"key": "sheep", "label": "肉羊出栏", "type": "integer", "unit": "只", "required": True},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [],
}
JUNE = Period(2023, PeriodKind.MONTH, 6)
MAY = Period(2023, PeriodKind.MONTH, 5)


def found_secrets(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _round(office, template, period):
    today = timezone.localdate()
    return dispatch_services.round_open(
        actor=office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=period,
        opens_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=5),
        locks_on=today + datetime.timedelta(days=10),
    )


def _submit(liaison, round_, unit, rows):
    submission = round_.submissions.get(unit=unit)
    return dispatch_services.submission_submit(
        actor=liaison, submission=submission, rows=rows, expected_version=submission.lock_version
    )


def _build_tasks(world, today):
    office, huade_liaison = world.office, world.huade_liaison

    def make(task_list, content, lead, due_in=60):
        task = task_services.task_create(
            actor=office,
            task_list=task_list,
            content=content,
            lead_unit=lead,
            start_date=today - datetime.timedelta(days=90),
            due_date=today + datetime.timedelta(days=due_in),
        )
        return task_services.task_act(actor=office, task=task, action=Action.ASSIGN)

    shared_list = task_services.tasklist_create(
        actor=office,
        office=world.potato,
        title="2023年马铃薯产业重点任务单",
        year=2023,
        level="city",
        source_document="乌兰察布市马铃薯产业发展实施方案",
    )
    zhuozi_task = make(shared_list, ZHUOZI_TASK, world.zhuozi)
    zhuozi_task = task_services.task_act(
        actor=world.zhuozi_liaison, task=zhuozi_task, action=Action.ACCEPT
    )
    huade_task = make(shared_list, HUADE_TASK, world.huade)
    attachment = store_upload(_pdf(HUADE_ATTACHMENT), user=office)
    task_services.task_attach(actor=office, task=huade_task, files=[attachment])
    huade_task = task_services.task_act(actor=huade_liaison, task=huade_task, action=Action.ACCEPT)
    evidence = store_upload(_pdf(HUADE_EVIDENCE), user=huade_liaison)
    task_services.task_report(
        actor=huade_liaison, task=huade_task, text=HUADE_REPORT, progress=60, evidence=[evidence]
    )
    extension = task_services.extension_request(
        actor=huade_liaison,
        task=huade_task,
        reason=HUADE_EXTENSION,
        new_due_date=huade_task.due_date + datetime.timedelta(days=30),
        progress_so_far=HUADE_REPORT,
    )
    huade_list = task_services.tasklist_create(
        actor=office, office=world.potato, title=HUADE_ONLY_LIST, year=2023, level="city"
    )
    # Overdue, so that it is a red-light candidate on 化德县's screens.
    huade_only_task = make(huade_list, HUADE_ONLY_TASK, world.huade, due_in=-3)
    return SimpleNamespace(
        shared_list=shared_list,
        huade_list=huade_list,
        zhuozi_task=zhuozi_task,
        huade_task=huade_task,
        huade_only_task=huade_only_task,
        attachment=attachment,
        evidence=evidence,
        extension=extension,
    )


def _build_dispatch(world):
    office = world.office
    livestock = dispatch_services.template_create(
        actor=office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    sheep = dispatch_services.template_create(
        actor=office,
        office=world.potato,
        code="sheep-huade",
        title=HUADE_TABLE,
        schema=SHEEP_SCHEMA,
        units=[world.huade],
    )
    shared_round = _round(office, livestock, JUNE)
    _submit(world.huade_liaison, shared_round, world.huade, [{"beef": "12.34", "note": HUADE_NOTE}])
    shared_locked_round = _round(office, livestock, MAY)
    _submit(
        world.huade_liaison, shared_locked_round, world.huade, [{"beef": "11", "note": HUADE_NOTE}]
    )
    shared_snapshot = dispatch_services.round_lock(actor=office, round_=shared_locked_round)
    huade_round = _round(office, sheep, JUNE)
    _submit(world.huade_liaison, huade_round, world.huade, [{"sheep": "420", "note": HUADE_NOTE}])
    huade_locked_round = _round(office, sheep, MAY)
    huade_snapshot = dispatch_services.round_lock(actor=office, round_=huade_locked_round)

    indicator = Indicator.objects.create(
        code="beef-stock",
        name="肉牛存栏",
        unit_of_measure="万头",
        office=world.potato,
        aggregation="latest",
        decimals=2,
    )
    for unit, target, actual in (
        (world.zhuozi, Decimal("10"), Decimal("4.20")),
        (world.huade, Decimal("9000"), HUADE_FIGURE),
    ):
        dispatch_services.target_set(
            actor=office, indicator=indicator, unit=unit, year=2023, value=target
        )
        dispatch_services.indicator_value_set(
            actor=office, indicator=indicator, unit=unit, period=JUNE, value=actual
        )
    return SimpleNamespace(
        livestock=livestock,
        sheep=sheep,
        shared_round=shared_round,
        shared_locked_round=shared_locked_round,
        shared_snapshot=shared_snapshot,
        huade_round=huade_round,
        huade_locked_round=huade_locked_round,
        huade_snapshot=huade_snapshot,
        indicator=indicator,
    )


def build_scene(world) -> SimpleNamespace:
    today = timezone.localdate()
    scene = SimpleNamespace(world=world, today=today)
    scene.__dict__.update(vars(_build_tasks(world, today)))
    scene.__dict__.update(vars(_build_dispatch(world)))
    scene.chain = ChainFactory(code="potato", name="马铃薯产业链", short_name="薯")
    (scene.huade_notification,) = notify.notify(
        [world.huade_liaison], kind="test", title=HUADE_NOTIFICATION, url="/tasks/"
    )
    return scene
