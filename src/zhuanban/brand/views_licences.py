"""Screens of one licence (授权证书): what it covers and until when, its logo use (用标), its
QR code, its certificate (.docx at once; .pdf made in the background, `pdf_jobs`), removal
(清退); and the register as .xlsx.

Thin views: the licence comes through `brand.access` (404 when the user may not see
it); who may act is `brand.scoping.parties` (403 when they see but may not act), and
`brand.services` checks it again and makes the change. The state shown is computed
for today (`Licence.state_on`), never stored. A refusal the user can fix re-renders the
form with its errors by field (422).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.brand import access, export_jobs, exports, pdf_jobs, qr, scoping, services
from zhuanban.brand.forms_licences import LicenceRemoveForm, LogoUseForm
from zhuanban.brand.lifecycle import Party
from zhuanban.brand.models import Channel, Licence, LicenceState, LogoUse, Product
from zhuanban.core import audit, word
from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction, StoredFile
from zhuanban.core.pages import field_labels
from zhuanban.core.ratelimits import limit_export, limit_import
from zhuanban.ops import exports as job_exports
from zhuanban.org.scoping import scope_for

INVALID_STATUS = 422
# Who records logo use: the enterprise itself, or the brand office for it.
LOGO_PARTIES = frozenset({Party.ENTERPRISE, Party.OFFICE})
QR_CACHE_SECONDS = 3600


def _add_errors(form, error: ValidationError, renames: dict[str, str]) -> None:
    """A service's errors on the form, its field names mapped to the form's."""
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {renames.get(field, field): errors for field, errors in error.error_dict.items()}
        )
    add_service_errors(form, error)


def _logo_uses(licence: Licence) -> list[LogoUse]:
    uses = list(
        licence.logo_uses.select_related("product", "recorded_by")
        .prefetch_related(Prefetch("photos", queryset=StoredFile.objects.order_by("pk")))
        .order_by("product_id", "since", "pk")
    )
    names = dict(Channel.choices)
    for use in uses:
        use.channel_labels = [names[c] for c in use.channels if c in names]
    return uses


def _may_record_logo(user, licence: Licence, state: str) -> bool:
    return state == LicenceState.VALID and bool(
        scoping.parties(user, licence.enterprise) & LOGO_PARTIES
    )


def _render_detail(request, licence: Licence, *, remove_form=None, status: int = 200):
    user = request.user
    state = licence.state_on(timezone.localdate())
    may_remove = scoping.is_brand_staff(user) and licence.revoked_on is None
    pdf_available = exports.pdf_available()
    if may_remove and remove_form is None:
        remove_form = LicenceRemoveForm(licence=licence)
    context = {
        "licence": licence,
        "enterprise": licence.enterprise,
        "state": state,
        "products": list(licence.application.products.order_by("pk")),
        "logo_uses": _logo_uses(licence),
        "may_record_logo": _may_record_logo(user, licence, state),
        "may_remove": may_remove,
        "remove_form": remove_form if may_remove else None,
        "revoked_by": licence.revoked_by if licence.revoked_on else None,
        "verify_url": qr.verify_url(licence.number),
        "pdf_available": pdf_available,
        "pdf_job": pdf_jobs.pending_job(licence, user) if pdf_available else None,
        "labels": field_labels(Licence),
        "product_labels": field_labels(Product),
        "logo_labels": field_labels(LogoUse),
    }
    return render(request, "brand/licence_detail.html", context, status=status)


@require_GET
@login_required
def licence_detail(request, pk: int):
    return _render_detail(request, access.get_licence_for_user(request.user, pk))


@require_POST
@login_required
def licence_remove(request, pk: int):
    """清退 (the brand office's): the licence ends on the day given, for the reason given."""
    licence = access.get_licence_for_user(request.user, pk)
    if not scoping.is_brand_staff(request.user):
        raise PermissionDenied
    form = LicenceRemoveForm(request.POST, licence=licence)
    if form.is_valid():
        try:
            services.licence_remove(
                actor=request.user,
                licence=licence,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            _add_errors(form, error, {"comment": "reason"})
        else:
            messages.success(
                request,
                _("Licence %(number)s was removed (清退) from %(date)s.")
                % {"number": licence.number, "date": form.cleaned_data["on"].isoformat()},
            )
            return redirect("brand:licence", pk=licence.pk)
    if licence.revoked_on is None:
        licence.refresh_from_db()  # removed meanwhile by someone else?
    if licence.revoked_on is not None:
        for message in form.non_field_errors():
            messages.error(request, message)
        return _render_detail(request, licence, status=INVALID_STATUS)
    return _render_detail(request, licence, remove_form=form, status=INVALID_STATUS)


@require_GET
@login_required
def licence_qr(request, pk: int):
    """The QR code to print on the packaging (SVG): it opens the licence's public page.
    `?download=1` offers it as a file."""
    licence = access.get_licence_for_user(request.user, pk)
    response = HttpResponse(qr.svg(qr.verify_url(licence.number)), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{licence.number}.svg"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=QR_CACHE_SECONDS)
    return response


# --- the certificate -----------------------------------------------------------------------


def _certificate(request, pk: int) -> exports.Certificate:
    licence = access.get_licence_for_user(request.user, pk)
    return exports.certificate(licence, day=timezone.localdate())


def _audit_certificate(request, data: exports.Certificate, extension: str) -> None:
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=data.licence,
        object_type="brand.certificate",
        after={"state": data.state, "format": extension},
        message=f"brand licence certificate exported to {extension}",
    )


def _file_response(content: bytes, name: str, content_type: str) -> FileResponse:
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=name, content_type=content_type
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@limit_export
def certificate_docx(request, pk: int):
    data = _certificate(request, pk)
    content = exports.certificate_docx(data)
    _audit_certificate(request, data, "docx")
    return _file_response(
        content,
        exports.certificate_file_name(data.licence, "docx"),
        word.DOCX_CONTENT_TYPE,
    )


@require_POST
@login_required
@limit_export
def certificate_pdf(request, pk: int):
    """The certificate as PDF: made by LibreOffice in a background job of the user's
    (`pdf_jobs`), whose page they are sent to; the job already on its way when they asked
    a moment ago. 404 where this server cannot make PDFs (no LibreOffice)."""
    licence = access.get_licence_for_user(request.user, pk)
    if not exports.pdf_available():
        raise Http404
    job = pdf_jobs.start(licence, owner=request.user)
    return redirect("ops:job", pk=job.pk)


# --- logo use ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def logo_use_add(request, pk: int):
    """Record a logo use: the enterprise itself or the brand office, under a valid licence."""
    licence = access.get_licence_for_user(request.user, pk)
    state = licence.state_on(timezone.localdate())
    if not scoping.parties(request.user, licence.enterprise) & LOGO_PARTIES:
        raise PermissionDenied
    if state != LicenceState.VALID:
        messages.error(request, _("Logo use is recorded only under a valid licence."))
        return redirect("brand:licence", pk=licence.pk)
    posted = request.method == "POST"
    form = LogoUseForm(
        request.POST if posted else None, request.FILES if posted else None, licence=licence
    )
    if posted and form.is_valid():
        try:
            use = services.logo_use_save(
                actor=request.user, licence=licence, **form.service_kwargs()
            )
        except ValidationError as error:
            _add_errors(form, error, {"attachments": "photos"})
        else:
            messages.success(
                request,
                _("The logo use on %(packaging)s was recorded.") % {"packaging": use.packaging},
            )
            return redirect(reverse("brand:licence", args=[licence.pk]) + "#logo-uses")
    return render(
        request,
        "brand/logo_use_form.html",
        {"licence": licence, "enterprise": licence.enterprise, "form": form, "state": state},
        status=INVALID_STATUS if posted else 200,
    )


@require_GET
@login_required
def logo_photo(request, pk: int):
    """A packaging photo (a StoredFile), for whoever sees the licence whose logo use it
    belongs to; any other file, or a photo of a licence not seen, is 404."""
    use = (
        LogoUse.objects.filter(licence__in=scoping.visible_licences(request.user), photos__pk=pk)
        .order_by("pk")
        .first()
    )
    if use is None:
        raise Http404
    stored = use.photos.filter(pk=pk).first()
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=use)


# --- the register --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@limit_export
def register_xlsx(request):
    """原味乌兰察布授权企业名单表: licences valid today among those the user sees
    (`?county=<pk>` for one county). Up to settings.JOB_SYNC_ROWS enterprises a GET answers
    the file at once; a larger register is offered as a background job, which a POST to
    the same address starts (`export_jobs`: the same file, audited the same way)."""
    export = export_jobs.register_export(request.user, request.GET)

    def answer():
        export.audit(request.user)
        response = xlsx_attachment(export.write, export.filename)
        patch_cache_control(response, private=True, no_store=True)
        return response

    if scope_for(request.user).is_enterprise_login:
        # Its own enterprise only (a row or two), and the job pages are not among the
        # screens an enterprise's login reaches (org.middleware): always at once.
        return answer()
    return job_exports.offer(
        request,
        kind=export_jobs.REGISTER,
        title=export.title,
        count=export.count,
        params={"query": request.GET.urlencode()},
        answer=answer,
    )
