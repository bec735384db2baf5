"""Which rectification items a user may see, and who they are to one item.

Leaders and inspectors see every item. Office staff see the items their office
verifies. A unit's people see the items of the units in their subtree. The three
administrators see none.
"""

from django.db.models import Q, QuerySet

from zhuanban.org.roles import ADMIN_ROLES, Role
from zhuanban.org.scoping import scope_for
from zhuanban.rectification.lifecycle import Party
from zhuanban.rectification.models import Rectification


def visible_items(user) -> QuerySet[Rectification]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Rectification.objects.none()
    if scope.has_role(Role.LEADER, Role.INSPECTOR):
        return Rectification.objects.all()
    condition = Q(office_id__in=scope.office_ids)
    for path in scope.subtree_paths:
        condition |= Q(unit__path__startswith=path)
    return Rectification.objects.filter(condition)


def parties(user, item: Rectification) -> set[str]:
    scope = scope_for(user)
    found = set()
    if item.office_id in scope.office_ids:
        found.add(Party.OFFICE)
    if scope.acts_for_unit(item.unit_id) and not (scope.roles & ADMIN_ROLES):
        found.add(Party.UNIT)
    if scope.has_role(Role.LEADER):
        found.add(Party.LEADER)
    return found
