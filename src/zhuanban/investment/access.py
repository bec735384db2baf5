"""The only way a view fetches an investment record for a user (404 when they may not
see it)."""

from django.http import Http404

from zhuanban.investment.models import Activity, Project, UpwardApplication
from zhuanban.investment.scoping import (
    is_investment_staff,
    visible_activities,
    visible_projects,
    visible_upward,
)


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def get_project_for_user(user, pk: int) -> Project:
    return _found(
        visible_projects(user)
        .select_related("chain", "county", "leader", "responsible_unit")
        .filter(pk=pk)
        .first()
    )


def get_activity_for_user(user, pk: int) -> Activity:
    return _found(
        visible_activities(user).select_related("organiser", "county").filter(pk=pk).first()
    )


def get_upward_for_user(user, pk: int) -> UpwardApplication:
    return _found(visible_upward(user).select_related("chain", "office").filter(pk=pk).first())


def require_investment_staff(user) -> None:
    if not is_investment_staff(user):
        raise Http404
