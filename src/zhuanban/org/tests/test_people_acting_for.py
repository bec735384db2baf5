"""Who answers for a unit, one unit at a time and many at once (the same people)."""

from zhuanban.org.selectors import people_acting_for, people_acting_for_units
from zhuanban.org.tests.factories import person


def test_many_units_at_once_give_the_same_people_in_two_queries(world, django_assert_num_queries):
    # 卓资县 answers through its liaison; a section without one through its own staff.
    units = [world.zhuozi.pk, world.crops.pk, world.huade.pk, None]
    expected = {u.pk for unit in units for u in people_acting_for(unit)}
    with django_assert_num_queries(2):
        found = {u.pk for u in people_acting_for_units(units)}
    assert found == expected
    assert world.zhuozi_liaison.pk in found
    assert world.office.pk in found  # staff of 种植业管理科, which has no liaison
    assert world.sysadmin.pk not in found


def test_a_unit_with_a_liaison_is_not_answered_for_by_its_staff(world):
    clerk = person("zhuozi-clerk", world.zhuozi, name="卓资县职员")
    found = {u.pk for u in people_acting_for_units([world.zhuozi.pk])}
    assert found == {world.zhuozi_liaison.pk}
    assert clerk.pk not in found
