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


def can_record_visit(user, *, office_id: int | None, group: InspectionGroup | None = None) -> bool:
    """Who may plan or record a visit for an office (and group): the office's staff,
    inspectors and leaders, and the group's leader and members."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    if scope.has_role(Role.INSPECTOR, Role.LEADER):
        return True
    if office_id is not None and office_id in scope.office_ids:
        return True
    return group is not None and (
        group.leader_id == user.pk or group.members.filter(pk=user.pk).exists()
    )


def may_record_visits(user) -> bool:
    """Whether the user may record any visit at all (the "record a visit" link)."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    if scope.office_ids or scope.has_role(Role.INSPECTOR, Role.LEADER):
        return True
    return InspectionGroup.objects.filter(Q(leader=user) | Q(members=user)).exists()


def recordable_groups(user) -> QuerySet[InspectionGroup]:
    """The groups whose visits a user may plan or record (the same rule as above)."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return InspectionGroup.objects.none()
    if scope.has_role(Role.INSPECTOR, Role.LEADER):
        return InspectionGroup.objects.all()
    members = InspectionGroup.members.through.objects.filter(
        inspectiongroup_id=OuterRef("pk"), user_id=user.pk
    )
    return InspectionGroup.objects.filter(
        Q(office_id__in=scope.office_ids) | Q(leader_id=user.pk) | Q(Exists(members))
    )


def can_change_visit(user, visit: Visit) -> bool:
    if can_record_visit(user, office_id=visit.office_id, group=visit.group):
        return True
    # A participant from outside the organising office still writes up what they saw.
    return scope_for(user).sees_business_data and visit.participants.filter(pk=user.pk).exists()


def can_create_group(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and bool(scope.office_ids or scope.has_role(Role.LEADER))


def can_manage_group(user, group: InspectionGroup) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and (
        group.office_id in scope.office_ids or scope.has_role(Role.LEADER)
    )


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


def can_draft_notices(user) -> bool:
    """Office staff draft notices for their office."""
    scope = scope_for(user)
    return scope.sees_business_data and bool(scope.office_ids)


def sees_all_replies(user, notice: Notice) -> bool:
    """The bureau side (leaders, inspectors, office staff) reads every unit's reply; a
    unit concerned reads its own only (see `replying_units`)."""
    scope = scope_for(user)
    return scope.sees_business_data and (
        scope.has_role(*BUREAU_ROLES) or notice.office_id in scope.office_ids
    )


def visible_recipients(user, notice: Notice) -> QuerySet[NoticeRecipient]:
    """The units concerned whose reply `user` may read."""
    if sees_all_replies(user, notice):
        return notice.recipients.all()
    scope = scope_for(user)
    if not scope.sees_business_data or not scope.subtree_paths:
        return notice.recipients.none()
    return notice.recipients.filter(_under("unit", scope.subtree_paths))


def replying_units(user, notice: Notice) -> QuerySet[NoticeRecipient]:
    """The recipients of `notice` this user answers for."""
    scope = scope_for(user)
    unit_ids = set(scope.liaison_unit_ids)
    if scope.own_unit_id is not None:
        unit_ids.add(scope.own_unit_id)
    return notice.recipients.filter(unit_id__in=unit_ids)
