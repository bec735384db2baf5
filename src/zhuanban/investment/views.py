"""Screens of the investment pipeline (招商引资项目库): the overview with its funnel, the
project list, a project's record, page and actions, and the stage clocks. Thin views:
access helper → form → service → message and redirect.

Every project comes through `investment.access` (404 when the user may not see it); who
may act is `scoping.parties` against the lifecycle's tables, and the services check it
again (403 when the user sees but may not act). A refusal the user can fix re-renders the
page with the form bound and its errors by field (422; 409 when someone else changed the
record meanwhile). Users who see no project at all (the three administrators, enterprise
logins, outsiders) find none of these screens (404).
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, errors_to_messages, is_concurrent_edit
from zhuanban.core.files import record_refusal
from zhuanban.core.pages import field_labels, query_without
from zhuanban.investment import access, scoping, selectors, services
from zhuanban.investment.forms import (
    ClockForm,
    MoveForm,
    ProjectFilterForm,
    ProjectForm,
    ReportForm,
    UrgeForm,
)
from zhuanban.investment.lifecycle import (
    DATE_FIELDS,
    LIVE_STAGES,
    MOVERS,
    PIPELINE,
    Party,
    Stage,
    next_stages,
)
from zhuanban.investment.models import (
    EventKind,
    ProgressReport,
    Project,
    StageClock,
    clocks_by_stage,
)
from zhuanban.investment.selectors import STAGES, Funnel, FunnelRow
from zhuanban.org.models import OrgUnit
from zhuanban.tasks.models import Light

PAGE_SIZE = 50
INVALID_STATUS = 422
STALE_STATUS = 409
EDITORS = frozenset({Party.OFFICE, Party.COUNTY})
URGERS = frozenset({Party.OFFICE, Party.LEADER})
ENDED = (Stage.PRODUCING, Stage.DROPPED)
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY)
BAR_STEP = 5  # the funnel's bars are drawn in steps of 5 % (classes w-0 … w-100)


# --- who finds these screens -----------------------------------------------------------------


def _require_sees_projects(user) -> None:
    if not scoping.reads_pipeline(user, scoping.visible_projects(user)):
        raise Http404


def _counties(user) -> QuerySet[OrgUnit]:
    """The counties a filter offers: all of them to those who read the whole pipeline,
    else those of the projects the user sees and those they enter."""
    counties = OrgUnit.objects.counties().order_by("sort_order", "code")
    if scoping.sees_all(user):
        return counties
    entered = scoping.counties_entered_by(user) or []
    return counties.filter(
        Q(pk__in=entered) | Q(pk__in=scoping.visible_projects(user).order_by().values("county"))
    )


def _entry_counties(user) -> QuerySet[OrgUnit] | None:
    """The counties the user may enter projects for (None: none at all)."""
    entered = scoping.counties_entered_by(user)
    if entered == []:
        return None
    counties = OrgUnit.objects.counties().order_by("sort_order", "code")
    return counties if entered is None else counties.filter(pk__in=entered)


def _refusal(request, form, error: ValidationError, renamed: dict | None = None) -> int:
    """The service's refusal on the form, by field (renamed where the form calls the
    field otherwise); a refusal of the whole action (a stale page) as a message at the
    top. Returns the status."""
    if is_concurrent_edit(error):
        errors_to_messages(request, error)
        return STALE_STATUS
    if hasattr(error, "error_dict") and renamed:
        error = ValidationError(
            {renamed.get(field, field): errors for field, errors in error.error_dict.items()}
        )
    add_service_errors(form, error)
    return INVALID_STATUS


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


# --- the pipeline ----------------------------------------------------------------------------


def _bars(funnel: Funnel) -> list[dict]:
    """The funnel proper as bars: projects that reached each stage or went further, as a
    share of all the live ones (steps of 5 %), with the count at each stage now."""
    reached = funnel.reached()
    top = reached[0][1] if reached else 0
    bars = []
    for stage, count in reached:
        width = 0
        if top and count:
            width = max(
                BAR_STEP, (count * 100 + top * BAR_STEP // 2) // (top * BAR_STEP) * BAR_STEP
            )
        bars.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "reached": count,
                "now": funnel.stages.get(stage, 0),
                "planned": funnel.planned_by_stage.get(stage, Decimal(0)),
                "width": min(width, 100),
            }
        )
    return bars


def _table(rows: list[FunnelRow], funnel: Funnel) -> dict:
    """A chain × stage or county × stage table: a row per chain or county, the count at
    each stage in the order of STAGES, and the totals."""
    return {
        "rows": [
            {
                "key": row.key,
                "cells": list(zip(STAGES, row.cells(), strict=True)),
                "total": row.total,
            }
            for row in rows
        ],
        "totals": [(stage, funnel.stages.get(stage, 0)) for stage in STAGES],
        "total": funnel.total,
    }


def _upward_card(user, year: int):
    """The year's upward funding (the year asked for, else the latest one recorded)."""
    totals = selectors.upward_totals(user)
    return next((t for t in totals if t.year == year), totals[0] if totals else None)


