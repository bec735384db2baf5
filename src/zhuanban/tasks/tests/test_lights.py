import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhuanban.core.models import Notification
from zhuanban.tasks import selectors, services
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Light, Task, TaskEvent

D = datetime.timedelta


def light_of(task, today):
    return Task.objects.with_light(today).get(pk=task.pk).light


def started(world, make_task, today, **fields):
    task = make_task(**fields)
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    return services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)


def test_draft_has_no_light_and_closed_is_grey(world, make_task, today):
    task = make_task()
    assert light_of(task, today) == Light.NONE
    task = started(world, make_task, today)
    task = services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE)
    task = services.task_act(actor=world.office, task=task, action=Action.CLOSE)
    assert light_of(task, today) == Light.GREY


def test_overdue_is_red(world, make_task, today):
    task = started(world, make_task, today, start_date=today - D(60), due_date=today - D(1))
    assert light_of(task, today) == Light.RED


def test_due_soon_is_yellow(world, make_task, today, settings):
    settings.TASK_DUE_SOON_DAYS = 7
    task = started(world, make_task, today, start_date=today - D(10), due_date=today + D(5))
    services.task_report(actor=world.zhuozi_liaison, task=task, text="基本完成", progress=95)
    assert light_of(task, today) == Light.YELLOW


def test_progress_lagging_time_is_yellow_and_reporting_turns_it_green(
    world, make_task, today, settings
):
    settings.TASK_LAG_POINTS = 20
    # Half the time gone, 10% done: lags by 40 points.
    task = started(world, make_task, today, start_date=today - D(50), due_date=today + D(50))
    services.task_report(actor=world.zhuozi_liaison, task=task, text="刚起步", progress=10)
    assert light_of(task, today) == Light.YELLOW
    services.task_report(actor=world.zhuozi_liaison, task=task, text="过半", progress=45)
    assert light_of(task, today) == Light.GREEN


def test_silence_for_a_reporting_cycle_is_yellow(world, make_task, today, settings):
    settings.TASK_REPORT_CYCLE_DAYS = 30
    task = started(world, make_task, today, start_date=today - D(10), due_date=today + D(300))
    services.task_report(actor=world.zhuozi_liaison, task=task, text="进行中", progress=60)
    assert light_of(task, today) == Light.GREEN
    assert light_of(task, today + D(31)) == Light.YELLOW


def test_remind_is_idempotent_and_escalates(world, make_task, today):
    red = started(
        world, make_task, today, content="逾期任务", start_date=today - D(60), due_date=today - D(1)
    )
    yellow = started(
        world, make_task, today, content="临期任务", start_date=today - D(60), due_date=today + D(2)
    )
    started(
        world,
        make_task,
        today,
        content="正常任务",
        start_date=today - D(1),
        due_date=today + D(200),
    )

    first = services.remind(today)
    notes = Notification.objects.filter(kind__in=["task_overdue", "task_due_soon"])
    count = notes.count()
    second = services.remind(today)

    assert first["overdue"] == 1
    assert first["due_soon"] == 1
    assert first["auto_urged"] == 1
    assert (second["overdue"], second["due_soon"], second["auto_urged"]) == (0, 0, 0)
    assert notes.count() == count
    assert notes.filter(
        kind="task_overdue", recipient=world.zhuozi_liaison, url__endswith=f"/{red.pk}/"
    ).exists()
    assert notes.filter(kind="task_overdue", recipient=world.office).exists()
    assert TaskEvent.objects.filter(task=yellow, action="auto_urge").count() == 1
    assert [t.pk for t in selectors.red_candidates(world.office, today)] == [red.pk]


def test_ledger_counts_and_rollups_take_constant_queries(world, make_task, today):
    def measure():
        qs = selectors.ledger(world.leader, today=today)
        with CaptureQueriesContext(connection) as ctx:
            summary = selectors.ledger_summary(qs)
        return len(ctx.captured_queries), summary.counts, summary.by_county, summary.by_office

    started(world, make_task, today, lead=world.zhuozi)
    small = measure()
    for n in range(12):
        lead = world.huade if n % 2 else world.zhuozi
        task = (
            started(world, make_task, today, lead=lead, content=f"措施{n}")
            if lead == world.zhuozi
            else make_task(lead=lead)
        )
        if n % 3 == 0 and lead == world.zhuozi:
            task = services.task_act(
                actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE
            )
            services.task_act(actor=world.office, task=task, action=Action.CLOSE)
    large = measure()
    assert small[0] == large[0] == 1
    assert large[1] == selectors.ledger_counts(selectors.ledger(world.leader, today=today))
    counts = large[1]
    assert counts["total"] == 13
    assert counts["closed"] == 2
    by_county = {row["name"]: row for row in large[2]}
    assert by_county["卓资县"]["total"] == 7
    assert by_county["化德县"]["total"] == 6
    assert large[3][0]["name"] == "马铃薯产业办"


def test_the_remind_command_mails_once(
    world, make_task, today, mailoutbox, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    world.zhuozi_liaison.email = "zhuozi@example.gov.cn"
    world.zhuozi_liaison.save()
    started(
        world, make_task, today, content="逾期任务", start_date=today - D(60), due_date=today - D(1)
    )
    mailoutbox.clear()  # the assignment's own e-mail

    out = StringIO()
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # e-mail leaves after commit
            call_command("remind", stdout=out)

    overdue_mails = [m for m in mailoutbox if m.to == ["zhuozi@example.gov.cn"]]
    assert len(overdue_mails) == 1
    assert "/tasks/" in overdue_mails[0].body
    assert "overdue=1" in out.getvalue().splitlines()[0]
    assert "overdue=0" in out.getvalue().splitlines()[1]


def test_remind_refreshes_lights_without_a_query_per_task(world, make_task, today):
    def queries_for(n):
        for i in range(n):
            started(
                world,
                make_task,
                today,
                content=f"正常{n}-{i}",
                start_date=today,
                due_date=today + D(300),
            )
        with CaptureQueriesContext(connection) as ctx:
            services.remind(today)
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(10)
