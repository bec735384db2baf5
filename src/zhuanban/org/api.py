from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from zhuanban.core.api_schemas import READ_ERRORS, PersonOut
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.org import selectors
from zhuanban.org.access import get_chain_for_user, get_unit_for_user
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKind
    parent_id: int | None
    division_code: str | None
    sort_order: int


class PersonInUnitOut(Schema):
    user: PersonOut
    title: str
    phone: str
    roles: list[str]

    @staticmethod
    def resolve_roles(profile) -> list[str]:
        return [ra.role for ra in profile.user.roles]


class UnitDetailOut(UnitOut):
    phone: str
    duties: str
    people: list[PersonInUnitOut]


class OfficeOut(Schema):
    id: int
    code: str
    name: str
    phone: str
    duties: str
    director: list[PersonOut]
    deputies: list[PersonOut]
    members: list[PersonOut]

    @staticmethod
    def resolve_director(office) -> list:
        return office.staff.director

    @staticmethod
    def resolve_deputies(office) -> list:
        return office.staff.deputies

    @staticmethod
    def resolve_members(office) -> list:
        return office.staff.members


class UnitBriefOut(Schema):
    id: int
    code: str
    name: str


class ChainOut(Schema):
    code: str
    name: str
    short_name: str
    leader: PersonOut | None
    lead_section: UnitBriefOut | None
    lead_office: UnitBriefOut | None
    expert_team_name: str
    expert_count: int
    work_plan_title: str
    work_plan_number: str
    working_group_name: str
    working_group_count: int
    missing: list[str]

    @staticmethod
    def resolve_missing(chain) -> list[str]:
        return chain.missing_items()


@router.get("/units", response={200: list[UnitOut], **READ_ERRORS})
@paginate(BoundedLimitOffset)
def list_units(request: HttpRequest, kind: UnitKind | None = None):
    """The organisation tree (names and codes are visible to every signed-in user). The
    brand register's enterprises are not part of it: they are read through the brand
    register's own scoping."""
    units = (
        OrgUnit.objects.active()
        .exclude(kind=UnitKind.ENTERPRISE)
        .order_by("depth", "sort_order", "code")
    )
    if kind:
        units = units.filter(kind=kind)
    return units


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **READ_ERRORS})
def get_unit(request: HttpRequest, unit_id: int):
    """One unit with its people; only within the caller's scope (404 otherwise)."""
    unit = get_unit_for_user(request.user, unit_id)
    unit.people = list(selectors.unit_people(unit))
    return unit


@router.get("/offices", response={200: list[OfficeOut], **READ_ERRORS})
def list_offices(request: HttpRequest):
    return selectors.offices_with_staff()


@router.get("/chains", response={200: list[ChainOut], **READ_ERRORS})
def list_chains(request: HttpRequest):
    return list(selectors.chains_with_six_ones())


@router.get("/chains/{code}", response={200: ChainOut, **READ_ERRORS})
def get_chain(request: HttpRequest, code: str):
    return selectors.chain_detail(get_chain_for_user(request.user, code).code)
