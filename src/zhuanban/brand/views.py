"""Screens of the brand register (原味乌兰察布授权企业名录), its enterprises and their
authorization applications: thin views, access helper → form → service → message and
redirect.

Every enterprise and application comes through `brand.access` (404 when the user may not
see it); what the user may do is the lifecycle table's answer for their parties
(`scoping.parties`), and the services check it again (403 when they may see but not act).
A refusal the user can fix re-renders the page with the form bound and its errors by
field (422; 409 when someone else changed the record meanwhile).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.brand import access, scoping, selectors, services
from zhuanban.brand.forms import (
    ActForm,
    ApplicationFilterForm,
    AttachForm,
    DocumentsForm,
    EnterpriseForm,
    RegisterFilterForm,
    VersionForm,
    product_formset,
)
from zhuanban.brand.lifecycle import (
    APP_OPEN_STATES,
    APP_TRANSITIONS,
    AppAction,
    AppStatus,
    Party,
    ReviewAction,
    ReviewStatus,
    allowed,
)
from zhuanban.brand.models import (
    REQUIRED_ATTACHMENTS,
    Application,
    Attachment,
    AttachmentKind,
    Enterprise,
    Licence,
    Product,
    Review,
    Sales,
)
from zhuanban.core.chips import filter_chips
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, is_concurrent_edit
from zhuanban.core.pages import field_labels, query_without
from zhuanban.org.access import require_business_data
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for

PAGE_SIZE = 50
INVALID_STATUS = 422
STALE_STATUS = 409
APPLICANTS = frozenset({Party.ENTERPRISE, Party.OFFICE})

# Timeline entries that are not lifecycle actions.
_EVENT_LABELS = {
    "create": gettext_lazy("Application entered"),
    "licence_issue": gettext_lazy("Licence issued"),
    "licence_remove": gettext_lazy("Licence removed (清退)"),
}


def _counties(user) -> QuerySet[OrgUnit]:
    """The counties a filter offers: all of them to those who read the whole register,
    else those of the enterprises the user sees."""
    counties = OrgUnit.objects.counties().order_by("sort_order", "code")
    if scoping.sees_all(user):
        return counties
    return counties.filter(pk__in=scoping.visible_enterprises(user).values("county"))


def _label_events(events) -> list:
    """Each timeline entry's action and status change in words."""
    events = list(events)
    for event in events:
        is_review = event.review_id is not None
        if event.action in _EVENT_LABELS:
            event.label = _EVENT_LABELS[event.action]
        elif is_review and event.action in ReviewAction.values:
            event.label = ReviewAction(event.action).label
        elif event.action in AppAction.values:
            event.label = AppAction(event.action).label
        else:
            event.label = event.action
        statuses = ReviewStatus if is_review else AppStatus
        event.before_label = (
            statuses(event.from_status).label if event.from_status in statuses.values else ""
        )
        event.after_label = (
            statuses(event.to_status).label if event.to_status in statuses.values else ""
        )
    return events


# --- the register ---------------------------------------------------------------------------


@require_GET
@login_required
def register(request):
    user = request.user
    require_business_data(user)
    if scope_for(user).is_enterprise_login:
        enterprise = scoping.enterprise_of_user(user)
        if enterprise is None:
            raise Http404
        return redirect("brand:enterprise", pk=enterprise.pk)
    today = timezone.localdate()
    form = RegisterFilterForm(request.GET or None, counties=_counties(user))
    enterprises = form.apply(selectors.enterprise_list(user, year=today.year)).order_by(
        "county__sort_order", "county__code", "name", "pk"
    )
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "brand/register.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "figures": selectors.register_figures(user, today),
            "year": today.year,
            "is_office": scoping.is_brand_staff(user),
            "labels": field_labels(Enterprise),
        },
    )


# --- an enterprise's record -----------------------------------------------------------------


