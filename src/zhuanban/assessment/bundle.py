"""The evidence bundle (考核资料): one .zip for one unit assessed, for the assessors.

    <scheme>-<unit>/
        01 一、(一)重点任务按期办结/      one folder per leaf item with evidence, numbered
            总结.pdf                       like the scheme, in the scheme's order
            总结(2).pdf                    (a clash of names gets (2), (3) …)
        02 一、(二)调度数据按时报送/
            …
        索引.xlsx                          the index: every item, its requirement, its files
                                           (path in the zip, SHA-256, size, uploader, time,
                                           source), its final score; items lacking evidence

Every file is read from storage once, into a temporary copy, hashed on the way: it goes
into the bundle only if its SHA-256 and size are those recorded at upload (the bytes
written are the bytes checked). A file changed on disk or missing is left out and
marked in the index; the caller tells the user and records it in the audit trail.

A small bundle (`measure`, `Size.in_background`) is written inside the request; a larger
one by a background job (`export_jobs`), the same function counting the files it packs.

Names are made safe for every file system (no / \\ : * ? " < > |, no control
characters, no trailing dots, no reserved Windows names, bounded length); zipfile
marks non-ASCII names as UTF-8. Three queries, whatever the number of items or files.
"""

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhuanban.assessment.exports import ScoreSheet, full_number
from zhuanban.assessment.models import Evidence, Item, Participant, Score
from zhuanban.core.downloads import verified_copy
from zhuanban.core.excel import Column
from zhuanban.core.ledger import as_of_text, new_workbook, subtitle_text
from zhuanban.core.models import StoredFile

FOLDER_MAX_CHARS = 60
# A bundle is packed while its user waits only when it is small: every file is read from
# storage, hashed and compressed inside the request. Up to 10 files and 20 MB that takes
# about a second on a local disk (a few on network storage), well within the web worker's
# timeout, and holds a web process for no longer than a page does. Beyond either, a
# background job packs it with a progress bar counting the files, and the user may leave.
SYNC_FILES = 10
SYNC_BYTES = 20 * 1_048_576
FILE_MAX_CHARS = 100
COMPRESSED_TYPES = ("image/", "application/vnd.openxmlformats", "application/zip")
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)


class Check:
    """What became of one line of the index."""

    INCLUDED = "included"
    CHANGED = "changed"  # the stored bytes do not match the recorded SHA-256 or size
    MISSING_FILE = "missing_file"  # not in storage at all
    NO_EVIDENCE = "no_evidence"  # the item asks for evidence and has none
    NOT_REQUIRED = "not_required"  # the item asks for none and has none


def check_label(check: str) -> str:
    return {
        Check.INCLUDED: _("Verified"),
        Check.CHANGED: _("Checksum failed: not included"),
        Check.MISSING_FILE: _("Missing from storage: not included"),
        Check.NO_EVIDENCE: _("Evidence missing"),
        Check.NOT_REQUIRED: _("No evidence required"),
    }[check]


@dataclass
class Line:
    """One line of the index: an item and one of its files, or an item without any."""

    item: Item
    score: Score | None
    check: str
    evidence: Evidence | None = None
    path: str = ""  # inside the zip, when included
    found_sha256: str = ""  # what the stored bytes hash to, when read


@dataclass
class Bundle:
    """What was written: the index's lines, and the zip's own size and SHA-256."""

    participant: Participant
    lines: list[Line] = field(default_factory=list)
    size: int = 0
    sha256: str = ""

    @property
    def included(self) -> list[Line]:
        return [line for line in self.lines if line.check == Check.INCLUDED]

    @property
    def failed(self) -> list[Line]:
        return [line for line in self.lines if line.check in (Check.CHANGED, Check.MISSING_FILE)]

    @property
    def lacking(self) -> list[Line]:
        return [line for line in self.lines if line.check == Check.NO_EVIDENCE]


# --- names --------------------------------------------------------------------------------------


def safe_name(text: str, limit: int, default: str = "_") -> str:
    """A file or folder name any file system takes: forbidden characters dropped, white
    space folded, no leading or trailing dots and spaces, not a reserved Windows name,
    at most `limit` characters."""
    text = _SPACES.sub(" ", _NOT_IN_NAMES.sub("", text.replace("\n", " "))).strip(" .")
    text = text[:limit].rstrip(" .")
    if not text:
        return default
    if _RESERVED.match(text):
        text = f"_{text}"[:limit]
    return text


def safe_file_name(name: str, limit: int = FILE_MAX_CHARS) -> str:
    """The original name made safe, its extension kept when the name must be cut."""
    name = safe_name(name, 10_000, default="file")
    suffix = PurePosixPath(name).suffix
    if len(suffix) > 10 or suffix == name:
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    return safe_name(stem, limit - len(suffix), default="file") + suffix


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or name(2), name(3) … before the extension, whichever is not yet taken in
    the folder (compared without case: Windows and macOS ignore it)."""
    suffix = PurePosixPath(name).suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}({n}){suffix}"
    taken.add(candidate.casefold())
    return candidate


def folder_name(position: int, width: int, item: Item) -> str:
    """01 一、(一)重点任务按期办结: the order prefix sorts folders in the scheme's order."""
    title = item.title.strip().splitlines()[0] if item.title.strip() else ""
    return safe_name(f"{position:0{width}d} {full_number(item)}{title}", FOLDER_MAX_CHARS)


