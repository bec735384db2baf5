"""Reads for the org screens and API: each a fixed number of queries, whatever the size."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from zhuanban.org.models import Chain, ChainWorkingGroupMember, OrgUnit, Profile, RoleAssignment
from zhuanban.org.roles import ADMIN_ROLES, OFFICE_ROLES, Role, UnitKind

User = get_user_model()

_OFFICE_POSITION_ORDER = [Role.OFFICE_DIRECTOR, Role.OFFICE_DEPUTY, Role.OFFICE_MEMBER]


def _office_positions_prefetch() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.filter(role__in=OFFICE_ROLES).select_related(
            "user", "user__profile"
        ),
        to_attr="positions",
    )


@dataclass
class OfficeStaff:
    director: list
    deputies: list
    members: list


def office_staff(office: OrgUnit) -> OfficeStaff:
    """Staff of an office loaded by `offices_with_staff()`, by position."""
    by_role: dict[str, list] = {role: [] for role in _OFFICE_POSITION_ORDER}
    for assignment in office.positions:
        by_role[assignment.role].append(assignment.user)
    return OfficeStaff(
        director=by_role[Role.OFFICE_DIRECTOR],
        deputies=by_role[Role.OFFICE_DEPUTY],
        members=by_role[Role.OFFICE_MEMBER],
    )


def offices_with_staff() -> list[OrgUnit]:
    offices = list(
        OrgUnit.objects.offices().active().prefetch_related(_office_positions_prefetch())
    )
    for office in offices:
        office.staff = office_staff(office)
    return offices


@dataclass
class BureauOverview:
    city: OrgUnit | None
    bureau: OrgUnit | None
    offices: list[OrgUnit]
    counties: list[OrgUnit]
    sections: list[OrgUnit]
    member_units: list[OrgUnit]
    chains: list[Chain]


def bureau_overview() -> BureauOverview:
    units = list(
        OrgUnit.objects.active()
        .of_kind(
            UnitKind.CITY,
            UnitKind.BUREAU,
            UnitKind.COUNTY,
            UnitKind.SECTION,
            UnitKind.MEMBER_UNIT,
            UnitKind.DEPARTMENT,
        )
        .order_by("sort_order", "code")
    )

    def of(*kinds):
        return [u for u in units if u.kind in kinds]

    cities, bureaus = of(UnitKind.CITY), of(UnitKind.BUREAU)
    return BureauOverview(
        city=cities[0] if cities else None,
        bureau=bureaus[0] if bureaus else None,
        offices=offices_with_staff(),
        counties=of(UnitKind.COUNTY),
        sections=of(UnitKind.SECTION),
        member_units=of(UnitKind.MEMBER_UNIT, UnitKind.DEPARTMENT),
        chains=list(chains_with_six_ones()),
    )


def unit_people(unit: OrgUnit) -> QuerySet[Profile]:
    """The people of one unit with their roles."""
    return (
        Profile.objects.filter(unit=unit, user__is_active=True)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "user__role_assignments",
                queryset=RoleAssignment.objects.select_related("unit"),
                to_attr="roles",
            )
        )
    )


def unit_children(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return unit.children.active().order_by("sort_order", "code")


def chains_with_six_ones() -> QuerySet[Chain]:
    return (
        Chain.objects.with_counts()
        .select_related("leader", "lead_section", "lead_office")
        .order_by("sort_order", "code")
    )


def chain_detail(code: str) -> Chain:
    return (
        chains_with_six_ones()
        .prefetch_related(
            "experts",
            Prefetch(
                "working_group",
                queryset=ChainWorkingGroupMember.objects.select_related(
                    "user", "user__profile__unit"
                ),
            ),
        )
        .get(code=code)
    )


def office_staff_users(office_id: int) -> list:
    """The people who hold a position in an office (who are notified for it)."""
    return [
        ra.user
        for ra in RoleAssignment.objects.filter(unit_id=office_id, role__in=OFFICE_ROLES)
        .select_related("user")
        .order_by("pk")
    ]


def people_acting_for(unit_id: int | None) -> list:
    """Who answers for a unit: its liaisons, or, for a section or office without one,
    its own active staff (never one of the three administrators)."""
    if unit_id is None:
        return []
    liaisons = [
        ra.user
        for ra in RoleAssignment.objects.filter(
            unit_id=unit_id, role__in=[Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON]
        ).select_related("user")
    ]
    if liaisons:
        return liaisons
    return list(
        User.objects.filter(profile__unit_id=unit_id, is_active=True).exclude(
            role_assignments__role__in=ADMIN_ROLES
        )
    )


def people_acting_for_units(unit_ids) -> list:
    """`people_acting_for` of many units at once, in two queries whatever their number:
    each unit's liaisons, or, for a unit without one, its own active staff."""
    unit_ids = set(unit_ids) - {None}
    liaisons = list(
        RoleAssignment.objects.filter(
            unit_id__in=unit_ids, role__in=[Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON]
        ).select_related("user")
    )
    without = unit_ids - {ra.unit_id for ra in liaisons}
    staff = (
        User.objects.filter(profile__unit_id__in=without, is_active=True).exclude(
            role_assignments__role__in=ADMIN_ROLES
        )
        if without
        else []
    )
    return [ra.user for ra in liaisons] + list(staff)


def county_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The county a unit belongs to: itself, or the county among its ancestors."""
    if unit is None:
        return None
    if unit.kind == UnitKind.COUNTY:
        return unit
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids(), kind=UnitKind.COUNTY).first()
