"""Importing a scheme's items from Excel: upload → dry run (the tree as it will be
created and every problem by cell) → confirm. The checked file waits in storage under
imports/ (its name in the session) until it is confirmed, replaced or abandoned;
confirming reads it again. Also the blank template in the form the importer reads.

A file with more than settings.JOB_SYNC_ROWS rows is stored at once and checked by a
background job (`import_jobs.py`): its owner follows the job's progress and comes back
here with `?job=<id>` to the same dry run, where confirming starts the job that imports
it."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl.utils import get_column_letter

from zhuanban.assessment import import_jobs, importer, scoping
from zhuanban.assessment.access import get_scheme_for_user
from zhuanban.assessment.lifecycle import DESIGN_STATES
from zhuanban.assessment.models import Scheme
from zhuanban.core import excel
from zhuanban.core.excel import Column
from zhuanban.core.files import store_upload
from zhuanban.core.ledger import LedgerSheet, new_workbook
from zhuanban.core.pending import PendingUploads
from zhuanban.core.ratelimits import limit_export, limit_import
from zhuanban.ops import access as job_access
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job

PENDING = PendingUploads("assessment_import_pending", "imports")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the existing items"),
        required=False,
        help_text=gettext_lazy(
            "The scheme's items are deleted and the file's created instead, in one step."
        ),
    )

    def __init__(self, *args, existing: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if not existing:
            del self.fields["replace"]


def _page(request, scheme: Scheme, form: ImportForm, plan=None, token=None, plan_job=None):
    return render(
        request,
        "assessment/import.html",
        {"scheme": scheme, "form": form, "plan": plan, "token": token, "plan_job": plan_job},
    )


def _plan_job(user, scheme: Scheme, raw) -> Job:
    """The check job named in the request: the user's own, for this very scheme (404
    otherwise, as for a job that does not exist)."""
    try:
        pk = uuid.UUID(str(raw))
    except ValueError:
        raise Http404 from None
    job = job_access.get_job_for_user(user, pk)
    if job.kind != import_jobs.CHECK or (job.params or {}).get("scheme") != scheme.pk:
        raise Http404
    return job


@require_http_methods(["GET", "POST"])
@login_required
@limit_import
def scheme_import(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk)  # 404 when not visible
    named = request.POST.get("job") if request.method == "POST" else request.GET.get("job")
    plan_job = _plan_job(request.user, scheme, named) if named else None
    if not scoping.can_manage(request.user, scheme):
        raise PermissionDenied
    if scheme.status not in DESIGN_STATES:
        PENDING.discard(request, scheme.pk)
        messages.error(
            request, _("Items and units assessed change only while the scheme is being designed.")
        )
        return redirect(scheme)
    if request.method == "POST" and "confirm" in request.POST:
        if plan_job is not None:
            return _confirm_job(request, scheme, plan_job)
        return _confirm(request, scheme)
    if request.method == "POST" and "cancel" in request.POST:
        PENDING.discard(request, scheme.pk)
        return redirect(scheme)
    existing = scheme.items.count()
    if request.method == "GET" and plan_job is not None:
        return _job_plan(request, scheme, plan_job, existing)
    form = ImportForm(request.POST or None, request.FILES or None, existing=existing)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        replace = bool(form.cleaned_data.get("replace"))
        rows = importer.rows_to_read(upload)
        if rows is None or rows > settings.JOB_SYNC_ROWS:
            started = _check_in_background(request, scheme, upload, replace)
            if started is not None:
                return started
        try:
            plan = importer.parse_workbook(upload, scheme=scheme, replace=replace)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if plan.is_valid:
                token = PENDING.keep(request, scheme.pk, upload, replace=replace)
            else:
                PENDING.discard(request, scheme.pk)
    return _page(request, scheme, form, plan, token)


# --- large files, in the background ---------------------------------------------------------


def _check_in_background(request, scheme: Scheme, upload, replace: bool):
    """Store the file and start its dry run; the owner follows it on the job's page.
    None when the file is refused on the way in (the dry run at once then says why)."""
    try:
        stored = store_upload(upload, user=request.user, allowed={".xlsx"})
    except ValidationError:
        return None
    PENDING.discard(request, scheme.pk)
    job = jobs.start(
        kind=import_jobs.CHECK,
        title=_("Check %(file)s (%(scheme)s)") % {"file": stored.name, "scheme": scheme.title},
        owner=request.user,
        params={"scheme": scheme.pk, "replace": replace},
        input_file=stored,
    )
    return redirect("ops:job", pk=job.pk)


def _job_plan(request, scheme: Scheme, job: Job, existing: int):
    """The finished dry run: the tree and every problem, with the confirm button."""
    if job.status != JobStatus.SUCCEEDED:
        return redirect("ops:job", pk=job.pk)  # still running, or failed: its page says
    plan = importer.plan_from_data(job.result_data or {}, scheme)
    return _page(request, scheme, ImportForm(existing=existing), plan, plan_job=job)


def _confirm_job(request, scheme: Scheme, check: Job):
    """Start the job that imports the checked file (or show the one started)."""
    data = check.result_data or {}
    plan = importer.plan_from_data(data, scheme)
    if check.status != JobStatus.SUCCEEDED or not plan.is_valid or check.input_file_id is None:
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("assessment:scheme_import", pk=scheme.pk)
    started = import_jobs.commit_of(check)
    if started is None:
        started = jobs.start(
            kind=import_jobs.COMMIT,
            title=_("Import %(file)s (%(scheme)s)")
            % {"file": plan.file_name, "scheme": scheme.title},
            owner=request.user,
            params={
                "scheme": scheme.pk,
                "replace": plan.replace,
                "existing_count": plan.existing_count,
                "check": str(check.pk),
            },
            input_file=check.input_file,
        )
    return redirect("ops:job", pk=started.pk)


# --- confirming a file checked at once -------------------------------------------------------


def _confirm(request, scheme: Scheme):
    found = PENDING.read(request, scheme.pk, request.POST.get("token"))
    if found is None:
        messages.error(
            request, _("The checked file is no longer waiting for confirmation; upload it again.")
        )
        return redirect("assessment:scheme_import", pk=scheme.pk)
    pending, upload = found
    plan = None
    try:
        plan = importer.parse_workbook(
            upload,
            scheme=scheme,
            replace=bool(pending.get("replace")),
        )
        created = importer.commit(plan, actor=request.user)
    except ValidationError as error:
        PENDING.discard(request, scheme.pk)
        for message in error.messages:
            messages.error(request, message)
        form = ImportForm(existing=scheme.items.count())
        return _page(request, scheme, form, plan)
    PENDING.discard(request, scheme.pk)
    messages.success(
        request,
        ngettext(
            "%(count)s item was imported from %(file)s.",
            "%(count)s items were imported from %(file)s.",
            len(created),
        )
        % {"count": len(created), "file": pending["name"]},
    )
    return redirect(scheme)


# --- the template ----------------------------------------------------------------------

TEMPLATE_COLUMNS = [
    Column(importer.HEADERS[importer.NUMBER], 8),
    Column(importer.HEADERS[importer.TITLE], 36),
    Column(importer.HEADERS[importer.MAX_SCORE], 8),
    Column(importer.HEADERS[importer.WEIGHT], 8),
    Column(importer.HEADERS[importer.METHOD], 16),
    Column(importer.HEADERS[importer.CRITERIA], 44),
    Column(importer.HEADERS[importer.EVIDENCE], 30),
    Column(importer.HEADERS[importer.RESPONSIBLE], 20),
]
# A scheme as the bureau writes one: two weighted parts, each with its sub-items.
TEMPLATE_EXAMPLE = [
    ("一、", "重点任务落实", 30, 40, "", "", "", ""),
    (
        "（一）",
        "马铃薯产业重点任务按期办结",
        20,
        None,
        "任务按期办结率",
        "按期办结率×20分。",
        "任务办结佐证材料",
        "各旗县市区",
    ),
    (
        "（二）",
        "调度数据按时报送",
        10,
        None,
        "调度报送及时率",
        "按时报送率×10分；迟报、漏报按比例扣分。",
        "调度报表",
        "各旗县市区",
    ),
    ("二、", "产业发展成效", 70, 60, "", "", "", ""),
    (
        "（一）",
        "种薯繁育基地建设",
        40,
        None,
        "人工评分",
        "完成年度目标任务得40分，每低1个百分点扣1分，扣完为止。",
        "基地建设台账、验收报告、现场照片",
        "种植业管理科",
    ),
    (
        "（二）",
        "督办通报扣分",
        30,
        None,
        "督办通报扣分",
        "被督办通报一次扣2分，扣完为止。",
        "",
        "各旗县市区",
    ),
]


def write_template(out) -> None:
    """The blank form: title, a line on how to fill it in, the header row, examples."""
    title = _("Assessment items: import template")
    wb = new_workbook(title)
    sheet = LedgerSheet(wb, name=_("Assessment items"), columns=TEMPLATE_COLUMNS)
    sheet.head(
        title,
        _(
            "Levels by 序号: 一、 (一) 1. (1), or 1, 1.1, 1.1.1. Leave a heading's 分值 empty "
            "to add up its sub-items. 权重 (percent) only on top-level items. 评分方式: "
            "%(methods)s (empty: 人工评分)."
        )
        % {"methods": "、".join(importer.METHOD_NAMES)},
    )
    for number, title_, points, weight, method, criteria, evidence, units in TEMPLATE_EXAMPLE:
        sheet.append(
            [
                ("center", number),
                ("text_bold" if weight else "text", title_),
                ("number", points),
                ("number", weight),
                ("center", method),
                ("text", criteria),
                ("text", evidence),
                ("text", units),
            ]
        )
    # "注：" marks the row as a note for the importer, whatever the language.
    note = "注：" + _(
        "Replace the examples with the scheme's items; a row without a 序号 continues the "
        "item above it. Notes such as this one are not imported."
    )
    last = get_column_letter(len(TEMPLATE_COLUMNS))
    sheet.ws.merged_cells.add(f"A{sheet.row + 1}:{last}{sheet.row + 1}")
    sheet.append([("text", note)], min_height=36)
    sheet.finish(autofilter=False)
    wb.save(out)


@require_GET
@login_required
@limit_export
def import_template(request):
    if not scoping.can_create_scheme(request.user):
        raise PermissionDenied
    return excel.xlsx_attachment(write_template, _("Assessment items import template.xlsx"))
