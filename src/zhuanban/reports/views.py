"""Thin views: fetch through access, change through services, read through selectors."""

import datetime

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for
from zhuanban.reports import access, selectors
from zhuanban.reports.views_bulletins import (  # noqa: F401 (urls.py names them here)
    bulletin_create,
    bulletin_delete,
    bulletin_detail,
    bulletin_docx,
    bulletin_edit,
    bulletin_list,
    bulletin_pdf,
    bulletin_publish,
    section_add,
    section_delete,
    section_edit,
)
from zhuanban.reports.views_summary import work_summary  # noqa: F401 (urls.py names it here)
from zhuanban.reports.views_templates import (  # noqa: F401 (urls.py names them here)
    template_detail,
    template_docx,
    template_list,
)

# plotly.js writes one empty <style> element and one fixed style rule as it draws; the
# Content Security Policy lets exactly these two through (their sha256), nothing else inline.
PLOTLY_STYLE_HASHES = {
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
    ]
}


def _as_of(request, ends: list[datetime.date]) -> datetime.date | None:
    """The month end asked for, if it is one of those offered (anything else: today)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None
    return day if day in ends else None


def _render_dashboard(request, scope: selectors.DashboardScope):
    ends = selectors.month_ends(request.user)
    as_of = _as_of(request, ends)
    dash = selectors.dashboard(request.user, scope, as_of)
    return render(
        request,
        "reports/dashboard.html",
        {
            "dash": dash,
            "charts": selectors.charts(dash),
            "month_ends": ends,
            "as_of": as_of,
            "nav": "dashboard",
        },
    )


def _own_county(scope) -> OrgUnit | None:
    """The county a county or department person works in (their liaison unit's or their
    own unit's county)."""
    unit_ids = {*scope.liaison_unit_ids, scope.own_unit_id} - {None}
    paths = list(OrgUnit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
    for county in OrgUnit.objects.counties().order_by("sort_order", "code"):
        if any(path.startswith(county.path) for path in paths):
            return county
    return None


@require_GET
@login_required
@csp_update(PLOTLY_STYLE_HASHES)
def dashboard(request):
    """The bureau's dashboard for leaders and whoever sees every unit; office staff go to
    their office's, county people to their county's."""
    access.require_reader(request.user)
    scope = scope_for(request.user)
    if scope.has_role(Role.LEADER, Role.INSPECTOR):
        return _render_dashboard(request, selectors.DashboardScope(selectors.BUREAU))
    if scope.office_ids:
        offices = list(OrgUnit.objects.offices().filter(pk__in=scope.office_ids))
        if len(offices) == 1:
            return redirect("reports:office_dashboard", pk=offices[0].pk)
        return render(request, "reports/dashboard.html", {"dash": None, "offices": offices})
    county = _own_county(scope)
    if county is not None:
        return redirect("reports:county_dashboard", pk=county.pk)
    raise Http404


@require_GET
@login_required
@csp_update(PLOTLY_STYLE_HASHES)
def office_dashboard(request, pk: int):
    office = access.get_office_for_dashboard(request.user, pk)
    return _render_dashboard(request, selectors.DashboardScope(selectors.OFFICE, office))


@require_GET
@login_required
@csp_update(PLOTLY_STYLE_HASHES)
def county_dashboard(request, pk: int):
    county = access.get_county_for_dashboard(request.user, pk)
    return _render_dashboard(request, selectors.DashboardScope(selectors.COUNTY, county))