@require_GET
@login_required
def pipeline(request):
    user = request.user
    _require_sees_projects(user)
    year = _year(request)
    clocks = clocks_by_stage()
    funnel = selectors.funnel(user, year=year)
    key = selectors.funnel(user, year=year, key_only=True)
    lights = selectors.light_counts(user, year=year, clocks=clocks)
    years = sorted(
        set(selectors.project_years(user)) | {year, timezone.localdate().year}, reverse=True
    )
    return render(
        request,
        "investment/pipeline.html",
        {
            "year": year,
            "years": years,
            "figures": selectors.pipeline_figures(user, year=year),
            "lights": [(light, lights.get(light, 0)) for light in LIGHTS],
            "bars": _bars(funnel),
            "dropped": funnel.stages.get(Stage.DROPPED, 0),
            "stages": [(stage, Stage(stage).label) for stage in STAGES],
            "by_chain": _table(funnel.by_chain, funnel),
            "by_county": _table(funnel.by_county, funnel),
            "key": _table(key.by_chain, key),
            "key_signed": sum(row.signed_or_later for row in key.by_chain),
            "activities": selectors.activity_summary(user, year=year),
            "upward": _upward_card(user, year),
            "sees_upward": scoping.sees_all(user),
        },
    )


# --- the project list ------------------------------------------------------------------------


def _export_query(form: ProjectFilterForm) -> str:
    """The list's year, county and chain, for the 签约落地项目情况表."""
    values = form.values
    query = QueryDict(mutable=True)
    if values.get("year"):
        query["year"] = str(values["year"])
    for name in ("county", "chain"):
        if values.get(name):
            query[name] = str(values[name].pk)
    return query.urlencode()


@require_GET
@login_required
def project_list(request):
    user = request.user
    _require_sees_projects(user)
    today = timezone.localdate()
    clocks = clocks_by_stage()
    form = ProjectFilterForm(
        request.GET or None, years=selectors.project_years(user), counties=_counties(user)
    )
    projects = selectors.project_list(user, form.filters(), today=today, clocks=clocks)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for project in rows:
        project.due = project.due_on(clocks)
        project.days_in_stage = (today - project.stage_since).days
    is_office = scoping.is_investment_staff(user)
    return render(
        request,
        "investment/project_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without(request),
            "full_query": request.GET.urlencode(),
            "export_query": _export_query(form),
            "is_office": is_office,
            "can_create": _entry_counties(user) is not None,
            "has_red": is_office and any(p.light == Light.RED for p in rows),
            "labels": field_labels(Project),
        },
    )


@require_POST
@login_required
def projects_notice(request):
    """The red projects ticked on the list into a draft supervision notice."""
    user = request.user
    _require_sees_projects(user)
    if not scoping.is_investment_staff(user):
        raise PermissionDenied
    ids = {int(v) for v in request.POST.getlist("projects") if v.isascii() and v.isdigit()}
    projects = list(scoping.visible_projects(user).filter(pk__in=ids))
    try:
        notice = services.projects_to_notice(actor=user, projects=projects)
    except ValidationError as error:
        errors_to_messages(request, error)
        back = QueryDict(request.POST.get("query", "")).urlencode()
        return redirect(reverse("investment:projects") + (f"?{back}" if back else ""))
    messages.success(
        request,
        ngettext(
            "A draft supervision notice was made with %(n)s project: check it and issue it.",
            "A draft supervision notice was made with %(n)s projects: check them and issue it.",
            len(projects),
        )
        % {"n": len(projects)},
    )
    return redirect(notice.get_absolute_url())