def _require_office(user) -> None:
    if not scoping.is_brand_staff(user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def enterprise_create(request):
    require_business_data(request.user)
    _require_office(request.user)
    posted = request.method == "POST"
    form = EnterpriseForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            enterprise = services.enterprise_save(actor=request.user, enterprise=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s was entered in the register.") % {"name": enterprise.name}
            )
            return redirect("brand:enterprise", pk=enterprise.pk)
    return render(
        request,
        "brand/enterprise_form.html",
        {"form": form},
        status=INVALID_STATUS if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def enterprise_edit(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk)
    _require_office(request.user)
    name = enterprise.name  # the form changes the instance it is given
    posted = request.method == "POST"
    form = EnterpriseForm(request.POST if posted else None, instance=enterprise)
    status = INVALID_STATUS if posted else 200
    if posted and form.is_valid():
        try:
            services.enterprise_save(
                actor=request.user,
                enterprise=form.instance,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if is_concurrent_edit(error):
                status = STALE_STATUS
        else:
            messages.success(request, _("The enterprise's record was saved."))
            return redirect("brand:enterprise", pk=pk)
    return render(
        request,
        "brand/enterprise_form.html",
        {"form": form, "enterprise_pk": pk, "enterprise_name": name},
        status=status,
    )


@require_GET
@login_required
def enterprise_detail(request, pk: int):
    user = request.user
    enterprise = access.get_enterprise_for_user(user, pk)
    parties = scoping.parties(user, enterprise)
    today = timezone.localdate()
    open_application = selectors.open_application(enterprise)
    return render(
        request,
        "brand/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "licences": selectors.enterprise_licences(user, enterprise, today),
            "applications": selectors.enterprise_applications(user, enterprise),
            "reviews": selectors.enterprise_reviews(user, enterprise),
            "sales": selectors.enterprise_sales(enterprise),
            "events": _label_events(selectors.timeline(enterprise.events.all())),
            "open_application": open_application,
            "can_apply": bool(parties & APPLICANTS) and open_application is None,
            "can_edit": scoping.is_brand_staff(user),
            "is_enterprise": Party.ENTERPRISE in parties,
            "labels": field_labels(Enterprise),
            "licence_labels": field_labels(Licence),
            "app_labels": field_labels(Application),
            "review_labels": field_labels(Review),
            "sales_labels": field_labels(Sales),
        },
    )


# --- applications: creating and editing ------------------------------------------------------


def _service_problems(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by place on the page: products, documents, or the top."""
    problems: dict[str, list[str]] = {"products": [], "attachments": [], "top": []}
    if not hasattr(error, "error_dict"):
        problems["top"] = list(error.messages)
        return problems
    for field, errors in error.error_dict.items():
        key = field if field in ("products", "attachments") else "top"  # NON_FIELD_ERRORS too
        problems[key].extend(message for e in errors for message in e.messages)
    return problems


def _require_applicant(user, enterprise: Enterprise) -> set[str]:
    parties = scoping.parties(user, enterprise)
    if not parties & APPLICANTS:
        raise PermissionDenied
    return parties


@require_http_methods(["GET", "POST"])
@login_required
def application_create(request, pk: int):
    user = request.user
    enterprise = access.get_enterprise_for_user(user, pk)
    _require_applicant(user, enterprise)
    current = selectors.open_application(enterprise)
    if current is not None:
        messages.info(
            request,
            _("%(name)s already has an application in progress; complete or withdraw it first.")
            % {"name": enterprise.name},
        )
        return redirect("brand:application", pk=current.pk)
    posted = request.method == "POST"
    formset = product_formset(request.POST if posted else None)
    documents = DocumentsForm(request.POST if posted else None, request.FILES if posted else None)
    problems = None
    if posted:
        valid = formset.is_valid()
        valid = documents.is_valid() and valid  # both, so every error shows at once
        if valid:
            try:
                application = services.application_create(
                    actor=user,
                    enterprise=enterprise,
                    products=formset.products(),
                    attachments=documents.uploads(),
                )
            except ValidationError as error:
                problems = _service_problems(error)
            else:
                messages.success(
                    request,
                    _("Application %(number)s was saved as a draft.")
                    % {"number": application.number},
                )
                return redirect("brand:application", pk=application.pk)
    return render(
        request,
        "brand/application_form.html",
        {
            "enterprise": enterprise,
            "formset": formset,
            "documents": documents,
            "problems": problems,
            "posted": posted,
            "required_documents": [AttachmentKind(k).label for k in REQUIRED_ATTACHMENTS],
            "product_labels": field_labels(Product),
        },
        status=INVALID_STATUS if posted else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request, pk: int):
    user = request.user
    application = access.get_application_for_user(user, pk)
    _require_applicant(user, application.enterprise)
    if application.status != AppStatus.DRAFT:
        messages.error(request, _("Only a draft application can be changed."))
        return redirect("brand:application", pk=pk)
    posted = request.method == "POST"
    products = list(application.products.all())
    formset = product_formset(request.POST if posted else None, products=products)
    version = VersionForm(
        request.POST if posted else None, initial={"version": application.version}
    )
    problems = None
    status = INVALID_STATUS if posted else 200
    if posted and formset.is_valid() and version.is_valid():
        try:
            services.application_update(
                actor=user,
                application=application,
                products=formset.products(),
                expected_version=version.cleaned_data["version"],
            )
        except ValidationError as error:
            problems = _service_problems(error)
            if is_concurrent_edit(error):
                status = STALE_STATUS
        else:
            messages.success(request, _("The products were saved."))
            return redirect("brand:application", pk=pk)
    return render(
        request,
        "brand/application_form.html",
        {
            "enterprise": application.enterprise,
            "application": application,
            "formset": formset,
            "version_form": version,
            "problems": problems,
            "posted": posted,
            "product_labels": field_labels(Product),
        },
        status=status,
    )


# --- the queue ------------------------------------------------------------------------------


def _default_status(user) -> str:
    """What the queue opens on: the brand office's review, a county's first review, or
    everything the user sees."""
    if scoping.is_brand_staff(user):
        return AppStatus.OFFICE_REVIEW
    if scope_for(user).has_role(Role.COUNTY_LIAISON):
        return AppStatus.COUNTY_REVIEW
    return ApplicationFilterForm.ALL


def _status_chips(request, counts: dict[str, int], active: str) -> list[dict]:
    """Links that set one status (or all), keeping the other filters."""
    return filter_chips(
        request,
        param="status",
        choices=AppStatus,
        counts=counts,
        active=active,
        everything=("all", ApplicationFilterForm.ALL),
    )


@require_GET
@login_required
def application_list(request):
    user = request.user
    require_business_data(user)
    form = ApplicationFilterForm(
        request.GET, counties=_counties(user), default_status=_default_status(user)
    )
    applications = form.apply(selectors.application_list(user))
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.application_status_counts(
        form.apply(scoping.visible_applications(user), with_status=False)
    )
    query = request.GET.copy()
    query.pop("page", None)
    query["status"] = form.status_value or ApplicationFilterForm.ALL
    return render(
        request,
        "brand/application_list.html",
        {
            "form": form,
            "page": page,
            "chips": _status_chips(request, counts, form.status_value),
            "query": query.urlencode(),
            "labels": field_labels(Application),
            "ent_labels": field_labels(Enterprise),
        },
    )


# --- one application ------------------------------------------------------------------------


def _attach_kinds(application: Application, parties: set[str]) -> list[str]:
    """The kinds of document the user may add now: the applicant's to a draft; expert
    opinions and other materials by the brand office during its review."""
    if application.status == AppStatus.DRAFT and parties & APPLICANTS:
        kinds = [*REQUIRED_ATTACHMENTS, AttachmentKind.OTHER]
        if Party.OFFICE in parties:
            kinds.insert(-1, AttachmentKind.EXPERT_OPINION)
        return kinds
    if application.status == AppStatus.OFFICE_REVIEW and Party.OFFICE in parties:
        return [AttachmentKind.EXPERT_OPINION, AttachmentKind.OTHER]
    return []


def _render_application(
    request,
    application: Application,
    *,
    bound: dict | None = None,
    attach_form: AttachForm | None = None,
    status: int = 200,
):
    """The application's page; `bound` holds the action form just refused, by action."""
    user = request.user
    application = access.get_application_for_user(user, application.pk)  # as it is now
    enterprise = application.enterprise
    parties = scoping.parties(user, enterprise)
    bound = bound or {}
    action_forms = [
        bound.get(action) or ActForm(action=action, application=application)
        for action in allowed(APP_TRANSITIONS, application.status, parties)
    ]
    attachments = list(selectors.application_attachments(application))
    present = {attachment.kind for attachment in attachments}
    is_draft = application.status == AppStatus.DRAFT
    missing = (
        [AttachmentKind(kind).label for kind in REQUIRED_ATTACHMENTS if kind not in present]
        if is_draft
        else []
    )
    kinds = _attach_kinds(application, parties)
    licence = (
        scoping.visible_licences(user).filter(application=application).first()
        if application.status == AppStatus.APPROVED
        else None
    )
    context = {
        "application": application,
        "enterprise": enterprise,
        "products": application.products.all(),
        "attachments": attachments,
        "missing": missing,
        "action_forms": action_forms,
        "attach_form": attach_form or (AttachForm(kinds=kinds) if kinds else None),
        "can_edit": is_draft and bool(parties & APPLICANTS),
        "is_open": application.status in APP_OPEN_STATES,
        "licence": licence,
        "events": _label_events(selectors.timeline(application.events.all())),
        "labels": field_labels(Application),
        "product_labels": field_labels(Product),
        "attachment_labels": field_labels(Attachment),
    }
    return render(request, "brand/application_detail.html", context, status=status)


@require_GET
@login_required
def application_detail(request, pk: int):
    return _render_application(request, access.get_application_for_user(request.user, pk))


@require_POST
@login_required
def application_act(request, pk: int):
    user = request.user
    application = access.get_application_for_user(user, pk)
    action = request.POST.get("action", "")
    if action not in AppAction.values:
        raise Http404
    if not scoping.parties(user, application.enterprise):
        raise PermissionDenied
    form = ActForm(request.POST, action=action, application=application)
    if not form.is_valid():
        return _render_application(
            request, application, bound={action: form}, status=INVALID_STATUS
        )
    try:
        services.application_act(
            actor=user, application=application, action=action, **form.service_kwargs()
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_service_errors(form, error)
            return _render_application(
                request, application, bound={action: form}, status=INVALID_STATUS
            )
        for message in error.messages:
            messages.error(request, message)
        status = STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS
        return _render_application(request, application, status=status)
    if action == AppAction.APPROVE:
        licence = scoping.visible_licences(user).filter(application=application).first()
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Approved: licence %(number)s was issued.") % {"number": licence.number},
                reverse("brand:licence", args=[licence.pk]),
                _("Open the licence"),
            ),
        )
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": AppAction(action).label})
    return redirect("brand:application", pk=pk)


@require_POST
@login_required
def application_attach(request, pk: int):
    user = request.user
    application = access.get_application_for_user(user, pk)
    parties = _require_applicant(user, application.enterprise)
    kinds = _attach_kinds(application, parties)
    if not kinds:
        messages.error(
            request,
            _("Documents can be added to a draft, or by the brand office during its review."),
        )
        return _render_application(request, application, status=INVALID_STATUS)
    form = AttachForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        try:
            added = services.application_attach(
                actor=user, application=application, uploads=form.uploads()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(n)d document was added.", "%(n)d documents were added.", len(added))
                % {"n": len(added)},
            )
            return redirect("brand:application", pk=pk)
    return _render_application(request, application, attach_form=form, status=INVALID_STATUS)


@require_GET
@login_required
def attachment_download(request, pk: int):
    """An application's document, for whoever may see the application."""
    attachment = selectors.attachment_for_user(request.user, pk)
    if attachment is None:
        raise Http404
    application = access.get_application_for_user(request.user, attachment.application_id)
    return serve_stored_file(request, attachment.file, context=application)
