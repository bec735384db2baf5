"""Serving uploaded files (attachments, evidence, uploaded workbooks): one way for all.

`serve_stored_file()` is what every view that hands out a StoredFile returns, after the
view's own check that the user may see the record the file belongs to. It reads the
file from storage once, hashing it into a temporary copy, and serves that copy only
when its SHA-256 and size are those recorded at upload: a file changed or damaged on
disk is refused (409, a page saying so, an audit event with outcome FAILURE), never
served. A served file always comes as an attachment under its original name (RFC 6266
filename*, UTF-8), with the content type recorded at upload, `nosniff`, and no
caching; the download is recorded in the audit trail.

Uploaded files live under MEDIA_ROOT, which no URL serves (MEDIA_URL is not routed):
this function is the only way out.
"""

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome, StoredFile

logger = logging.getLogger(__name__)

SPOOL_BYTES = 4 * 1_048_576  # larger files are copied to a temporary file on disk
INTEGRITY_STATUS = 409


def download_name(stored: StoredFile) -> str:
    """The original name, without characters a header (or a file system) cannot take."""
    name = "".join(char for char in stored.name if char.isprintable() and char not in "/\\")
    return name.strip() or "file"


def _context(context: models.Model | None) -> dict:
    if context is None:
        return {}
    return {"context": f"{context._meta.label_lower}:{context.pk}"}


def _refuse(request: HttpRequest, stored: StoredFile, *, missing: bool, found: dict, context):
    audit.record(
        actor=request.user,
        action=AuditAction.DOWNLOAD,
        instance=stored,
        before={"sha256": stored.sha256, "size": stored.size},
        after={**found, **_context(context)},
        message="file missing from storage" if missing else "file integrity check failed",
        outcome=AuditOutcome.FAILURE,
    )
    logger.error(
        "stored file %s (%s) %s",
        stored.pk,
        stored.file.name,
        "is missing" if missing else "does not match its recorded SHA-256",
    )
    if missing:
        message = _(
            "This file is missing from storage, so it cannot be downloaded. Ask the system "
            "administrator to restore it from a backup."
        )
    else:
        message = _(
            "This file was changed or damaged after it was uploaded, so it is not served. "
            "Ask the system administrator to restore it from a backup."
        )
    return render(
        request,
        "core/file_refused.html",
        {"stored": stored, "message": message},
        status=INTEGRITY_STATUS,
    )


@dataclass(frozen=True)
class Checked:
    """A stored file read back: a copy of its bytes when they are still what was
    uploaded (`copy`, at the start, the caller closes it), else why not."""

    copy: BinaryIO | None
    missing: bool = False
    sha256: str = ""
    size: int = 0


def verified_copy(stored: StoredFile) -> Checked:
    """Read `stored` once, hashing it on the way into a spooled copy: the copy only when
    the SHA-256 and size match the record (a changed or lost file is never handed out)."""
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    digest = hashlib.sha256()
    size = 0
    try:
        try:
            source = stored.file.open("rb")
        except (OSError, ValueError):  # not on disk, or no file recorded at all
            copy.close()
            return Checked(None, missing=True)
        with source:
            for chunk in source.chunks():
                digest.update(chunk)
                copy.write(chunk)
                size += len(chunk)
    except BaseException:
        copy.close()
        raise
    found = digest.hexdigest()
    if found != stored.sha256 or size != stored.size:
        copy.close()
        return Checked(None, sha256=found, size=size)
    copy.seek(0)
    return Checked(copy, sha256=found, size=size)


def serve_stored_file(
    request: HttpRequest, stored: StoredFile, *, context: models.Model | None = None
) -> HttpResponse:
    """The file as an attachment, if it is still what was uploaded; `context` (the task,
    the submission) is named in the audit event. The caller has checked access."""
    checked = verified_copy(stored)
    if checked.copy is None:
        found = {} if checked.missing else {"sha256": checked.sha256, "size": checked.size}
        return _refuse(request, stored, missing=checked.missing, found=found, context=context)
    copy = checked.copy
    response = FileResponse(
        copy,
        as_attachment=True,
        filename=download_name(stored),
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    audit.record(
        actor=request.user,
        action=AuditAction.DOWNLOAD,
        instance=stored,
        after={
            "name": stored.name,
            "size": stored.size,
            "sha256": stored.sha256,
            **_context(context),
        },
        message="file downloaded",
    )
    return response