# --- a project's record ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request):
    user = request.user
    _require_sees_projects(user)
    counties = _entry_counties(user)
    if counties is None:
        raise PermissionDenied
    posted = request.method == "POST"
    form = ProjectForm(request.POST if posted else None, counties=counties)
    if posted and form.is_valid():
        try:
            project = services.project_create(actor=user, **form.create_kwargs())
        except ValidationError as error:
            _refusal(request, form, error, renamed=dict.fromkeys(DATE_FIELDS.values(), "stage_on"))
        else:
            messages.success(
                request, _("%(name)s was entered in the pipeline.") % {"name": project.name}
            )
            return redirect(project)
    return render(
        request,
        "investment/project_form.html",
        {"form": form},
        status=INVALID_STATUS if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request, pk: int):
    user = request.user
    project = access.get_project_for_user(user, pk)
    if not scoping.parties(user, project) & EDITORS:
        raise PermissionDenied
    counties = _entry_counties(user)
    if counties is None:  # the project's county, not another one
        counties = OrgUnit.objects.filter(pk=project.county_id)
    posted = request.method == "POST"
    form = ProjectForm(request.POST if posted else None, counties=counties, project=project)
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        try:
            services.project_update(actor=user, project=project, **form.update_kwargs())
        except ValidationError as error:
            status = _refusal(request, form, error)
        else:
            messages.success(request, _("The project's record was saved."))
            return redirect(project)
    return render(
        request,
        "investment/project_form.html",
        {"form": form, "project": project},
        status=status,
    )


# --- a project's page ------------------------------------------------------------------------


def _stage_path(project: Project) -> list[dict]:
    """The pipeline as the project went along it: each stage reached with its date, the
    present one marked; a dropped project ends on 终止."""
    path = []
    for stage in PIPELINE:
        on = project.date_of(stage)
        if stage == project.stage:
            css = "current"
        elif on is not None:
            css = "reached"
        else:
            css = ""
        path.append({"stage": stage, "label": Stage(stage).label, "on": on, "css": css})
    if project.stage == Stage.DROPPED:
        path.append(
            {
                "stage": Stage.DROPPED,
                "label": Stage.DROPPED.label,
                "on": project.dropped_on,
                "css": "dropped current",
            }
        )
    return path


_FIELD_NAMES = {field.name for field in Project._meta.fields}


def _label_events(events) -> list:
    """Each entry's kind, stage change and text in words (an edit names the fields)."""
    events = list(events)
    for event in events:
        event.changed = bool(event.to_stage) and event.from_stage != event.to_stage
        if event.kind == EventKind.EDITED and event.text:
            names = [name.strip() for name in event.text.split(",")]
            event.display_text = "、".join(
                str(capfirst(Project._meta.get_field(name).verbose_name))
                if name in _FIELD_NAMES
                else name
                for name in names
            )
        else:
            event.display_text = event.text
    return events


def _clock_facts(project: Project, clock: StageClock | None, today: datetime.date) -> dict:
    facts = {
        "clock": clock,
        "days": (today - project.stage_since).days,
        "due": project.due_on({clock.stage: clock} if clock else {}),
        "next_report": None,
        "report_late": False,
    }
    if clock is not None and clock.report_days:
        facts["next_report"] = project.last_report_on + datetime.timedelta(days=clock.report_days)
        facts["report_late"] = facts["next_report"] < today
    return facts


def _render_detail(request, project: Project, *, bound: dict | None = None, status: int = 200):
    """The project's page as it is now; `bound` holds the action form just refused, by
    action, drawn with its errors instead of a fresh one."""
    user = request.user
    project = access.get_project_for_user(user, project.pk)
    parties = scoping.parties(user, project)
    bound = bound or {}
    today = timezone.localdate()
    clocks = clocks_by_stage()
    received = selectors.project_received(project)
    planned = project.planned_investment
    stages = next_stages(project.stage, parties)
    may_move = bool(parties & MOVERS)
    may_urge = bool(parties & URGERS) and project.stage not in ENDED
    context = {
        "project": project,
        "light": project.light_on(today, clocks),
        "facts": _clock_facts(project, clocks.get(project.stage), today),
        "path": _stage_path(project),
        "received": received,
        "percent": (received * 100 / planned).quantize(Decimal("0.1")) if planned else None,
        "events": _label_events(selectors.project_timeline(project)),
        "reports": selectors.project_reports(project),
        "activities": selectors.project_activities(project),
        "move_form": bound.get("move")
        or (MoveForm(project=project, stages=stages) if may_move and stages else None),
        "report_form": bound.get("report") or (ReportForm() if may_move else None),
        "urge_form": bound.get("urge") or (UrgeForm() if may_urge else None),
        "can_edit": bool(parties & EDITORS),
        "labels": field_labels(Project),
        "report_labels": field_labels(ProgressReport),
    }
    return render(request, "investment/project_detail.html", context, status=status)


