"""Reads for the org screens and API: each a fixed number of queries, whatever the size."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from zhuanban.org.models import Chain, ChainWorkingGroupMember, OrgUnit, Profile, RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES, Role, UnitKind

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
