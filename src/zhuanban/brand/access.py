"""The only way a view fetches a brand record for a user (404 when they may not see it)."""

from django.http import Http404

from zhuanban.brand.models import Application, Enterprise, Licence, Review, ReviewRound
from zhuanban.brand.scoping import (
    enterprise_of_user,
    is_brand_staff,
    sees_all,
    visible_applications,
    visible_enterprises,
    visible_licences,
    visible_reviews,
)
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def get_enterprise_for_user(user, pk: int) -> Enterprise:
    return _found(visible_enterprises(user).select_related("county", "unit").filter(pk=pk).first())


def get_application_for_user(user, pk: int) -> Application:
    return _found(
        visible_applications(user)
        .select_related("enterprise__county", "county_reviewer", "office_reviewer")
        .filter(pk=pk)
        .first()
    )


def get_licence_for_user(user, pk: int) -> Licence:
    return _found(
        visible_licences(user)
        .select_related("enterprise__county", "application")
        .filter(pk=pk)
        .first()
    )


def get_review_for_user(user, pk: int) -> Review:
    return _found(
        visible_reviews(user)
        .select_related("round", "licence__enterprise__county", "rectification")
        .filter(pk=pk)
        .first()
    )


def get_round_for_user(user, year: int) -> ReviewRound:
    """Rounds are read by everyone who reads the whole register, and by counties and
    enterprises (who see only their own reviews in it); for anyone else (an outsider, a
    section's staff, the three administrators) they do not exist."""
    scope = scope_for(user)
    reads = (
        sees_all(user)
        or (scope.sees_business_data and scope.has_role(Role.COUNTY_LIAISON))
        or enterprise_of_user(user) is not None
    )
    if not reads:
        raise Http404
    return _found(ReviewRound.objects.filter(year=year).first())


def require_brand_staff(user) -> None:
    if not is_brand_staff(user):
        raise Http404


def require_reads_all(user) -> None:
    if not sees_all(user):
        raise Http404
