"""The audit trail screen (/audit/) for the audit administrator: search, read one
event's before/after, export what was found, verify the hash chain.

Only holders of READ_AUDIT get in (everyone else: 403). Nothing here changes an
event; the export and the verification are themselves recorded.
The list costs the same number of queries however many events there are.
"""

import datetime
import json
import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome
from zhuanban.ops import exports as job_exports
from zhuanban.org import export_jobs
from zhuanban.org.access import require_perm
from zhuanban.org.permissions import Perm

PAGE_SIZE = 50
CHUNK_SIZE = 2000
SPOOL_BYTES = 4 * 1_048_576


def _blank(choices) -> list[tuple[str, str]]:
    return [("", gettext_lazy("All")), *choices]


class AuditFilterForm(forms.Form):
    """The filters as they travel in the query string; a value that does not parse is
    ignored (the list shows what the others select), never an error."""

    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False)
    user = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), required=False, choices=_blank(AuditAction.choices)
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=_blank(AuditOutcome.choices)
    )
    object_type = forms.CharField(label=gettext_lazy("Record type"), required=False, max_length=100)
    ip = forms.CharField(label=gettext_lazy("IP address"), required=False, max_length=45)
    text = forms.CharField(label=gettext_lazy("Record or message"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].widget.input_type = "date"

    def values(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def filtered_events(values: dict) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-seq")
    if "date_from" in values:
        events = events.filter(at__gte=_start_of(values["date_from"]))
    if "date_to" in values:
        events = events.filter(at__lt=_start_of(values["date_to"] + datetime.timedelta(days=1)))
    if "user" in values:
        events = events.filter(actor_username__icontains=values["user"])
    if "action" in values:
        events = events.filter(action=values["action"])
    if "outcome" in values:
        events = events.filter(outcome=values["outcome"])
    if "object_type" in values:
        events = events.filter(object_type__icontains=values["object_type"])
    if "ip" in values:
        events = events.filter(ip__startswith=values["ip"])
    if "text" in values:
        text = values["text"]
        events = events.filter(
            Q(object_repr__icontains=text) | Q(object_id=text) | Q(message__icontains=text)
        )
    return events


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@login_required
@require_perm(Perm.READ_AUDIT)
def event_list(request):
    form = AuditFilterForm(request.GET)
    events = filtered_events(form.values()).defer("before", "after", "prev_hash", "hash")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/audit_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@require_GET
@login_required
@require_perm(Perm.READ_AUDIT)
def event_detail(request, pk: int):
    event = AuditEvent.objects.filter(pk=pk).first()
    if event is None:
        raise Http404
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    changed = set(audit.changed_fields(before, after))
    rows = [
        {
            "field": key,
            "before": _shown(before.get(key)),
            "after": _shown(after.get(key)),
            "changed": key in changed,
        }
        for key in sorted(before.keys() | after.keys())
    ]
    other = {
        "before": _shown(event.before) if event.before is not None and not before else "",
        "after": _shown(event.after) if event.after is not None and not after else "",
    }
    return render(request, "org/audit_detail.html", {"event": event, "rows": rows, "other": other})


COLUMNS = [
    excel.Column(gettext_lazy("No."), 9),
    excel.Column(gettext_lazy("Time"), 20),
    excel.Column(gettext_lazy("User"), 14),
    excel.Column(gettext_lazy("IP address"), 16),
    excel.Column(gettext_lazy("Action"), 12),
    excel.Column(gettext_lazy("Outcome"), 8),
    excel.Column(gettext_lazy("Record type"), 18),
    excel.Column(gettext_lazy("Record ID"), 10),
    excel.Column(gettext_lazy("Record"), 30),
    excel.Column(gettext_lazy("Message"), 30),
    excel.Column(gettext_lazy("Changed fields"), 30),
    excel.Column(gettext_lazy("Hash"), 20),
]


def write_events_xlsx(events: QuerySet[AuditEvent], out, *, subtitle: str) -> int:
    """Every event of `events` as one row, streamed (write-only workbook, rows read in
    chunks). Text stays text: nothing a user typed becomes a formula."""
    actions, outcomes = dict(AuditAction.choices), dict(AuditOutcome.choices)
    wb = Workbook(write_only=True)
    wb.properties.title = str(_("Audit trail"))
    wb.properties.creator = "Zhuanban"
    ws = wb.create_sheet(title=excel.sheet_title(str(_("Audit trail"))))
    cells = excel.CellFactory(ws)
    columns = [excel.Column(str(c.label), c.width) for c in COLUMNS]
    excel.print_setup(ws, columns, header_rows=(3, 3))
    last_column = get_column_letter(len(columns))
    ws.merged_cells.add(f"A1:{last_column}1")
    ws.merged_cells.add(f"A2:{last_column}2")
    ws.append([cells.make("title", str(_("Audit trail")))])
    ws.append([cells.make("subtitle", subtitle)])
    ws.append([cells.make("header", column.label) for column in columns])
    count = 0
    for event in events.iterator(chunk_size=CHUNK_SIZE):
        changed = audit.changed_fields(
            event.before if isinstance(event.before, dict) else None,
            event.after if isinstance(event.after, dict) else None,
        )
        values = [
            ("center", str(event.seq)),
            ("center", timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")),
            ("center", event.actor_username),
            ("center", event.ip or ""),
            ("center", str(actions.get(event.action, event.action))),
            ("center", str(outcomes.get(event.outcome, event.outcome))),
            ("text", event.object_type),
            ("text", event.object_id),
            ("text", event.object_repr),
            ("text", event.message),
            ("text", "、".join(changed)),
            ("text", event.hash),
        ]
        ws.append([cells.make(look, text) for look, text in values])
        count += 1
    ws.auto_filter.ref = f"A3:{last_column}{count + 3}"
    wb.save(out)
    return count


@require_http_methods(["GET", "POST"])
@login_required
@require_perm(Perm.READ_AUDIT)
def event_export(request):
    """The events the filters select, as a workbook; beyond settings.JOB_SYNC_ROWS of
    them, offered as a background job that writes the same file (org.export_jobs)."""
    query = _query_without_page(request)
    export = export_jobs.events_export(request.user, request.GET)

    def answer():
        export_jobs.audit_events_export(request.user, query)
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
        try:
            export.write(out)
            out.seek(0)
        except BaseException:
            out.close()
            raise
        return FileResponse(
            out,
            as_attachment=True,
            filename=export.filename,
            content_type=excel.XLSX_CONTENT_TYPE,
        )

    return job_exports.offer(
        request,
        kind=export_jobs.AUDIT_EVENTS,
        title=export.title,
        count=export.events.count(),
        params={"query": query},
        answer=answer,
    )


@require_POST
@login_required
@require_perm(Perm.READ_AUDIT)
def chain_verify(request):
    report = audit.check_chain()
    audit.record(
        actor=request.user,
        action=AuditAction.SYSTEM,
        object_type=AuditEvent._meta.label_lower,
        object_repr=str(_("Audit trail")),
        after={"ok": report.ok, "checked": report.count, "problem": report.problem},
        message="audit trail verified" if report.ok else f"audit trail broken at #{report.seq}",
        outcome=AuditOutcome.SUCCESS if report.ok else AuditOutcome.FAILURE,
    )
    if report.ok:
        messages.success(request, report.describe())
    else:
        messages.error(request, report.describe())
    return redirect("audit:list")
