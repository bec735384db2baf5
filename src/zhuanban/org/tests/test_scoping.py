"""The permission matrix: who may see which units, change which office, hold which power."""

import pytest

from zhuanban.org.permissions import Perm
from zhuanban.org.scoping import scope_for

UNITS = ["city", "zhuozi", "zhuozi_town", "huade", "bureau", "potato", "brand", "it"]

# persona -> the units whose details (people, contacts) they may see
VISIBLE = {
    "leader": set(UNITS),
    "office": set(UNITS),
    "inspector": set(UNITS),
    "sysadmin": set(UNITS),
    "zhuozi_liaison": {"zhuozi", "zhuozi_town"},
    "huade_liaison": {"huade"},
    "auditor": {"it"},
    "secadmin": {"it"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_unit_visibility(world, persona):
    scope = scope_for(getattr(world, persona))
    seen = {name for name in UNITS if scope.can_see_unit(getattr(world, name))}
    assert seen == VISIBLE[persona]
    listed = set(scope.units().values_list("pk", flat=True))
    assert listed == {getattr(world, name).pk for name in VISIBLE[persona]} | (
        {world.crops.pk} if VISIBLE[persona] == set(UNITS) else set()
    )


CHANGES_OFFICE = {
    ("office", "potato"): True,
    ("potato_director", "potato"): True,
    ("brand_staff", "brand"): True,
    ("office", "brand"): False,
    ("brand_staff", "potato"): False,
    ("leader", "potato"): False,
    ("sysadmin", "potato"): False,
    ("auditor", "potato"): False,
    ("zhuozi_liaison", "potato"): False,
}


@pytest.mark.parametrize(("persona", "office"), sorted(CHANGES_OFFICE))
def test_who_changes_an_office(world, persona, office):
    expected = CHANGES_OFFICE[(persona, office)]
    assert scope_for(getattr(world, persona)).can_change_office(getattr(world, office)) is expected


@pytest.mark.parametrize(
    ("persona", "perms"),
    [
        ("sysadmin", {Perm.MANAGE_ORG, Perm.MANAGE_ACCOUNTS}),
        ("secadmin", {Perm.MANAGE_SECURITY}),
        ("auditor", {Perm.READ_AUDIT}),
        ("leader", set()),
        ("office", set()),
        ("zhuozi_liaison", set()),
        ("outsider", set()),
    ],
)
def test_administrative_powers_are_separated(world, persona, perms):
    assert set(scope_for(getattr(world, persona)).perms) == perms


def test_inactive_users_see_nothing(world):
    world.leader.is_active = False
    world.leader.save()
    world.leader.refresh_from_db()
    assert not scope_for(world.leader).can_see_unit(world.city)


def test_scope_costs_two_queries_once_per_user(world, django_assert_num_queries):
    user = world.zhuozi_liaison
    with django_assert_num_queries(2):
        scope_for(user)
        scope_for(user)
