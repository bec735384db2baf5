"""Roles (DESIGN.md "Who uses it") and the rules on combining them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    DEPARTMENT = "department", _("Department")
    BUREAU = "bureau", _("Bureau")
    SECTION = "section", _("Section or station")
    OFFICE = "office", _("Special office")
    MEMBER_UNIT = "member_unit", _("Member unit")
    ASSOCIATION = "association", _("Association")
    ENTERPRISE = "enterprise", _("Enterprise")


class Role(models.TextChoices):
    LEADER = "leader", _("Bureau leader")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    OFFICE_DEPUTY = "office_deputy", _("Office executive deputy director")
    OFFICE_MEMBER = "office_member", _("Office member")
    COUNTY_LIAISON = "county_liaison", _("County liaison")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    INSPECTOR = "inspector", _("Inspector")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


OFFICE_ROLES = frozenset({Role.OFFICE_DIRECTOR, Role.OFFICE_DEPUTY, Role.OFFICE_MEMBER})
# 三员分立: each of the three administrators is a dedicated account with no other role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# The kind of unit a role is held in; roles not listed are held without a unit.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    Role.OFFICE_DIRECTOR: frozenset({UnitKind.OFFICE}),
    Role.OFFICE_DEPUTY: frozenset({UnitKind.OFFICE}),
    Role.OFFICE_MEMBER: frozenset({UnitKind.OFFICE}),
    Role.COUNTY_LIAISON: frozenset({UnitKind.COUNTY}),
    Role.DEPARTMENT_LIAISON: frozenset(
        {UnitKind.DEPARTMENT, UnitKind.MEMBER_UNIT, UnitKind.SECTION, UnitKind.BUREAU}
    ),
}
# A role held at most once per unit (one director and one executive deputy per office).
SINGLE_HOLDER_ROLES = frozenset({Role.OFFICE_DIRECTOR, Role.OFFICE_DEPUTY})


def role_set_problems(assignments: list[tuple[str, int | None]]) -> list[str]:
    """Why a person's complete set of (role, unit id) pairs is not allowed; empty if it is.

    Messages are translated; callers raise them as one ValidationError.
    """
    problems: list[str] = []
    roles = {role for role, _unit in assignments}
    admin_roles = roles & ADMIN_ROLES
    if admin_roles and len(roles) > 1:
        for admin_role in sorted(admin_roles):
            others = sorted(roles - {admin_role})
            problems.append(
                _("%(role)s is a separated duty and cannot be combined with: %(others)s.")
                % {
                    "role": Role(admin_role).label,
                    "others": "、".join(str(Role(o).label) for o in others),
                }
            )
    office_units = [unit for role, unit in assignments if role in OFFICE_ROLES]
    if len(office_units) != len(set(office_units)):
        problems.append(_("A person holds only one position in the same office."))
    seen: set[tuple[str, int | None]] = set()
    for pair in assignments:
        if pair in seen:
            problems.append(
                _("The role %(role)s is listed twice for the same unit.")
                % {"role": Role(pair[0]).label}
            )
        seen.add(pair)
    return problems
