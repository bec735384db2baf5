"""Who sees and changes inspection groups, visits and notices (the one place that
decides it for this app).

- Leaders, inspectors and office staff see every group and visit: supervision is
  organised across offices. A county's or department's people see the visits already
  carried out in their subtree (a planned visit, above all an unannounced one, is not
  shown to the unit it will visit) and the groups that cover their county.
- A visit is changed (findings added, report written) by its organising office, the
  members and leader of its group, its participants, and inspectors.
- A notice is seen, while drafted, by its office and the leaders; once issued by the
  bureau (leaders, inspectors, office staff) and by the units concerned.
- The three administrators see none of it.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhuanban.org.roles import OFFICE_ROLES, Role
from zhuanban.org.scoping import scope_for
from zhuanban.supervision.lifecycle import NoticeParty, NoticeStatus
from zhuanban.supervision.models import InspectionGroup, Notice, NoticeRecipient, Visit, VisitStatus

BUREAU_ROLES = frozenset({Role.LEADER, Role.INSPECTOR} | OFFICE_ROLES)
REVIEWER_ROLES = frozenset({Role.OFFICE_DIRECTOR, Role.OFFICE_DEPUTY})


def _under(field: str, paths: tuple[str, ...]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def visible_groups(user) -> QuerySet[InspectionGroup]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return InspectionGroup.objects.none()
    if scope.has_role(*BUREAU_ROLES):
        return InspectionGroup.objects.all()
    covering = InspectionGroup.counties.through.objects.filter(
        inspectiongroup_id=OuterRef("pk")
    ).filter(_under("orgunit", scope.subtree_paths))
    return InspectionGroup.objects.filter(Exists(covering))


def visible_visits(user) -> QuerySet[Visit]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Visit.objects.none()
    if scope.has_role(*BUREAU_ROLES):
        return Visit.objects.all()
    return Visit.objects.filter(Q(status=VisitStatus.DONE) & _under("county", scope.subtree_paths))


def can_change_visit(user, visit: Visit) -> bool:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    if visit.office_id in scope.office_ids or scope.has_role(Role.INSPECTOR, Role.LEADER):
        return True
    if visit.participants.filter(pk=user.pk).exists():
        return True
    group = visit.group
    return group is not None and (
        group.leader_id == user.pk or group.members.filter(pk=user.pk).exists()
    )


def can_manage_group(user, group: InspectionGroup) -> bool:
    scope = scope_for(user)
    return group.office_id in scope.office_ids or scope.has_role(Role.LEADER)


def visible_notices(user) -> QuerySet[Notice]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Notice.objects.none()
    issued = Q(status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED])
    if scope.has_role(Role.LEADER):
        return Notice.objects.all()
    condition = Q(office_id__in=scope.office_ids)
    if scope.has_role(*BUREAU_ROLES):
        condition |= issued
    if scope.subtree_paths:
        concerned = NoticeRecipient.objects.filter(notice_id=OuterRef("pk")).filter(
            _under("unit", scope.subtree_paths)
        )
        condition |= issued & Q(Exists(concerned))
    return Notice.objects.filter(condition)


def notice_parties(user, notice: Notice) -> set[str]:
    """Drafter: the notice's office. Reviewer: its director or executive deputy, or a
    bureau leader. (The services add four eyes: who submitted does not issue.)"""
    scope = scope_for(user)
    found = set()
    if notice.office_id in scope.office_ids:
        found.add(NoticeParty.DRAFTER)
    if scope.has_role(Role.LEADER) or any(
        a_role in REVIEWER_ROLES for a_role in _roles_in(user, notice.office_id)
    ):
        found.add(NoticeParty.REVIEWER)
    return found


def _roles_in(user, office_id: int) -> list[str]:
    return list(user.role_assignments.filter(unit_id=office_id).values_list("role", flat=True))


def replying_units(user, notice: Notice) -> QuerySet[NoticeRecipient]:
    """The recipients of `notice` this user answers for."""
    scope = scope_for(user)
    unit_ids = set(scope.liaison_unit_ids)
    if scope.own_unit_id is not None:
        unit_ids.add(scope.own_unit_id)
    return notice.recipients.filter(unit_id__in=unit_ids)
