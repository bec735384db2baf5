"""Who sees and composes bulletins, and which dashboards a person may open.

Bulletins are the bureau's internal circulars: a published issue is read by everyone who
reads business data (not the three administrators, not an enterprise's login). A draft is
seen by those who compose its series: the staff of the issuing office, or the bureau's
leaders for a series the bureau (or the city) issues.
"""

from django.db.models import Q, QuerySet

from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin, ReportTemplate, Series


def reads_reports(user) -> bool:
    """Everyone in the bureau's organisation who reads business data: not the three
    administrators, not an enterprise's login, not a login with neither unit nor role."""
    scope = scope_for(user)
    return (
        scope.sees_business_data
        and not scope.is_enterprise_login
        and bool(scope.roles or scope.own_unit_id)
    )


def composable_series(user) -> QuerySet[Series]:
    scope = scope_for(user)
    if not reads_reports(user):
        return Series.objects.none()
    mine = Q(issuer_id__in=scope.office_ids)
    if scope.has_role(Role.LEADER):
        mine |= ~Q(issuer__kind=UnitKind.OFFICE)
    return Series.objects.filter(mine, is_active=True)


def may_compose(user, series: Series) -> bool:
    return composable_series(user).filter(pk=series.pk).exists()


def visible_bulletins(user) -> QuerySet[Bulletin]:
    if not reads_reports(user):
        return Bulletin.objects.none()
    return Bulletin.objects.filter(
        Q(status=BulletinStatus.PUBLISHED) | Q(series__in=composable_series(user).values("pk"))
    )


def uses_templates(user) -> bool:
    """Report templates are the offices' working tools: their staff and the leaders."""
    scope = scope_for(user)
    return reads_reports(user) and bool(scope.has_role(Role.LEADER) or scope.office_ids)


def visible_templates(user) -> QuerySet[ReportTemplate]:
    scope = scope_for(user)
    if not uses_templates(user):
        return ReportTemplate.objects.none()
    if scope.has_role(Role.LEADER):
        return ReportTemplate.objects.filter(is_active=True)
    return ReportTemplate.objects.filter(is_active=True, office_id__in=scope.office_ids)


def may_open_office_dashboard(user, office: OrgUnit) -> bool:
    """An office's dashboard: its staff, the leaders and the inspectors (who supervise
    every office). Office staff see every unit's tasks, but not other offices' dashboards."""
    scope = scope_for(user)
    return reads_reports(user) and (
        scope.has_role(Role.LEADER, Role.INSPECTOR) or office.pk in scope.office_ids
    )


def may_open_county_dashboard(user, county: OrgUnit) -> bool:
    """A county's dashboard: whoever may see the county (its own people, the offices and
    leaders who see every unit)."""
    return reads_reports(user) and scope_for(user).can_see_unit(county)
