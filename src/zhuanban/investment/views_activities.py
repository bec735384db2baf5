"""Screens of the promotion activities (招商引资活动): the list with the year's figures
("开展招商引资活动 N 次，招引项目 M 个") and the count per county, an activity's page with the
projects it produced and their lights, and its record.

Thin views: an activity comes through `investment.access` (404 when the user may not see
it); who may record is `scoping.counties_entered_by` (the investment office: any county
or the city level; a county's liaison: their own county; others who read: 403);
`services.activity_save` checks it again and saves. A refused form is shown again with
every error by field (422; 409 when someone else saved the activity meanwhile).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhuanban.core.errors import add_service_errors, is_concurrent_edit
from zhuanban.core.pages import field_labels, query_without
from zhuanban.investment import access, scoping, selectors, services
from zhuanban.investment import selectors_activities as reads
from zhuanban.investment.forms_activities import ActivityFilterForm, ActivityForm
from zhuanban.investment.models import Activity, ActivityKind, Project

PAGE_SIZE = 50
INVALID_STATUS = 422
STALE_STATUS = 409


def require_pipeline_reader(user, records: QuerySet) -> None:
    """404 for whoever reads nothing of the pipeline (`scoping.reads_pipeline`)."""
    if not scoping.reads_pipeline(user, records):
        raise Http404


def _may_record(user, activity: Activity | None = None) -> bool:
    """The investment office records any activity; a county's liaison those of their
    own county."""
    counties = scoping.counties_entered_by(user)
    if counties is None:
        return True
    if activity is None:
        return bool(counties)
    return activity.county_id is not None and activity.county_id in counties


# --- the list -------------------------------------------------------------------------------


@require_GET
@login_required
def activity_list(request):
    user = request.user
    require_pipeline_reader(user, scoping.visible_activities(user))
    today = timezone.localdate()
    form = ActivityFilterForm(
        request.GET,
        years=reads.activity_years(user, today),
        counties=reads.filter_counties(user),
        today=today,
    )
    criteria = form.criteria()
    rows = reads.filter_activities(reads.activity_rows(user), **criteria)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    year = criteria["year"]
    summary = selectors.activity_summary(user, year=year)
    kinds = dict(ActivityKind.choices)
    return render(
        request,
        "investment/activity_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "year": year,
            "summary": summary,
            "by_kind": [(kinds[kind], n) for kind, n in summary.by_kind.items()],
            "by_county": reads.activities_by_county(user, year=year),
            "can_record": _may_record(user),
            "labels": field_labels(Activity),
        },
    )


# --- one activity ---------------------------------------------------------------------------


@require_GET
@login_required
def activity_detail(request, pk: int):
    user = request.user
    activity = access.get_activity_for_user(user, pk)
    projects = reads.activity_projects(user, activity, timezone.localdate())
    produced = activity.projects.count()
    return render(
        request,
        "investment/activity_detail.html",
        {
            "activity": activity,
            "projects": projects,
            "unseen": produced - len(projects),
            "can_edit": _may_record(user, activity),
            "labels": field_labels(Activity),
            "project_labels": field_labels(Project),
        },
    )


# --- the record -----------------------------------------------------------------------------


def _save(request, form: ActivityForm, activity: Activity | None):
    """The service's answer: the saved activity, or None with its errors on the form (and
    whether the refusal was a stale page)."""
    try:
        saved = services.activity_save(
            actor=request.user,
            activity=activity,
            projects=form.produced(),
            expected_version=form.cleaned_data.get("version") if activity else None,
            **form.service_fields(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None, is_concurrent_edit(error)
    return saved, False


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request):
    user = request.user
    require_pipeline_reader(user, scoping.visible_activities(user))
    if not _may_record(user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = ActivityForm(request.POST if posted else None, user=user, today=timezone.localdate())
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        activity, _stale = _save(request, form, None)
        if activity is not None:
            messages.success(
                request, _("The activity “%(title)s” was recorded.") % {"title": activity.title}
            )
            return redirect("investment:activity", pk=activity.pk)
    return render(request, "investment/activity_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request, pk: int):
    user = request.user
    activity = access.get_activity_for_user(user, pk)
    if not _may_record(user, activity):
        raise PermissionDenied
    title = activity.title  # the form changes the instance it is given
    posted = request.method == "POST"
    form = ActivityForm(
        request.POST if posted else None,
        user=user,
        today=timezone.localdate(),
        instance=activity,
    )
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        saved, stale = _save(request, form, activity)
        if saved is not None:
            messages.success(request, _("The activity was saved."))
            return redirect("investment:activity", pk=pk)
        if stale:
            status = STALE_STATUS
    return render(
        request,
        "investment/activity_form.html",
        {"form": form, "activity_pk": pk, "activity_title": title},
        status=status,
    )
