"""The opinion adoption table (意见采纳情况表) of a document as .xlsx and .docx: of every
round, or of one (`?round=<pk>`). Each download is audited as an export and counts
against the export rate limit.

Who gets it: the bureau (documents.scoping.sees_all: leaders, inspectors, office staff,
the drafting office among them). Anyone else gets 404, as for a page they may not see:
a consulted county reads its own answer on the round page, never the others'.

A fixed number of queries whatever the number of opinions (see documents.exports).
"""

import io
import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from zhuanban.core import audit, word
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.documents import exports, minutes, scoping
from zhuanban.documents.access import get_document_for_user, get_meeting_for_user
from zhuanban.documents.lifecycle import MeetingStatus
from zhuanban.documents.models import Document, OpinionRound

# Characters a file name cannot hold on one system or another.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
FILE_NAME_MAX = 80
# Minutes exist once the meeting has been held.
MINUTES_STATES = frozenset({MeetingStatus.HELD, MeetingStatus.CLOSED})


def _table_for(request, pk: int) -> exports.AdoptionTable:
    """The table the request asks for, or 404: the document must be one the user sees,
    the user one of the bureau, and `?round=` (if any) one of the document's rounds."""
    document = get_document_for_user(request.user, pk)
    if not scoping.sees_all(request.user):
        raise Http404
    return exports.adoption_table(document, _round_of(request, document))


def _round_of(request, document: Document) -> OpinionRound | None:
    raw = request.GET.get("round", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    round = (
        scoping.visible_rounds(request.user, document)
        .select_related("draft")
        .filter(pk=int(raw))
        .first()
    )
    if round is None:
        raise Http404
    return round


def _file_name(table: exports.AdoptionTable, extension: str) -> str:
    name = _NOT_IN_FILE_NAMES.sub("", exports.table_title(table.document))
    if table.one_round:
        name = f"{name}-{table.rounds[0].number}"
    return f"{name[:FILE_NAME_MAX].strip() or 'adoption'}.{extension}"


def _audit(request, table: exports.AdoptionTable, extension: str) -> None:
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=table.document,
        object_type="documents.adoption_table",
        after={
            "round": table.rounds[0].pk if table.one_round else None,
            "opinions": table.summary["total"],
            "format": extension,
        },
        message=f"opinion adoption table exported to {extension}",
    )


@require_GET
@login_required
@limit_export
def adoption_xlsx(request, pk: int):
    table = _table_for(request, pk)
    today = timezone.localdate()
    _audit(request, table, "xlsx")
    response = xlsx_attachment(
        lambda out: exports.write_adoption_xlsx(table, out, today=today),
        _file_name(table, "xlsx"),
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@limit_export
def adoption_docx(request, pk: int):
    table = _table_for(request, pk)
    data = exports.adoption_docx(table, today=timezone.localdate())
    _audit(request, table, "docx")
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=_file_name(table, "docx"),
        content_type=word.DOCX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@limit_export
def minutes_docx(request, pk: int):
    """A held meeting's minutes (会议纪要) as .docx, for the bureau (meetings are its own)."""
    meeting = get_meeting_for_user(request.user, pk)
    if meeting.status not in MINUTES_STATES:
        raise Http404
    data = minutes.minutes_docx(meeting)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=meeting,
        after={"format": "docx"},
        message="meeting minutes exported to docx",
    )
    name = _NOT_IN_FILE_NAMES.sub("", meeting.title)[:FILE_NAME_MAX].strip() or "minutes"
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"{name}纪要.docx",
        content_type=word.DOCX_CONTENT_TYPE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
