"""Inspection groups: who sets them up, the rules on leader, members, counties and period,
concurrent edits, the group list's counts and its pages by persona."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditEvent, Notification
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.supervision import selectors, services
from zhuanban.supervision.models import FindingKind, InspectionGroup, VisitStatus

D = datetime.timedelta


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def group_values(world, today, **fields):
    return {
        "office": world.potato,
        "name": "第二督导检查组",
        "year": today.year,
        "leader": world.leader,
        "members": [world.office],
        "counties": [world.zhuozi],
        "starts_on": datetime.date(today.year, 1, 1),
        "ends_on": datetime.date(today.year, 12, 31),
    } | fields


def test_a_group_is_set_up_audited_and_its_people_told(world, group):
    assert group.leader == world.leader
    assert set(group.members.all()) == {world.office, world.inspector}
    assert set(group.counties.all()) == {world.zhuozi, world.huade}
    event = AuditEvent.objects.get(object_type="supervision.inspectiongroup", action="create")
    assert sorted(event.after["counties"]) == sorted([world.zhuozi.pk, world.huade.pk])
    # The leader and the other member hear of it; whoever set it up does not.
    told = set(
        Notification.objects.filter(kind="inspection_group").values_list("recipient", flat=True)
    )
    assert told == {world.leader.pk, world.inspector.pk}


def test_every_problem_of_a_group_comes_back_at_once_and_nothing_is_saved(world, today):
    with pytest.raises(ValidationError) as caught:
        services.group_create(
            actor=world.office,
            **group_values(
                world,
                today,
                leader=world.inspector,  # not a bureau leader
                members=[world.office, world.zhuozi_liaison, world.auditor],
                counties=[world.zhuozi, world.crops],
                starts_on=datetime.date(today.year, 6, 30),
                ends_on=datetime.date(today.year, 6, 1),
            ),
        )
    assert codes(caught.value) == {
        "leader": {"not_leader"},
        "members": {"not_staff"},
        "counties": {"not_county"},
        "ends_on": {"period_order"},
    }
    message = " ".join(caught.value.message_dict["members"])
    assert "郭晓军" in message
    assert "汪洁" in message
    assert "马晓静" not in message
    assert not InspectionGroup.objects.exists()


def test_a_group_needs_a_county_a_period_in_its_year_and_a_name_of_its_own(world, group, today):
    with pytest.raises(ValidationError) as caught:
        services.group_create(
            actor=world.office,
            **group_values(
                world,
                today,
                name=group.name,
                year=group.year,
                counties=[],
                starts_on=datetime.date(group.year - 1, 12, 1),
            ),
        )
    assert codes(caught.value) == {
        "name": {"duplicate"},
        "counties": {"required"},
        "starts_on": {"period_year"},
    }


def test_only_office_staff_and_leaders_set_up_groups(world, today):
    for outsider in (world.zhuozi_liaison, world.brand_staff, world.auditor):
        with pytest.raises(PermissionDenied):
            services.group_create(actor=outsider, **group_values(world, today))
    assert not InspectionGroup.objects.exists()
    created = services.group_create(actor=world.leader, **group_values(world, today))
    assert created.office == world.potato


def test_a_concurrent_edit_of_a_group_is_refused(world, group):
    loaded = group.version
    services.group_update(
        actor=world.office, group=group, expected_version=loaded, topics="新的重点"
    )
    with pytest.raises(ConcurrentEditError):
        services.group_update(
            actor=world.potato_director, group=group, expected_version=loaded, topics="旧的"
        )
    group.refresh_from_db()
    assert (group.topics, group.version) == ("新的重点", loaded + 1)


def test_an_update_checks_the_same_rules(world, group):
    with pytest.raises(ValidationError) as caught:
        services.group_update(
            actor=world.office,
            group=group,
            expected_version=group.version,
            counties=[world.zhuozi_town],
            ends_on=group.starts_on - D(days=1),
        )
    assert codes(caught.value) == {"counties": {"not_county"}, "ends_on": {"period_order"}}
    group.refresh_from_db()
    assert set(group.counties.all()) == {world.zhuozi, world.huade}


def test_the_group_list_counts_visits_findings_and_open_rectifications(
    world, group, visit, huade_visit, planned_visit, today
):
    services.finding_add(
        actor=world.inspector,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text="种薯库房消防设施不全",
        unit=world.zhuozi,
        rectify=True,
        requirement="补齐灭火器",
        due_date=today + D(days=30),
    )
    services.finding_add(
        actor=world.inspector,
        visit=huade_visit,
        kind=FindingKind.GOOD_PRACTICE,
        text="冷库管理规范",
    )
    (row,) = selectors.group_list(world.leader)
    assert (row.visits_planned, row.visits_done, row.finding_count, row.open_rectifications) == (
        1,
        2,
        2,
        1,
    )
    # 卓资县's liaison counts only what they may see: its carried-out visit and its item.
    (mine,) = selectors.group_list(world.zhuozi_liaison)
    assert (mine.visits_planned, mine.visits_done, mine.finding_count) == (0, 1, 1)
    assert mine.open_rectifications == 1
    item = visit.findings.get().rectifications.get()
    assert item.status == RectificationStatus.OPEN


def test_the_group_list_keeps_its_query_count_as_groups_grow(login, world, group, make_visit):
    client = login(world.leader)
    make_visit()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:groups")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(6):
        more = services.group_create(
            actor=world.office,
            office=world.potato,
            name=f"第{n + 3}督导检查组",
            year=group.year,
            leader=world.leader,
            members=[world.inspector],
            counties=[world.zhuozi, world.huade],
            starts_on=group.starts_on,
            ends_on=group.ends_on,
        )
        make_visit(group=more, status=VisitStatus.PLANNED, days=3)
    assert count() == few


def test_the_group_pages_by_persona(login, world, group, visit, planned_visit):
    url = reverse("supervision:group", args=[group.pk])
    html = login(world.leader).get(url).content.decode()
    assert "第一督导检查组" in html
    assert "卓资县马铃薯仓储库" in html
    assert reverse("supervision:group_edit", args=[group.pk]) in html
    # A liaison of a covered county sees the group, its visit carried out, not the plan.
    liaison = login(world.zhuozi_liaison).get(url)
    assert liaison.status_code == 200
    assert "巴音锡勒镇种薯繁育基地" in liaison.content.decode()
    assert "卓资县马铃薯仓储库" not in liaison.content.decode()
    assert reverse("supervision:group_edit", args=[group.pk]) not in liaison.content.decode()
    assert (
        login(world.zhuozi_liaison)
        .get(reverse("supervision:group_edit", args=[group.pk]))
        .status_code
        == 403
    )
    assert login(world.auditor).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404


def test_a_group_not_covering_the_county_is_not_found(login, world, today):
    other = services.group_create(
        actor=world.office, **group_values(world, today, counties=[world.huade])
    )
    assert (
        login(world.zhuozi_liaison).get(reverse("supervision:group", args=[other.pk])).status_code
        == 404
    )
    html = login(world.zhuozi_liaison).get(reverse("supervision:groups")).content.decode()
    assert other.name not in html


def test_setting_up_a_group_through_the_form(login, world, today):
    client = login(world.office)
    assert client.get(reverse("supervision:group_create")).status_code == 200
    data = {
        "name": "第三督导检查组",
        "year": today.year,
        "office": world.potato.pk,
        "leader": world.leader.pk,
        "members": [world.office.pk, world.inspector.pk],
        "counties": [world.zhuozi.pk],
        "topics": "冷链物流",
        "starts_on": f"{today.year}-12-01",
        "ends_on": f"{today.year}-11-01",
    }
    response = client.post(reverse("supervision:group_create"), data)
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not InspectionGroup.objects.exists()
    data["ends_on"] = f"{today.year}-12-31"
    response = client.post(reverse("supervision:group_create"), data)
    group = InspectionGroup.objects.get()
    assert response.url == reverse("supervision:group", args=[group.pk])
    # Editing with a stale version is refused with a message, nothing changes.
    edit = reverse("supervision:group_edit", args=[group.pk])
    fresh = data | {"version": group.version, "topics": "冷链物流和仓储"}
    assert client.post(edit, fresh).status_code == 302
    stale = client.post(edit, data | {"version": group.version, "topics": "过时的修改"})
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()
    group.refresh_from_db()
    assert group.topics == "冷链物流和仓储"


def test_liaisons_cannot_set_up_groups(login, world):
    client = login(world.zhuozi_liaison)
    assert client.get(reverse("supervision:group_create")).status_code == 403
    assert client.post(reverse("supervision:group_create"), {"name": "x"}).status_code == 403
    assert not InspectionGroup.objects.exists()
