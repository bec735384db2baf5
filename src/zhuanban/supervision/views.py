"""Groups, visits, findings and the supervision overview (notices have views of their own).

Thin views: form → access helper → service → redirect or render. A refused write on
the visit page renders the page again with the form's errors by field (files cannot
travel through a redirect)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors
from zhuanban.core.models import StoredFile
from zhuanban.org.access import require_business_data
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.supervision import selectors, services
from zhuanban.supervision.access import (
    get_finding_for_user,
    get_group_for_user,
    get_visit_for_user,
)
from zhuanban.supervision.forms import (
    FindingForm,
    GroupForm,
    MarkDoneForm,
    PhotosForm,
    RectifyForm,
    ReportForm,
    VisitFilterForm,
    VisitForm,
    responsible_units,
    visit_filters,
    year_from,
)
from zhuanban.supervision.models import FindingKind, Visit, VisitStatus
from zhuanban.supervision.scoping import (
    can_change_visit,
    can_create_group,
    can_manage_group,
    can_record_visit,
    may_record_visits,
)
from zhuanban.tasks.scoping import visible_lists, visible_tasks

PAGE_SIZE = 50


def _version(form) -> int:
    return form.cleaned_data.get("version") or 0


# --- overview ----------------------------------------------------------------------------


@require_GET
@login_required
def home(request):
    require_business_data(request.user)
    year = year_from(request.GET, timezone.localdate().year)
    return render(
        request,
        "supervision/overview.html",
        {"overview": selectors.overview(request.user, year), "year": year},
    )


# --- groups ------------------------------------------------------------------------------


@require_GET
@login_required
def group_list(request):
    require_business_data(request.user)
    year = year_from(request.GET, 0) or None
    return render(
        request,
        "supervision/group_list.html",
        {
            "groups": selectors.group_list(request.user, year),
            "year": year,
            "can_create": can_create_group(request.user),
        },
    )


def _group_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


@require_http_methods(["GET", "POST"])
@login_required
def group_create(request):
    if not can_create_group(request.user):
        raise PermissionDenied
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, **_group_fields(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The inspection group was set up."))
            return redirect("supervision:group", pk=group.pk)
    return render(request, "supervision/group_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def group_edit(request, pk: int):
    group = get_group_for_user(request.user, pk, manage=True)
    form = GroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(
                actor=request.user,
                group=group,
                expected_version=_version(form),
                **_group_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The inspection group was saved."))
            return redirect("supervision:group", pk=group.pk)
    return render(request, "supervision/group_form.html", {"form": form, "group": group})


@require_GET
@login_required
def group_detail(request, pk: int):
    group = get_group_for_user(request.user, pk)
    visits = selectors.group_visits(request.user, group)
    return render(
        request,
        "supervision/group_detail.html",
        {
            "group": group,
            "visits": visits,
            "findings": selectors.findings_of(request.user, visits),
            "members": group.members.all(),
            "counties": group.counties.all(),
            "task_lists": group.task_lists.filter(pk__in=visible_lists(request.user).values("pk")),
            "can_manage": can_manage_group(request.user, group),
            "can_plan": can_record_visit(request.user, office_id=group.office_id, group=group),
        },
    )


# --- visits ------------------------------------------------------------------------------


@require_GET
@login_required
def visit_list(request):
    require_business_data(request.user)
    filters = visit_filters(request.GET)
    page = Paginator(selectors.visit_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/visit_list.html",
        {
            "page": page,
            "form": VisitFilterForm(request.GET or None, user=request.user),
            "query": query.urlencode(),
            "can_record": may_record_visits(request.user),
        },
    )


@require_GET
@login_required
def visit_counts(request):
    require_business_data(request.user)
    year = year_from(request.GET, timezone.localdate().year)
    return render(
        request,
        "supervision/visit_counts.html",
        {
            "grid": selectors.visit_counts(request.user, year),
            "year": year,
            "months": [datetime.date(year, month, 1) for month in selectors.MONTHS],
        },
    )


def _visit_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


@require_http_methods(["GET", "POST"])
@login_required
def visit_create(request):
    if not may_record_visits(request.user):
        raise PermissionDenied
    initial = {}
    if request.GET.get("group", "").isdigit():
        group = get_group_for_user(request.user, int(request.GET["group"]))
        initial = {"group": group, "office": group.office, "status": VisitStatus.PLANNED}
    form = VisitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(actor=request.user, **_visit_fields(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("supervision:visit", pk=visit.pk)
    return render(request, "supervision/visit_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def visit_edit(request, pk: int):
    visit = get_visit_for_user(request.user, pk, change=True)
    form = VisitForm(request.POST or None, instance=visit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                expected_version=_version(form),
                **_visit_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit was saved."))
            return redirect("supervision:visit", pk=visit.pk)
    return render(request, "supervision/visit_form.html", {"form": form, "visit": visit})


def _visit_page(request, visit: Visit, **forms):
    can_change = can_change_visit(request.user, visit)
    findings = list(selectors.findings_of(request.user, Visit.objects.filter(pk=visit.pk)))
    for finding in findings:
        live = [
            i for i in finding.visible_rectifications if i.status != RectificationStatus.WITHDRAWN
        ]
        finding.can_rectify = can_change and finding.kind == FindingKind.PROBLEM and not live
    context = {
        "visit": visit,
        "can_change": can_change,
        "done": visit.status == VisitStatus.DONE,
        "findings": findings,
        "photos": visit.photos.all(),
        "participants": visit.participants.all(),
        # Only the tasks the user may see: another county's stays hidden.
        "tasks": visit.tasks.filter(pk__in=visible_tasks(request.user).values("pk")).select_related(
            "task_list"
        ),
        "finding_form": forms.get("finding_form") or FindingForm(visit=visit),
        "photos_form": forms.get("photos_form") or PhotosForm(),
        "report_form": forms.get("report_form")
        or ReportForm(initial={"report_text": visit.report_text, "version": visit.version}),
        "done_form": forms.get("done_form")
        or MarkDoneForm(initial={"date": visit.date, "version": visit.version}),
        "rectify_form": forms.get("rectify_form") or RectifyForm(),
        "rectify_finding": forms.get("rectify_finding"),
        "photos_again": forms.get("photos_again", False),
        # One list for every finding's small rectification form (not a query per form).
        "unit_choices": (
            list(responsible_units().values_list("pk", "name"))
            if any(f.can_rectify for f in findings)
            else []
        ),
    }
    return render(request, "supervision/visit_detail.html", context)


@require_GET
@login_required
def visit_detail(request, pk: int):
    return _visit_page(request, get_visit_for_user(request.user, pk))


@require_POST
@login_required
def visit_done(request, pk: int):
    visit = get_visit_for_user(request.user, pk, change=True)
    form = MarkDoneForm(request.POST)
    if form.is_valid():
        try:
            services.visit_mark_done(
                actor=request.user,
                visit=visit,
                date=form.cleaned_data["date"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit is recorded as carried out."))
            return redirect("supervision:visit", pk=visit.pk)
    return _visit_page(request, visit, done_form=form)


@require_POST
@login_required
def visit_photos(request, pk: int):
    visit = get_visit_for_user(request.user, pk, change=True)
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files = services.visit_add_photos(
                actor=request.user, visit=visit, uploads=form.cleaned_data["photos"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            n = len(files)
            messages.success(
                request, ngettext("%(n)s photo added.", "%(n)s photos added.", n) % {"n": n}
            )
            return redirect(f"{visit.get_absolute_url()}#photos")
    return _visit_page(request, visit, photos_form=form)


@require_POST
@login_required
def visit_report(request, pk: int):
    visit = get_visit_for_user(request.user, pk, change=True)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.visit_report(
                actor=request.user,
                visit=visit,
                text=form.cleaned_data["report_text"],
                upload=form.cleaned_data["report_file"] or None,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The research report was saved."))
            return redirect(f"{visit.get_absolute_url()}#report")
    return _visit_page(request, visit, report_form=form)


@require_POST
@login_required
def finding_add(request, pk: int):
    visit = get_visit_for_user(request.user, pk, change=True)
    form = FindingForm(request.POST, request.FILES, visit=visit)
    if form.is_valid():
        try:
            finding = services.finding_add(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["rectify"]:
                messages.success(request, _("The finding was added and sent for rectification."))
            else:
                messages.success(request, _("The finding was added."))
            return redirect(finding.get_absolute_url())
    # Files do not survive a refusal: say so when some were sent.
    return _visit_page(
        request, visit, finding_form=form, photos_again=bool(request.FILES.getlist("photos"))
    )


@require_POST
@login_required
def finding_rectify(request, pk: int):
    finding = get_finding_for_user(request.user, pk, change=True)
    form = RectifyForm(request.POST)
    if form.is_valid():
        try:
            services.finding_rectify(actor=request.user, finding=finding, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The finding was sent for rectification."))
            return redirect(finding.get_absolute_url())
    return _visit_page(request, finding.visit, rectify_form=form, rectify_finding=finding.pk)


@require_GET
@login_required
def visit_file(request, pk: int, file_id: int):
    """A photo or the report of a visit (or a photo of one of its findings), for whoever
    may see the visit."""
    visit = get_visit_for_user(request.user, pk)
    stored = (
        StoredFile.objects.filter(pk=file_id)
        .filter(Q(visits=visit) | Q(findings__visit=visit) | Q(pk=visit.report_file_id or 0))
        .first()
    )
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=visit)
