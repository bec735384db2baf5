import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Task
from zhuanban.tasks.numbering import chinese_numeral, format_number, parse_chinese_numeral


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (76, "七十六"),
        (100, "一百"),
        (105, "一百零五"),
        (118, "一百一十八"),
        (1000, "一千"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2024, "二千零二十四"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (20500, "二万零五百"),
        (120000, "十二万"),
    ],
)
def test_chinese_numerals_round_trip(n, text):
    assert chinese_numeral(n) == text
    assert parse_chinese_numeral(text) == n


def test_every_numeral_a_list_can_reach_reads_back_as_its_number():
    # A task list holds at most 20,000 rows (tasks.importer.MAX_DATA_ROWS).
    texts = {chinese_numeral(n): n for n in range(1, 20_001)}
    assert len(texts) == 20_000
    assert all(parse_chinese_numeral(text) == n for text, n in texts.items())


@pytest.mark.parametrize("n", [0, -1, 100_000_000])
def test_chinese_numerals_out_of_range_are_refused(n):
    with pytest.raises(ValueError, match=str(n)):
        chinese_numeral(n)


@pytest.mark.parametrize(
    ("positions", "chinese", "decimal"),
    [
        ([3], "三、", "3"),
        ([3, 2], "(二)", "3.2"),
        ([3, 2, 4], "4.", "3.2.4"),
        ([1, 1, 1, 5], "(5)", "1.1.1.5"),
    ],
)
def test_both_numbering_styles_from_one_tree(positions, chinese, decimal):
    assert format_number(positions, "chinese") == chinese
    assert format_number(positions, "decimal") == decimal


def test_new_tasks_are_numbered_in_order(make_task):
    first, second = make_task(content="一"), make_task(content="二")
    child = make_task(parent=second, content="二之一")
    assert (first.number(), second.number(), child.number()) == ("一、", "二、", "(一)")
    assert child.number("decimal") == "2.1"
    assert child.depth == 1


def test_moving_a_task_takes_its_subtree_and_closes_the_gap(world, make_task):
    _a, b, c = make_task(content="A"), make_task(content="B"), make_task(content="C")
    b1 = make_task(parent=b, content="B1")
    b1a = make_task(parent=b1, content="B1a")
    services.task_update(actor=world.office, task=b, expected_version=b.version, parent=c)

    b, c, b1, b1a = (Task.objects.get(pk=t.pk) for t in (b, c, b1, b1a))
    assert c.number("decimal") == "2"  # C moved up into B's place
    assert b.number("decimal") == "2.1"
    assert b1.number("decimal") == "2.1.1"
    assert b1a.number("decimal") == "2.1.1.1"
    assert b1a.depth == 3
    assert list(Task.objects.order_by("sort_path").values_list("content", flat=True)) == [
        "A",
        "C",
        "B",
        "B1",
        "B1a",
    ]


def test_a_task_cannot_move_under_its_own_descendant(world, make_task):
    parent = make_task(content="父")
    child = make_task(parent=parent, content="子")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.task_update(
            actor=world.office, task=parent, expected_version=parent.version, parent=child
        )
    assert "parent" in caught.value.message_dict
    parent.refresh_from_db()
    assert parent.parent_id is None
    assert parent.number() == "一、"


def test_due_before_start_and_lead_as_cooperating_are_refused(world, make_task, today):
    with pytest.raises(ValidationError) as caught:
        make_task(start_date=today, due_date=today.replace(year=today.year - 1))
    assert "due_date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_task(lead=world.zhuozi, cooperating_units=[world.huade, world.zhuozi])
    assert "cooperating_units" in caught.value.message_dict
    assert not Task.objects.exists()


def test_a_stale_edit_is_refused_not_silently_overwritten(world, make_task):
    task = make_task(content="原内容")
    loaded_by_first, loaded_by_second = task.version, task.version
    services.task_update(
        actor=world.office, task=task, expected_version=loaded_by_first, content="第一人修改"
    )
    with translation.override("zh-hans"), pytest.raises(services.ConcurrentEditError) as caught:
        services.task_update(
            actor=world.potato_director,
            task=task,
            expected_version=loaded_by_second,
            content="第二人修改",
        )
    assert caught.value.code == "concurrent_edit"
    assert Task.objects.get(pk=task.pk).content == "第一人修改"


def test_only_drafts_are_deleted_and_numbers_close_up(world, make_task):
    a, b, c = make_task(content="A"), make_task(content="B"), make_task(content="C")
    services.task_act(actor=world.office, task=a, action=Action.ASSIGN)
    with pytest.raises(ValidationError):
        services.task_delete(actor=world.office, task=a)
    services.task_delete(actor=world.office, task=b)
    assert Task.objects.get(pk=c.pk).number() == "二、"


def test_other_offices_cannot_plan_in_the_list(world, task_list, make_task):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.task_create(actor=world.brand_staff, task_list=task_list, content="越权")
    task = make_task()
    with pytest.raises(PermissionDenied):
        services.task_update(
            actor=world.zhuozi_liaison, task=task, expected_version=task.version, content="改"
        )
    assert Task.objects.count() == 1
