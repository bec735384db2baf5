from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.core.errors import errors_to_messages
from zhuanban.core.files import store_upload
from zhuanban.core.models import StoredFile
from zhuanban.documents.scoping import visible_topics
from zhuanban.org.access import require_business_data
from zhuanban.org.scoping import scope_for
from zhuanban.supervision.forms_notices import may_concern
from zhuanban.supervision.scoping import can_draft_notices, visible_visits
from zhuanban.tasks import selectors, services
from zhuanban.tasks.access import get_extension_for_user, get_list_for_user, get_task_for_user
from zhuanban.tasks.filters import filters_from_query, numbering_from_query
from zhuanban.tasks.forms import (
    CommentForm,
    DecisionForm,
    ExtensionForm,
    LedgerFilterForm,
    ReportForm,
    TaskForm,
    TaskListForm,
)
from zhuanban.tasks.lifecycle import FORM_ACTIONS, Action, allowed_actions
from zhuanban.tasks.models import ExtensionStatus, Task
from zhuanban.tasks.scoping import can_manage_list, parties, visible_lists, visible_tasks

PAGE_SIZE = 100


def _formerrors_to_messages(request, form) -> None:
    """The task page's small forms redirect back; their errors travel as messages, by field."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@require_GET
@login_required
def ledger(request):
    require_business_data(request.user)
    # The query string is parsed once, leniently, the same way the export parses it;
    # the form only displays the filters in force.
    filters = filters_from_query(request.GET)
    style = numbering_from_query(request.GET, default="")
    form = LedgerFilterForm(request.GET or None, lists=visible_lists(request.user))
    tasks = selectors.ledger(request.user, filters)
    summary = selectors.ledger_summary(tasks)
    group = request.GET.get("group", "")
    page = Paginator(tasks.prefetch_related("cooperating_units"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.attach_heading_rollups(request.user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tasks/ledger.html",
        {
            "form": form,
            "page": page,
            "counts": summary.counts,
            "group": group,
            "groups": {"office": summary.by_office, "county": summary.by_county}.get(group),
            "style": style,
            "query": query.urlencode(),
        },
    )


@require_GET
@login_required
def inbox(request):
    return render(request, "tasks/inbox.html", {"inbox": selectors.inbox(request.user)})


@require_GET
@login_required
def candidates(request):
    """Red tasks by lead unit; office staff draft a supervision notice from here, for one
    unit or for every unit shown (the notice form preselects them)."""
    tasks = list(
        selectors.red_candidates(request.user)
        .prefetch_related("cooperating_units")
        .order_by(
            F("lead_unit__sort_order").asc(nulls_last=True),
            F("lead_unit__code").asc(nulls_last=True),
            "task_list__year",
            "task_list_id",
            "sort_path",
        )
    )
    can_draft = can_draft_notices(request.user)
    # The lead units a notice can concern, in page order (dict: ordered and unique).
    draftable = list(
        dict.fromkeys(t.lead_unit_id for t in tasks if can_draft and may_concern(t.lead_unit))
    )
    return render(
        request,
        "tasks/candidates.html",
        {
            "tasks": tasks,
            "can_draft": can_draft,
            "draftable": set(draftable),
            # "All units" only when there is more than the one a unit's own link offers.
            "all_units": ",".join(map(str, draftable)) if len(draftable) > 1 else "",
        },
    )


@require_GET
@login_required
def list_index(request):
    require_business_data(request.user)
    lists = visible_lists(request.user).select_related("office").order_by("-year", "title")
    return render(
        request,
        "tasks/list_index.html",
        {"lists": lists, "can_create": bool(scope_for(request.user).office_ids)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def list_create(request):
    if not scope_for(request.user).office_ids:
        raise PermissionDenied
    form = TaskListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        task_list = services.tasklist_create(
            actor=request.user,
            office=form.cleaned_data["office"],
            **{k: v for k, v in form.cleaned_data.items() if k != "office"},
        )
        messages.success(request, _("The task list was created."))
        return redirect("tasks:list", pk=task_list.pk)
    return render(request, "tasks/list_form.html", {"form": form})


@require_GET
@login_required
def list_detail(request, pk: int):
    task_list = get_list_for_user(request.user, pk)
    style = request.GET.get("style") or task_list.numbering
    queryset = selectors.ledger(request.user, selectors.LedgerFilters(task_list=task_list.pk))
    tasks = list(queryset.prefetch_related("cooperating_units"))
    selectors.attach_heading_rollups(request.user, tasks)
    return render(
        request,
        "tasks/list_detail.html",
        {
            "task_list": task_list,
            "tasks": tasks,
            "style": style,
            "can_manage": can_manage_list(request.user, task_list),
            "counts": selectors.ledger_counts(queryset),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def task_create(request, pk: int):
    task_list = get_list_for_user(request.user, pk, manage=True)
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = Task.objects.filter(
            task_list=task_list, pk=request.GET["parent"]
        ).first()
    form = TaskForm(
        request.POST or None, request.FILES or None, task_list=task_list, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        upload = data.pop("attachment")
        coop = data.pop("cooperating_units")
        try:
            files = [store_upload(upload, user=request.user)] if upload else []
            task = services.task_create(
                actor=request.user,
                task_list=task_list,
                cooperating_units=coop,
                milestones=form.milestones,
                **data,
            )
            if files:
                services.task_attach(actor=request.user, task=task, files=files)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Task %(n)s was added.") % {"n": task.number()})
            return redirect("tasks:list", pk=task_list.pk)
    return render(request, "tasks/task_form.html", {"form": form, "task_list": task_list})


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request, pk: int):
    task = get_task_for_user(request.user, pk)
    if not can_manage_list(request.user, task.task_list):
        raise PermissionDenied
    form = TaskForm(
        request.POST or None, request.FILES or None, instance=task, task_list=task.task_list
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        upload = data.pop("attachment")
        coop = data.pop("cooperating_units")
        try:
            if upload:
                services.task_attach(
                    actor=request.user, task=task, files=[store_upload(upload, user=request.user)]
                )
            services.task_update(
                actor=request.user,
                task=Task.objects.get(pk=task.pk),
                expected_version=version,
                cooperating_units=coop,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The task was saved."))
            return redirect("tasks:detail", pk=task.pk)
    return render(
        request, "tasks/task_form.html", {"form": form, "task_list": task.task_list, "task": task}
    )


@require_GET
@login_required
def task_detail(request, pk: int):
    task = get_task_for_user(request.user, pk)
    who = parties(request.user, task)
    actions = allowed_actions(task.status, who)
    pending = task.extensions.filter(status=ExtensionStatus.PENDING).select_related("requested_by")
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "actions": [a for a in actions if a not in FORM_ACTIONS],
            "can": set(actions),
            "Action": Action,
            "can_edit": can_manage_list(request.user, task.task_list),
            # Only the subtasks the user may see: another county's, or a draft, stays hidden.
            "children": visible_tasks(request.user)
            .filter(parent=task)
            .with_light()
            .select_related("lead_unit", "task_list")
            .prefetch_related("cooperating_units")
            .order_by("sort_path"),
            "parent_visible": task.parent_id is not None
            and visible_tasks(request.user).filter(pk=task.parent_id).exists(),
            "events": task.events.select_related("actor"),
            "reports": task.reports.select_related("reporter").prefetch_related("evidence"),
            "extensions": task.extensions.select_related("requested_by", "decided_by"),
            "pending_extensions": pending,
            "comment_form": CommentForm(),
            "report_form": ReportForm(initial={"progress": task.progress}),
            "extension_form": ExtensionForm(),
            "cooperating": task.cooperating_units.all(),
            "attachments": task.attachments.all(),
            "milestones": task.milestones.all(),
            # 议题: the meeting decision the task follows up, for those who see meetings.
            "meeting_topic": visible_topics(request.user)
            .filter(task_links__task=task)
            .select_related("meeting")
            .first(),
            # 督导: the visits that checked this task, as far as the user may see them.
            "visits": visible_visits(request.user)
            .filter(tasks=task)
            .select_related("county", "group")
            .order_by("-date", "-pk"),
        },
    )


@require_POST
@login_required
def task_act(request, pk: int, action: str):
    task = get_task_for_user(request.user, pk)
    if action not in Action.values or action in FORM_ACTIONS:
        raise Http404
    form = CommentForm(request.POST, request.FILES)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    upload = form.cleaned_data.get("evidence")
    try:
        if action == Action.REQUEST_CLOSE and upload:
            if action not in allowed_actions(task.status, parties(request.user, task)):
                raise PermissionDenied  # before storing anything
            services.task_request_close(
                actor=request.user,
                task=task,
                comment=comment,
                evidence=[store_upload(upload, user=request.user)],
            )
        else:
            services.task_act(actor=request.user, task=task, action=action, comment=comment)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("tasks:detail", pk=task.pk)


@require_POST
@login_required
def task_report(request, pk: int):
    task = get_task_for_user(request.user, pk)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        _formerrors_to_messages(request, form)
        return redirect("tasks:detail", pk=task.pk)
    try:
        if Action.REPORT not in allowed_actions(task.status, parties(request.user, task)):
            raise PermissionDenied
        evidence = []
        if form.cleaned_data["evidence"]:
            evidence.append(store_upload(form.cleaned_data["evidence"], user=request.user))
        services.task_report(
            actor=request.user,
            task=task,
            text=form.cleaned_data["text"],
            progress=form.cleaned_data["progress"],
            figures=form.cleaned_data["figures"],
            evidence=evidence,
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Progress reported."))
    return redirect("tasks:detail", pk=task.pk)


@require_POST
@login_required
def extension_request(request, pk: int):
    task = get_task_for_user(request.user, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        _formerrors_to_messages(request, form)
        return redirect("tasks:detail", pk=task.pk)
    try:
        services.extension_request(actor=request.user, task=task, **form.cleaned_data)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The extension request was sent."))
    return redirect("tasks:detail", pk=task.pk)


@require_POST
@login_required
def extension_decide(request, pk: int):
    extension = get_extension_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                actor=request.user,
                request=extension,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            errors_to_messages(request, error)
        else:
            messages.success(request, _("The extension request was decided."))
    return redirect("tasks:detail", pk=extension.task_id)


@require_POST
@login_required
def task_comment(request, pk: int):
    task = get_task_for_user(request.user, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        services.task_comment(
            actor=request.user, task=task, text=form.cleaned_data.get("comment", "")
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect("tasks:detail", pk=task.pk)


@require_GET
@login_required
def task_file(request, pk: int, file_id: int):
    """Download an attachment or a report's evidence, for whoever may see the task."""
    task = get_task_for_user(request.user, pk)
    stored = (
        StoredFile.objects.filter(pk=file_id)
        .filter(Q(tasks=task) | Q(task_reports__task=task))
        .first()
    )
    if stored is None:
        raise Http404
    return serve_stored_file(request, stored, context=task)
