"""The only way a view or endpoint fetches a round, table or submission: 404 when the
user may not see it, 403 when they may see but not act."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuanban.dispatch import scoping
from zhuanban.dispatch.models import DispatchRound, Submission, TableTemplate


def get_round_for_user(user, pk: int, *, manage: bool = False) -> DispatchRound:
    round_ = (
        scoping.visible_rounds(user)
        .select_related("office", "template", "template_version", "task_list")
        .filter(pk=pk)
        .first()
    )
    if round_ is None:
        raise Http404
    if manage and not scoping.can_manage_office(user, round_.office_id):
        raise PermissionDenied
    return round_


def get_submission_for_user(user, round_pk: int, unit_id: int) -> Submission:
    submission = (
        scoping.visible_submissions(user)
        .select_related(
            "round", "round__office", "round__template", "round__template_version", "unit"
        )
        .filter(round_id=round_pk, unit_id=unit_id)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def get_template_for_user(user, pk: int, *, manage: bool = False) -> TableTemplate:
    template = scoping.visible_templates(user).select_related("office").filter(pk=pk).first()
    if template is None:
        raise Http404
    if manage and not scoping.can_manage_office(user, template.office_id):
        raise PermissionDenied
    return template


def require_consolidation_access(user, round_: DispatchRound) -> None:
    """Only bureau-wide roles see every unit's figures together."""
    if not scoping.sees_all_units(user):
        raise PermissionDenied
