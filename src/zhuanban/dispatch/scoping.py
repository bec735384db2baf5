"""Who sees which rounds, tables and submissions, and who they are to one submission.

Bureau-wide roles (leaders, office staff, inspectors) see every round and table; the
office that owns a round manages it. A county or department sees the rounds it must
answer and its own submissions, never another unit's. The three administrators see
no business data.
"""

from django.db.models import Exists, OuterRef, QuerySet

from zhuanban.dispatch.models import (
    DispatchRound,
    Indicator,
    Submission,
    TableTemplate,
)
from zhuanban.org.roles import ADMIN_ROLES
from zhuanban.org.scoping import Scope, scope_for


class Party:
    OFFICE = "office"  # staff of the office that owns the round
    UNIT = "unit"  # people acting for the answering unit


def acting_unit_ids(scope: Scope) -> set[int]:
    units = set(scope.liaison_unit_ids)
    if scope.own_unit_id is not None:
        units.add(scope.own_unit_id)
    return units


def visible_submissions(user) -> QuerySet[Submission]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Submission.objects.none()
    if scope.sees_all_units:
        return Submission.objects.all()
    return Submission.objects.filter(unit_id__in=acting_unit_ids(scope))


def visible_rounds(user) -> QuerySet[DispatchRound]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return DispatchRound.objects.none()
    if scope.sees_all_units:
        return DispatchRound.objects.all()
    mine = Submission.objects.filter(round_id=OuterRef("pk"), unit_id__in=acting_unit_ids(scope))
    return DispatchRound.objects.filter(Exists(mine))


def visible_templates(user) -> QuerySet[TableTemplate]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return TableTemplate.objects.none()
    if scope.sees_all_units:
        return TableTemplate.objects.all()
    fills = TableTemplate.units.through.objects.filter(
        tabletemplate_id=OuterRef("pk"), orgunit_id__in=acting_unit_ids(scope)
    )
    return TableTemplate.objects.filter(Exists(fills))


def visible_indicators(user) -> QuerySet[Indicator]:
    if not scope_for(user).sees_business_data:
        return Indicator.objects.none()
    return Indicator.objects.all()


def sees_all_units(user) -> bool:
    scope = scope_for(user)
    return scope.sees_all_units and scope.sees_business_data


def can_manage_office(user, office_id: int) -> bool:
    return office_id in scope_for(user).office_ids


def parties(user, submission: Submission) -> set[str]:
    scope = scope_for(user)
    found = set()
    if submission.round.office_id in scope.office_ids:
        found.add(Party.OFFICE)
    if not (scope.roles & ADMIN_ROLES) and submission.unit_id in acting_unit_ids(scope):
        found.add(Party.UNIT)
    return found
