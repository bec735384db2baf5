"""Screens of supervision notices: thin views, form → access helper → service → redirect.

Every notice comes through `access.get_notice_for_user` (404 when it may not be seen);
what a user may do is the lifecycle table's answer for their parties, checked again by
the services (403 when they may see but not act).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import add_service_errors, errors_to_messages
from zhuanban.core.files import store_upload
from zhuanban.org.access import require_business_data
from zhuanban.org.models import OrgUnit
from zhuanban.supervision import notice_selectors, notice_services, pdf_jobs
from zhuanban.supervision.access import get_notice_for_user
from zhuanban.supervision.forms_notices import (
    CommentForm,
    NoticeFilterForm,
    NoticeForm,
    ReasonForm,
    ReplyForm,
)
from zhuanban.supervision.lifecycle import (
    EDITABLE_STATES,
    REASON_REQUIRED,
    NoticeAction,
    NoticeParty,
)
from zhuanban.supervision.models import Notice
from zhuanban.supervision.scoping import (
    can_draft_notices,
    notice_parties,
    visible_recipients,
)

PAGE_SIZE = 50
DOCUMENT_KINDS = ("docx", "pdf")


def _detail(notice: Notice, anchor: str = ""):
    response = redirect("supervision:notice", pk=notice.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_GET
@login_required
def notice_list(request):
    require_business_data(request.user)
    form = NoticeFilterForm(request.GET or None, user=request.user)
    notices = notice_selectors.notice_list(request.user, form.filters())
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/notice_list.html",
        {
            "form": form,
            "page": page,
            "can_draft": can_draft_notices(request.user),
            "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def notice_create(request):
    if not can_draft_notices(request.user):
        raise PermissionDenied
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "GET":
        # Opened from the lagging work (tasks:candidates): `?units=` preselects its units.
        form.prefill(request.GET)
    if request.method == "POST" and form.is_valid():
        try:
            notice = notice_services.notice_create(
                actor=request.user, office=form.cleaned_data["office"], **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The draft was saved. Fill in the reasons from the data, then submit it."),
            )
            return _detail(notice, "reasons")
    return render(request, "supervision/notice_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def notice_edit(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    if NoticeParty.DRAFTER not in notice_parties(request.user, notice):
        raise PermissionDenied
    if notice.status not in EDITABLE_STATES:
        messages.error(
            request,
            _("Only a draft can be edited; an issued notice is changed by a correction."),
        )
        return _detail(notice)
    form = NoticeForm(request.POST or None, user=request.user, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            notice_services.notice_update(
                actor=request.user,
                notice=notice,
                expected_version=form.cleaned_data["version"] or 0,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return _detail(notice)
    return render(request, "supervision/notice_form.html", {"form": form, "notice": notice})


@require_GET
@login_required
def notice_detail(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    page = notice_selectors.notice_page(request.user, notice)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "page": page,
            "reply_form": ReplyForm(recipients=page.replying) if page.replying else None,
            "reason_form": ReasonForm(notice=notice) if page.can_edit else None,
            "reason_required": REASON_REQUIRED,
            "Action": NoticeAction,
            "pdf_job": pdf_jobs.pending_job(notice),
        },
    )


@require_POST
@login_required
def notice_fill(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    try:
        reasons = notice_services.notice_fill_reasons(actor=request.user, notice=notice)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("%(count)s reasons are on the notice; check and edit their text.")
            % {"count": len(reasons)},
        )
    return _detail(notice, "reasons")


@require_POST
@login_required
def notice_reason(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    form = ReasonForm(request.POST, notice=notice)
    if not form.is_valid():
        errors_to_messages(request, ValidationError(list(form.errors.values())))
        return _detail(notice, "reasons")
    data = form.cleaned_data
    reason = None
    if data["reason"]:
        reason = notice.reasons.filter(pk=data["reason"]).first()
        if reason is None:
            raise Http404
    try:
        if reason is not None and data["delete"]:
            notice_services.notice_reason_delete(actor=request.user, notice=notice, reason=reason)
            messages.success(request, _("The reason was removed."))
        else:
            unit = OrgUnit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
            notice_services.notice_reason_save(
                actor=request.user,
                notice=notice,
                reason=reason,
                unit=unit,
                kind=data["kind"],
                text=data["text"],
            )
            messages.success(request, _("The reason was saved."))
    except ValidationError as error:
        errors_to_messages(request, error)
    return _detail(notice, "reasons")


@require_POST
@login_required
def notice_act(request, pk: int, action: str):
    notice = get_notice_for_user(request.user, pk)
    if action not in NoticeAction.values:
        raise Http404
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        notice = notice_services.notice_act(
            actor=request.user,
            notice=notice,
            action=action,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": NoticeAction(action).label})
    return _detail(notice)


@require_POST
@login_required
def notice_issue(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    try:
        notice = notice_services.notice_issue(actor=request.user, notice=notice)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Issued as %(number)s.") % {"number": notice.number})
    return _detail(notice)


@require_POST
@login_required
def notice_reply(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        errors_to_messages(request, ValidationError(list(form.errors.values())))
        return _detail(notice, "replies")
    recipient = (
        notice.recipients.select_related("unit").filter(pk=form.cleaned_data["recipient"]).first()
    )
    if recipient is None:
        raise Http404
    try:
        # Who may reply is settled before anything is stored (403 for another unit's).
        notice_services.reply_check(
            actor=request.user,
            notice=notice,
            recipient=recipient,
            text=form.cleaned_data["text"],
        )
        evidence = [
            store_upload(upload, user=request.user, allowed=notice_services.REPLY_FILE_TYPES)
            for upload in form.cleaned_data["evidence"]
        ]
        notice_services.notice_reply(
            actor=request.user,
            notice=notice,
            recipient=recipient,
            text=form.cleaned_data["text"],
            evidence=evidence,
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The reply was sent."))
    return _detail(notice, "replies")


@require_POST
@login_required
def notice_correct(request, pk: int):
    notice = get_notice_for_user(request.user, pk)
    try:
        draft = notice_services.notice_correct(actor=request.user, notice=notice)
    except ValidationError as error:
        errors_to_messages(request, error)
        return _detail(notice)
    messages.success(
        request,
        _("A correction of %(number)s was drafted: change what must be corrected.")
        % {"number": notice.number},
    )
    return redirect("supervision:notice_edit", pk=draft.pk)


@require_GET
@login_required
def notice_file(request, pk: int, kind: str):
    """The issued notice's Word document or PDF, for whoever may see the notice."""
    notice = get_notice_for_user(request.user, pk)
    if kind not in DOCUMENT_KINDS:
        raise Http404
    stored = notice.docx if kind == "docx" else notice.pdf
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=notice)


@require_GET
@login_required
def notice_reply_file(request, pk: int, rid: int, fid: int):
    """A reply's attachment, for the bureau side and the unit that replied."""
    notice = get_notice_for_user(request.user, pk)
    recipient = visible_recipients(request.user, notice).filter(pk=rid).first()
    if recipient is None:
        raise Http404
    stored = recipient.reply_evidence.filter(pk=fid).first()
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=recipient)