@require_GET
@login_required
def project_detail(request, pk: int):
    return _render_detail(request, access.get_project_for_user(request.user, pk))


def _acting(request, pk: int, allowed: frozenset[str]) -> tuple[Project, set[str]]:
    project = access.get_project_for_user(request.user, pk)
    parties = scoping.parties(request.user, project)
    if not parties & allowed:
        raise PermissionDenied
    return project, parties


@require_POST
@login_required
def project_move(request, pk: int):
    user = request.user
    project, parties = _acting(request, pk, MOVERS)
    form = MoveForm(
        request.POST,
        request.FILES,
        project=project,
        stages=next_stages(project.stage, parties),
    )
    if not form.is_valid():
        for upload, error in form.refused:
            record_refusal(upload, user=user, error=error)
        return _render_detail(request, project, bound={"move": form}, status=INVALID_STATUS)
    try:
        moved = services.project_move(actor=user, project=project, **form.service_kwargs())
    except ValidationError as error:
        status = _refusal(request, form, error)
        bound = {} if status == STALE_STATUS else {"move": form}
        return _render_detail(request, project, bound=bound, status=status)
    messages.success(
        request,
        _("%(project)s is now at %(stage)s.")
        % {"project": moved.name, "stage": moved.get_stage_display()},
    )
    return redirect(moved)


@require_POST
@login_required
def project_report(request, pk: int):
    user = request.user
    project, _parties = _acting(request, pk, MOVERS)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, project, bound={"report": form}, status=INVALID_STATUS)
    try:
        services.project_report(actor=user, project=project, **form.service_kwargs())
    except ValidationError as error:
        status = _refusal(request, form, error)
        return _render_detail(request, project, bound={"report": form}, status=status)
    messages.success(request, _("The progress report was saved."))
    return redirect(project)


@require_POST
@login_required
def project_urge(request, pk: int):
    user = request.user
    project, _parties = _acting(request, pk, URGERS)
    form = UrgeForm(request.POST)
    if form.is_valid():
        try:
            services.project_urge(actor=user, project=project, text=form.cleaned_data["text"])
        except ValidationError as error:
            status = _refusal(request, form, error)
            return _render_detail(request, project, bound={"urge": form}, status=status)
        messages.success(
            request, _("The county and the responsible unit were urged to act on the project.")
        )
        return redirect(project)
    return _render_detail(request, project, bound={"urge": form}, status=INVALID_STATUS)


@require_GET
@login_required
def evidence_download(request, event_pk: int, file_pk: int):
    """An evidence file of a project's event, for whoever sees the project."""
    found = selectors.event_evidence(request.user, event_pk, file_pk)
    if found is None:
        raise Http404
    event, stored = found
    project = access.get_project_for_user(request.user, event.project_id)
    return serve_stored_file(request, stored, context=project)


# --- the stage clocks ------------------------------------------------------------------------


@require_GET
@login_required
def clock_list(request):
    user = request.user
    _require_sees_projects(user)
    return render(
        request,
        "investment/clock_list.html",
        {
            "clocks": selectors.stage_clocks(),
            "is_office": scoping.is_investment_staff(user),
            "labels": field_labels(StageClock),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def clock_edit(request, stage: str):
    user = request.user
    _require_sees_projects(user)
    if stage not in LIVE_STAGES:
        raise Http404
    if not scoping.is_investment_staff(user):
        raise PermissionDenied
    clock = clocks_by_stage().get(stage)
    posted = request.method == "POST"
    form = ClockForm(request.POST if posted else None, clock=clock)
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        try:
            services.clock_save(actor=user, stage=stage, **form.service_kwargs())
        except ValidationError as error:
            status = _refusal(request, form, error)
        else:
            messages.success(
                request,
                _("The clock of %(stage)s was saved: the lights follow it from now on.")
                % {"stage": Stage(stage).label},
            )
            return redirect("investment:clocks")
    return render(
        request,
        "investment/clock_form.html",
        {"form": form, "stage_label": Stage(stage).label, "clock": clock},
        status=status,
    )