def top_folder(participant: Participant) -> str:
    return safe_name(f"{participant.scheme.title}-{participant.unit.name}", FOLDER_MAX_CHARS)


def bundle_file_name(participant: Participant) -> str:
    """The download's name: 考核资料-<scheme>-<unit>.zip."""
    return _("Evidence bundle-%(scheme)s-%(unit)s.zip") % {
        "scheme": safe_name(participant.scheme.title, FOLDER_MAX_CHARS),
        "unit": safe_name(participant.unit.name, FOLDER_MAX_CHARS),
    }


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """How many files a bundle will hold and their recorded size, before it is written."""

    files: int
    size: int

    @property
    def in_background(self) -> bool:
        return self.files > SYNC_FILES or self.size > SYNC_BYTES


def measure(participant: Participant) -> Size:
    """The unit's evidence files and their total size (one query)."""
    found = participant.evidence.aggregate(files=Count("pk"), size=Sum("file__size"))
    return Size(files=found["files"], size=found["size"] or 0)


def _leaves_scores_evidence(participant: Participant):
    """The scheme's leaf items in order, the unit's scores and its evidence by item, with
    the uploader and the linked task (three queries)."""
    leaves = list(participant.scheme.items.filter(is_heading=False).order_by("sort_path"))
    scores = {score.item_id: score for score in participant.scores.all()}
    evidence: dict[int, list[Evidence]] = {}
    for piece in participant.evidence.select_related(
        "file__uploaded_by", "added_by", "from_task__task_list"
    ).order_by("item__sort_path", "added_at", "pk"):
        evidence.setdefault(piece.item_id, []).append(piece)
    return leaves, scores, evidence


def _checked_copy(stored: StoredFile) -> tuple[str, str, BinaryIO | None]:
    """(check, SHA-256 found, a copy of the bytes read when they are what was uploaded)."""
    checked = verified_copy(stored)
    if checked.missing:
        return Check.MISSING_FILE, "", None
    if checked.copy is None:
        return Check.CHANGED, checked.sha256, None
    return Check.INCLUDED, checked.sha256, checked.copy


def _zip_time(moment: datetime.datetime | None) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment) if moment else timezone.localtime()
    return max(local, local.replace(year=1980, month=1, day=1)).timetuple()[:6]


