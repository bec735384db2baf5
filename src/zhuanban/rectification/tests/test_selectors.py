import datetime

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from zhuanban.rectification import selectors, services
from zhuanban.rectification.lifecycle import Action, Status
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.rectification.scoping import visible_items
from zhuanban.tasks.models import Light

D = datetime.timedelta


def test_counts_by_county_in_one_query(world, raise_item, today):
    overdue = raise_item(due_in=10, raised_on=today - D(days=20))  # due 10 days ago
    raise_item(world.zhuozi_town)  # open, counts for 卓资县
    closed = raise_item()
    services.rectification_respond(actor=world.zhuozi_liaison, item=closed, text="已整改")
    services.rectification_act(actor=world.office, item=closed, action=Action.ACCEPT)
    awaiting = raise_item(world.huade)
    services.rectification_respond(actor=world.huade_liaison, item=awaiting, text="已整改")
    raise_item(world.crops)  # a bureau section: no county
    assert overdue.due_date < today

    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.counts_by_county(Rectification.objects.all(), today=today)
    assert len(ctx.captured_queries) == 1
    by_name = {row["name"]: row for row in rows}
    assert [row["name"] for row in rows][-1] is None  # units outside a county come last
    zhuozi = by_name["卓资县"]
    assert (zhuozi["total"], zhuozi["open"], zhuozi["overdue"], zhuozi["closed"]) == (3, 2, 1, 1)
    huade = by_name["化德县"]
    assert (huade["open"], huade["awaiting"], huade["overdue"], huade["closed"]) == (0, 1, 0, 0)
    assert by_name[None]["open"] == 1


def test_counts_by_county_take_a_scoped_queryset(world, raise_item):
    raise_item()
    raise_item(world.huade)
    rows = selectors.counts_by_county(visible_items(world.zhuozi_liaison))
    assert [row["name"] for row in rows] == ["卓资县"]


def test_the_list_is_worst_first_then_by_deadline(world, raise_item, today):
    green_late = raise_item(problem="绿-晚", due_in=60)
    green_soon = raise_item(problem="绿-早", due_in=20)
    yellow = raise_item(problem="黄", due_in=3)
    red = raise_item(problem="红", due_in=5, raised_on=today - D(days=30))
    grey = raise_item(problem="灰", due_in=1)
    services.rectification_act(
        actor=world.office, item=grey, action=Action.WITHDRAW, comment="误报"
    )
    rows = list(selectors.items(world.office, today=today))
    assert [r.problem for r in rows] == ["红", "黄", "绿-早", "绿-晚", "灰"]
    assert [r.light for r in rows] == [
        Light.RED,
        Light.YELLOW,
        Light.GREEN,
        Light.GREEN,
        Light.GREY,
    ]
    assert {green_late.pk, green_soon.pk, yellow.pk, red.pk, grey.pk} == {r.pk for r in rows}


def test_filters_and_chip_counts(world, raise_item, today):
    raise_item(problem="卓资县消防", due_in=5, raised_on=today - D(days=30))
    raise_item(world.huade, problem="化德县冷库", source_kind=SourceKind.NOTICE)
    raise_item(world.huade, problem="品牌包装", office=world.brand)

    def problems(**query):
        q = QueryDict(mutable=True)
        q.update(query)
        filters = selectors.filters_from_query(q)
        return sorted(r.problem for r in selectors.items(world.leader, filters, today))

    assert problems(county=str(world.huade.pk)) == ["化德县冷库", "品牌包装"]
    assert problems(unit=str(world.zhuozi.pk)) == ["卓资县消防"]
    assert problems(source_kind="notice") == ["化德县冷库"]
    assert problems(office=str(world.brand.pk)) == ["品牌包装"]
    assert problems(overdue="1") == ["卓资县消防"]
    assert problems(light="red") == ["卓资县消防"]
    assert problems(status="open") == ["化德县冷库", "卓资县消防", "品牌包装"]
    assert problems(text="化德") == ["化德县冷库", "品牌包装"]  # the unit's name
    assert problems(text="冷库") == ["化德县冷库"]
    # what does not parse is left out, never an error
    assert len(problems(county="x", unit="99999999999999999999999", light="purple")) == 3

    filters = selectors.filters_from_query(QueryDict(f"light=red&county={world.huade.pk}"))
    counts = selectors.chip_counts(world.leader, filters, today)
    # the chips count within the other filters (county), not within their own (light)
    assert counts["total"] == 2
    assert counts["light"][Light.GREEN] == 2
    assert counts["light"][Light.RED] == 0
    assert counts["status"][Status.OPEN] == 2


def test_timeline_and_responses(world, item, django_assert_num_queries):
    services.rectification_respond(actor=world.zhuozi_liaison, item=item, text="第一次")
    services.rectification_act(actor=world.office, item=item, action=Action.REJECT, comment="不行")
    services.rectification_respond(actor=world.zhuozi_liaison, item=item, text="第二次")
    with django_assert_num_queries(2):  # the reports, then all their evidence
        responses = list(selectors.item_responses(item))
        for response in responses:
            list(response.evidence.all())
            assert response.responder.username == "zhuozi"
    assert [r.text for r in responses] == ["第二次", "第一次"]
    with django_assert_num_queries(1):
        events = [(e.action, e.actor.username) for e in selectors.item_timeline(item)]
    assert events == [
        ("raise", "office"),
        ("respond", "zhuozi"),
        ("reject", "office"),
        ("respond", "zhuozi"),
    ]


def test_a_source_without_a_page_is_shown_by_its_label(item):
    assert selectors.source_link(item) == ""
