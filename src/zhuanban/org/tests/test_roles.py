import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhuanban.org import services
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import UserFactory


def roles_of(user):
    return sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


@pytest.mark.parametrize(
    ("existing", "added"),
    [
        (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN),
        (Role.AUDIT_ADMIN, Role.SECURITY_ADMIN),
        (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN),
        (Role.AUDIT_ADMIN, Role.LEADER),
        (Role.LEADER, Role.SYSTEM_ADMIN),
    ],
)
def test_separated_duties_cannot_be_combined(world, existing, added):
    user = UserFactory(username="both")
    services.role_assign(actor=world.secadmin, user=user, role=existing)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.role_assign(actor=world.secadmin, user=user, role=added)
    assert caught.value.error_list[0].code == "role_conflict"
    assert roles_of(user) == [existing]


def test_one_position_per_person_per_office(world):
    with pytest.raises(ValidationError):
        services.role_assign(
            actor=world.secadmin, user=world.office, role=Role.OFFICE_DEPUTY, unit=world.potato
        )
    # ...but a position in another office is fine.
    services.role_assign(
        actor=world.secadmin, user=world.office, role=Role.OFFICE_MEMBER, unit=world.brand
    )
    assert RoleAssignment.objects.filter(user=world.office).count() == 2


def test_an_office_has_one_director(world):
    with pytest.raises(ValidationError):
        services.role_assign(
            actor=world.secadmin,
            user=world.brand_staff,
            role=Role.OFFICE_DIRECTOR,
            unit=world.potato,
        )
    assert RoleAssignment.objects.filter(role=Role.OFFICE_DIRECTOR, unit=world.potato).count() == 1


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [
        (Role.OFFICE_MEMBER, "zhuozi"),  # office positions are held in an office
        (Role.COUNTY_LIAISON, "potato"),  # county liaisons in a county
        (Role.COUNTY_LIAISON, None),
        (Role.LEADER, "bureau"),  # leaders hold no unit-specific role
    ],
)
def test_roles_are_held_in_the_right_kind_of_unit(world, role, unit_name):
    user = UserFactory(username="new")
    unit = getattr(world, unit_name) if unit_name else None
    with pytest.raises(ValidationError) as caught:
        services.role_assign(actor=world.secadmin, user=user, role=role, unit=unit)
    assert "unit" in caught.value.message_dict
    assert roles_of(user) == []


@pytest.mark.parametrize("actor", ["leader", "auditor", "sysadmin", "office"])
def test_only_the_security_administrator_assigns_roles(world, actor):
    user = UserFactory(username="new")
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=getattr(world, actor), user=user, role=Role.INSPECTOR)
    assert roles_of(user) == []


def test_grantrole_command_applies_the_same_rules(world):
    from django.core.management import CommandError, call_command

    user = UserFactory(username="first-admin")
    call_command("grantrole", "first-admin", "system_admin")
    assert roles_of(user) == [Role.SYSTEM_ADMIN]
    with pytest.raises(CommandError):
        call_command("grantrole", "first-admin", "audit_admin")
    with pytest.raises(CommandError):
        call_command("grantrole", "first-admin", "county_liaison", "--unit", "nope")
    assert roles_of(user) == [Role.SYSTEM_ADMIN]