def _add_file(archive: zipfile.ZipFile, path: str, stored: StoredFile, source: BinaryIO) -> None:
    info = zipfile.ZipInfo(path, date_time=_zip_time(stored.uploaded_at))
    compressed = stored.content_type.startswith(COMPRESSED_TYPES)
    info.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with archive.open(info, "w", force_zip64=stored.size > zipfile.ZIP64_LIMIT // 2) as target:
        while chunk := source.read(1_048_576):
            target.write(chunk)


# --- the index -----------------------------------------------------------------------------------


def index_name() -> str:
    return _("Index.xlsx")


def _index_columns() -> list[Column]:
    return [
        Column(_("No."), 10),
        Column(pgettext("assessment export", "Assessment content"), 26),
        Column(pgettext("assessment export", "Evidence required"), 22),
        Column(pgettext("assessment export", "File (path in the bundle)"), 34),
        Column(_("SHA-256"), 34),
        Column(pgettext("assessment export", "Size (bytes)"), 11),
        Column(pgettext("assessment export", "Uploaded by"), 10),
        Column(pgettext("assessment export", "Uploaded at"), 16),
        Column(pgettext("assessment export", "Source"), 18),
        Column(pgettext("assessment export", "Final score"), 8),
        Column(pgettext("assessment export", "Check"), 14),
    ]


def source_text(evidence: Evidence) -> str:
    task = evidence.from_task
    if task is None:
        return pgettext("evidence source", "Uploaded")
    return _("Linked from task %(number)s of %(list)s") % {
        "number": task.full_number(),
        "list": task.task_list.title,
    }


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def index_summary_text(*, files: int, failed: int, lacking: int) -> str:
    """4 files included; 1 file failed the check and was left out; 1 item lacks evidence."""
    parts = [
        ngettext("%(count)d file included", "%(count)d files included", files) % {"count": files}
    ]
    if failed:
        parts.append(
            ngettext(
                "%(count)d file failed the check and was left out",
                "%(count)d files failed the check and were left out",
                failed,
            )
            % {"count": failed}
        )
    if lacking:
        parts.append(
            ngettext("%(count)d item lacks evidence", "%(count)d items lack evidence", lacking)
            % {"count": lacking}
        )
    return pgettext("list separator", "; ").join(parts)


def index_summary(bundle: Bundle) -> str:
    return index_summary_text(
        files=len(bundle.included), failed=len(bundle.failed), lacking=len(bundle.lacking)
    )


def index_title(participant: Participant) -> str:
    return _("%(unit)s %(scheme)s: index of evidence") % {
        "unit": participant.unit.name,
        "scheme": participant.scheme.title,
    }


def write_index_xlsx(bundle: Bundle, out: BinaryIO, *, today: datetime.date) -> None:
    participant = bundle.participant
    title = index_title(participant)
    wb = new_workbook(title)
    sheet = ScoreSheet(wb, name=pgettext("sheet name", "Index"), columns=_index_columns())
    sheet.head(
        title,
        subtitle_text(
            as_of_text(today), str(participant.scheme.get_status_display()), index_summary(bundle)
        ),
    )
    size = 0
    for line in bundle.lines:
        item, piece = line.item, line.evidence
        stored = piece.file if piece else None
        if line.check == Check.INCLUDED:
            size += stored.size
        sheet.append(
            [
                ("center", full_number(item)),
                ("text", item.title),
                ("text", item.evidence_required),
                ("text", line.path or (stored.name if stored else "")),
                ("text", stored.sha256 if stored else ""),
                ("number", stored.size if stored else None),
                ("center", _person(stored.uploaded_by or piece.added_by) if stored else ""),
                (
                    "datetime",
                    timezone.localtime(stored.uploaded_at).replace(tzinfo=None) if stored else None,
                ),
                ("text", source_text(piece) if piece else ""),
                ("score", line.score.final if line.score else None),
                ("center", check_label(line.check)),
            ]
        )
    participant_total = participant.total
    sheet.append(
        [
            ("total_label", _("Total")),
            ("total_label", index_summary(bundle)),
            ("total_label", ""),
            ("total_label", ""),
            ("total_label", ""),
            ("total", size),
            ("total_label", ""),
            ("total_label", ""),
            ("total_label", ""),
            ("score_total", participant_total),
            ("total_label", ""),
        ]
    )
    sheet.finish()
    wb.save(out)


# --- the bundle ----------------------------------------------------------------------------------


def _lines(participant: Participant) -> Iterator[tuple[Line, str]]:
    """The index's lines in the scheme's order, each with the folder its files go to."""
    leaves, scores, evidence = _leaves_scores_evidence(participant)
    width = max(2, len(str(len(leaves))))
    top = top_folder(participant)
    for position, item in enumerate(leaves, start=1):
        folder = f"{top}/{folder_name(position, width, item)}"
        score = scores.get(item.pk)
        pieces = evidence.get(item.pk, [])
        if not pieces:
            check = Check.NO_EVIDENCE if item.evidence_required.strip() else Check.NOT_REQUIRED
            yield Line(item=item, score=score, check=check), folder
        for piece in pieces:
            yield Line(item=item, score=score, check=Check.INCLUDED, evidence=piece), folder


def _pack(archive: zipfile.ZipFile, line: Line, folder: str, taken: set[str]) -> None:
    """Check one file and put it in the archive when it is what was uploaded."""
    stored = line.evidence.file
    line.check, line.found_sha256, copy = _checked_copy(stored)
    if copy is None:
        return
    with copy:
        line.path = f"{folder}/{unique_name(safe_file_name(stored.name), taken)}"
        _add_file(archive, line.path, stored, copy)


def write_bundle(
    participant: Participant, out: BinaryIO, *, today: datetime.date, progress=None
) -> Bundle:
    """Write the unit's evidence bundle to `out` (seekable) and say what went in.
    `progress` (a job's `ops.services.Progress`) counts the files as they are packed."""
    bundle = Bundle(participant=participant)
    lines = list(_lines(participant))
    if progress is not None:
        files = sum(1 for line, _folder in lines if line.evidence is not None)
        progress.start(files, pgettext("evidence bundle", "Checking and packing the files"))
    taken: dict[str, set[str]] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for line, folder in lines:
            bundle.lines.append(line)
            if line.evidence is None:
                continue
            _pack(archive, line, folder, taken.setdefault(folder, set()))
            if progress is not None:
                progress.advance()
        if progress is not None:
            progress.stage(pgettext("evidence bundle", "Writing the index"))
        index = io.BytesIO()
        write_index_xlsx(bundle, index, today=today)
        info = zipfile.ZipInfo(f"{top_folder(participant)}/{index_name()}", _zip_time(None))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, index.getvalue())
    out.seek(0)
    digest = hashlib.sha256()
    while chunk := out.read(1_048_576):
        digest.update(chunk)
        bundle.size += len(chunk)
    out.seek(0)
    bundle.sha256 = digest.hexdigest()
    return bundle


def failures_text(bundle: Bundle) -> str:
    """What the user is told when files were left out of the bundle."""
    names = "、".join(
        f"{full_number(line.item)} {line.evidence.file.name}" for line in bundle.failed
    )
    return ngettext(
        "%(count)d file was changed or lost after it was uploaded and was left out of the "
        "bundle (marked in the index): %(names)s. Ask the system administrator to restore "
        "it from a backup.",
        "%(count)d files were changed or lost after they were uploaded and were left out of "
        "the bundle (marked in the index): %(names)s. Ask the system administrator to "
        "restore them from a backup.",
        len(bundle.failed),
    ) % {"count": len(bundle.failed), "names": names}
