"""Access helpers: the only way a view or endpoint fetches a group, visit or notice
(404 when the user may not see it, 403 when they may see but not change it)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuanban.supervision.models import Finding, InspectionGroup, Notice, Visit
from zhuanban.supervision.scoping import (
    can_change_visit,
    can_manage_group,
    visible_groups,
    visible_notices,
    visible_visits,
)


def get_group_for_user(user, pk: int, *, manage: bool = False) -> InspectionGroup:
    group = visible_groups(user).select_related("office", "leader").filter(pk=pk).first()
    if group is None:
        raise Http404
    if manage and not can_manage_group(user, group):
        raise PermissionDenied
    return group


def get_visit_for_user(user, pk: int, *, change: bool = False) -> Visit:
    visit = (
        visible_visits(user)
        .select_related("office", "county", "group", "report_file", "created_by")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    if change and not can_change_visit(user, visit):
        raise PermissionDenied
    return visit


def get_finding_for_user(user, pk: int, *, change: bool = False) -> Finding:
    """A finding is seen with its visit and changed by whoever may change the visit."""
    finding = (
        Finding.objects.filter(visit__in=visible_visits(user))
        .select_related("visit", "visit__office", "visit__county", "visit__group", "unit")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    if change and not can_change_visit(user, finding.visit):
        raise PermissionDenied
    return finding


def get_notice_for_user(user, pk: int) -> Notice:
    notice = (
        visible_notices(user)
        .select_related("office", "authority", "corrects", "docx", "pdf")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404
    return notice
