"""The only way a view fetches a report record for a user: 404 when they may not see it."""

from django.http import Http404

from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.reports.models import Bulletin, ReportTemplate
from zhuanban.reports.scoping import (
    may_open_county_dashboard,
    may_open_office_dashboard,
    reads_reports,
    uses_templates,
    visible_bulletins,
    visible_templates,
)


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def require_reader(user) -> None:
    if not reads_reports(user):
        raise Http404


def require_template_user(user) -> None:
    if not uses_templates(user):
        raise Http404


def get_bulletin_for_user(user, pk: int) -> Bulletin:
    return _found(
        visible_bulletins(user)
        .select_related("series", "series__issuer", "docx", "pdf")
        .filter(pk=pk)
        .first()
    )


def get_template_for_user(user, pk: int) -> ReportTemplate:
    return _found(visible_templates(user).select_related("office").filter(pk=pk).first())


def get_office_for_dashboard(user, pk: int) -> OrgUnit:
    office = _found(OrgUnit.objects.filter(pk=pk, kind=UnitKind.OFFICE).first())
    if not may_open_office_dashboard(user, office):
        raise Http404
    return office


def get_county_for_dashboard(user, pk: int) -> OrgUnit:
    county = _found(OrgUnit.objects.filter(pk=pk, kind=UnitKind.COUNTY).first())
    if not may_open_county_dashboard(user, county):
        raise Http404
    return county
