"""Checking and storing uploads: type by content (not by name), size, SHA-256.

`check_upload()` decides what a file is from its bytes, and refuses it unless its name
says the same thing:

- PDF, JPEG and PNG by their magic bytes; text by the absence of NUL bytes and of any
  other type's magic;
- Office files (.docx, .xlsx) are zip packages: the central directory is checked
  first (entry count, uncompressed size and ratio; a zip bomb is refused without
  inflating anything), then `[Content_Types].xml` must declare the main part of the
  claimed type (word/document.xml, xl/workbook.xml); anything macro-enabled (by name,
  by a `macroEnabled` content type or a vbaProject.bin) is refused; finally every entry
  is read once, in chunks, to check its CRC (a central directory that lies about sizes
  only yields truncated data and a CRC error) and that no XML part declares a DTD
  (entity expansion, "billion laughs"; OOXML never uses one);
- each kind has its own size limit (settings.UPLOAD_MAX_MB_BY_TYPE), never above
  settings.UPLOAD_MAX_BYTES.

`store_upload()` stores a checked file under MEDIA_ROOT by its SHA-256 (the name on
disk never comes from the uploader; MEDIA_URL is served by no URL, see
core.downloads) and records the upload in the audit trail.
"""

import hashlib
import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome, StoredFile

MB = 1_048_576


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str  # key of settings.UPLOAD_MAX_MB_BY_TYPE
    magic: bytes | None = None  # None: plain text
    main_part: str = ""  # OOXML: the package's main part ...
    main_type: str = ""  # ... and the content type [Content_Types].xml must give it

    @property
    def is_ooxml(self) -> bool:
        return bool(self.main_part)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"

ALLOWED_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", "pdf", b"%PDF-"),
    ".jpg": FileType("image/jpeg", "image", b"\xff\xd8\xff"),
    ".jpeg": FileType("image/jpeg", "image", b"\xff\xd8\xff"),
    ".png": FileType("image/png", "image", b"\x89PNG\r\n\x1a\n"),
    ".docx": FileType(DOCX, "docx", ZIP_MAGIC, "word/document.xml", f"{DOCX}.main+xml"),
    ".xlsx": FileType(XLSX, "xlsx", ZIP_MAGIC, "xl/workbook.xml", f"{XLSX}.main+xml"),
    ".txt": FileType("text/plain", "txt"),
}
# Office formats that carry macros: refused by name, whatever they contain.
MACRO_EXTENSIONS = frozenset(
    {".xlsm", ".xltm", ".xlam", ".docm", ".dotm", ".pptm", ".potm", ".ppsm", ".ppam"}
)
# Magic bytes of types a text file must not be (a PDF renamed .txt is a PDF).
_BINARY_MAGIC = tuple({t.magic for t in ALLOWED_TYPES.values() if t.magic})
TEXT_SCAN_BYTES = 64 * 1024
CONTENT_TYPES_PART = "[Content_Types].xml"
CONTENT_TYPES_MAX_BYTES = MB
READ_CHUNK = MB
MAX_RATIO = 100  # uncompressed / compressed, over the whole package
# A DTD (and so any entity) in any encoding an XML parser would accept for OOXML.
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_DTD_OVERLAP = max(len(mark) for mark in _DTD_MARKS) - 1
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_ENCODINGS = {b"utf-8", b"utf8", b"utf-16", b"utf16", b"us-ascii", b"ascii"}


def as_file(source, default_name: str = "upload.xlsx") -> tuple[File, bool]:
    """Bytes, a path, an open file or an upload as a Django File that check_upload can read;
    True when it was opened here (and the caller closes it)."""
    if isinstance(source, File):
        return source, False
    if isinstance(source, bytes | bytearray):
        return SimpleUploadedFile(default_name, bytes(source)), True
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return File(path.open("rb"), name=path.name), True
    return File(source, name=Path(getattr(source, "name", "") or default_name).name), False


# --- errors ----------------------------------------------------------------------------


def _mismatch(name: str) -> ValidationError:
    return ValidationError(
        _("The content of the file does not match its name %(name)s.") % {"name": name},
        code="mismatch",
    )


def _damaged() -> ValidationError:
    return ValidationError(_("The file is damaged or is not an Office document."), code="bad_zip")


def _macros() -> ValidationError:
    return ValidationError(
        _(
            "Files with macros are not accepted. Save the file as a workbook (.xlsx) or "
            "document (.docx) without macros and upload it again."
        ),
        code="macro",
    )


def _megabytes(size: int) -> str:
    return str(size // MB) if size % MB == 0 else str(round(size / MB, 2))


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("The file is %(size)s MB; the limit is %(limit)s MB.")
        % {"size": round(size / MB, 1), "limit": _megabytes(limit)},
        code="too_large",
    )


# --- Office packages ---------------------------------------------------------------------


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name ("xl/workbook.xml") or default extension ("*.xml") -> content type,
    from [Content_Types].xml, read with a size cap and parsed by defusedxml."""
    try:
        info = archive.getinfo(CONTENT_TYPES_PART)
    except KeyError:
        return {}
    if info.file_size > CONTENT_TYPES_MAX_BYTES:
        raise _damaged()
    with archive.open(info) as member:
        data = member.read(CONTENT_TYPES_MAX_BYTES + 1)
    _refuse_dtd(data)
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (SafeElementTree.ParseError, DefusedXmlException, ValueError):
        raise _damaged() from None
    types: dict[str, str] = {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        content_type = element.get("ContentType", "")
        if tag == "Override" and element.get("PartName"):
            types[element.get("PartName", "").lstrip("/")] = content_type
        elif tag == "Default" and element.get("Extension"):
            types["*." + element.get("Extension", "").lower()] = content_type
    return types


def _refuse_dtd(data: bytes) -> None:
    if any(mark in data for mark in _DTD_MARKS):
        raise ValidationError(
            _(
                "The file contains XML declarations (a DTD) that Office documents never "
                "use, so it is not read. Open it in Excel, WPS or Word, save it again and "
                "upload the saved file."
            ),
            code="xml_dtd",
        )


def _is_image(info: zipfile.ZipInfo, types: dict[str, str]) -> bool:
    content_type = types.get(info.filename) or types.get(
        "*" + PurePath(info.filename).suffix.lower()
    )
    return (content_type or "").startswith("image/")


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, xml: bool) -> None:
    """Read one entry through: its CRC and, unless it is an image (an SVG drawn in
    Illustrator declares entities, and images are never parsed here), its XML encoding
    and no DTD anywhere in it."""
    tail = b""
    first = True
    with archive.open(info) as member:
        while chunk := member.read(READ_CHUNK):
            if not xml:
                continue
            if first:
                first = False
                declared = _XML_ENCODING.match(chunk.lstrip(b"\xef\xbb\xbf"))
                if declared and declared.group(1).lower() not in _XML_ENCODINGS:
                    raise _damaged()  # OOXML is UTF-8 or UTF-16; another one could hide a DTD
            _refuse_dtd(tail + chunk)
            tail = chunk[-_DTD_OVERLAP:]


def check_zip_container(
    fileobj,
    *,
    max_uncompressed: int,
    max_ratio: int = MAX_RATIO,
    max_entries: int | None = None,
    file_type: FileType | None = None,
    name: str = "",
) -> None:
    """Refuse a zip (OOXML) file that is not one, would expand enormously, holds macros,
    is not the Office type its name claims, is damaged or declares a DTD."""
    max_entries = settings.UPLOAD_MAX_ZIP_ENTRIES if max_entries is None else max_entries
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            # The central directory only: nothing has been inflated yet.
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise ValidationError(
                    _("The file holds %(count)s parts; at most %(limit)s are allowed.")
                    % {"count": len(infos), "limit": max_entries},
                    code="too_many_entries",
                )
            total = sum(info.file_size for info in infos)
            compressed = sum(info.compress_size for info in infos) or 1
            if total > max_uncompressed or total / compressed > max_ratio:
                raise ValidationError(
                    _("The file expands to more than is allowed; it may be a zip bomb."),
                    code="zip_bomb",
                )
            if any(PurePath(info.filename).name.lower() == "vbaproject.bin" for info in infos):
                raise _macros()
            types: dict[str, str] = {}
            if file_type is not None and file_type.is_ooxml:
                types = _content_types(archive)
                if any("macroenabled" in value.lower() for value in types.values()):
                    raise _macros()
                main_type = types.get(file_type.main_part) or types.get(
                    "*" + PurePath(file_type.main_part).suffix
                )
                if (
                    file_type.main_part not in archive.NameToInfo
                    or main_type != file_type.main_type
                ):
                    raise _mismatch(name)
            for info in infos:
                if not info.is_dir():
                    _check_entry(archive, info, xml=not _is_image(info, types))
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError):
        raise _damaged() from None
    except (NotImplementedError, RuntimeError, ValueError):
        # An unsupported compression method, an encrypted entry, a malformed header.
        raise _damaged() from None
    finally:
        fileobj.seek(0)


# --- checking and storing --------------------------------------------------------------


def _looks_like_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(TEXT_SCAN_BYTES)
    if head.startswith(_BINARY_MAGIC):
        return False
    chunk = head
    while chunk:
        if b"\x00" in chunk:
            return False
        chunk = upload.read(TEXT_SCAN_BYTES)
    return True


def size_limit(file_type: FileType) -> int:
    """Bytes a file of this type may have: its own limit, never above the global one."""
    per_type = settings.UPLOAD_MAX_MB_BY_TYPE.get(file_type.kind)
    limit = settings.UPLOAD_MAX_BYTES
    return limit if per_type is None else min(limit, per_type * MB)


def check_upload(upload: UploadedFile, *, allowed: set[str] | None = None) -> tuple[str, str]:
    """Validate an upload; returns (extension, content type). Raises ValidationError."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise _too_large(upload.size, settings.UPLOAD_MAX_BYTES)
    ext = PurePath(upload.name or "").suffix.lower()
    if ext in MACRO_EXTENSIONS:
        raise _macros()
    permitted = allowed if allowed is not None else set(ALLOWED_TYPES)
    if ext not in permitted or ext not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"ext": ext or "?", "allowed": "、".join(sorted(permitted))},
            code="type",
        )
    file_type = ALLOWED_TYPES[ext]
    limit = size_limit(file_type)
    if upload.size > limit:
        raise _too_large(upload.size, limit)
    try:
        upload.seek(0)
        head = upload.read(16)
        if file_type.magic is not None and not head.startswith(file_type.magic):
            raise _mismatch(upload.name)
        if file_type.magic is None and not _looks_like_text(upload):
            raise ValidationError(_("This is not a text file."), code="mismatch")
        if file_type.is_ooxml:
            check_zip_container(
                upload,
                max_uncompressed=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
                file_type=file_type,
                name=upload.name,
            )
    finally:
        upload.seek(0)
    return ext, file_type.content_type


def _display_name(upload: UploadedFile) -> str:
    # Shown and sent back as given, but never a path and never a control character.
    return "".join(c for c in PurePath(upload.name or "").name if c.isprintable())[:255]


def record_refusal(upload: UploadedFile, *, user, error: ValidationError) -> None:
    """Put a refused upload in the audit trail. store_upload() does it itself; a caller
    that checks several files first (so that one bad file stores none) does it for the
    files check_upload() refused."""
    name = _display_name(upload)
    audit.record(
        actor=user,
        action=AuditAction.UPLOAD,
        object_type=StoredFile._meta.label_lower,
        object_repr=name,
        after={"name": name, "size": upload.size, "refused": error.code},
        message="upload refused",
        outcome=AuditOutcome.FAILURE,
    )


def store_upload(upload: UploadedFile, *, user, allowed: set[str] | None = None) -> StoredFile:
    """Check `upload`, store it by its SHA-256 and record the upload (or its refusal)."""
    name = _display_name(upload)
    try:
        _ext, content_type = check_upload(upload, allowed=allowed)
    except ValidationError as error:
        record_refusal(upload, user=user, error=error)
        raise
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = StoredFile(
        name=name,
        size=upload.size,
        sha256=digest.hexdigest(),
        content_type=content_type,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    stored.file.save(stored.sha256, upload, save=False)
    stored.save()
    audit.record(
        actor=user,
        action=AuditAction.UPLOAD,
        instance=stored,
        after={
            "name": stored.name,
            "size": stored.size,
            "sha256": stored.sha256,
            "content_type": stored.content_type,
        },
        message="file uploaded",
    )
    return stored


def delete_unreferenced(ids: Iterable[int]) -> int:
    """Delete those of the stored files `ids` that no record refers to any more, rows and
    bytes (the bytes once the transaction commits); answers how many. For housekeeping:
    an expired job's export is its file alone, while its upload or a PDF it made may be
    some record's file too, and stays. Every reference counts, the hidden ones included
    (`related_name="+"`, and the tables behind many-to-many fields)."""
    candidates = set(ids)
    for relation in StoredFile._meta.get_fields(include_hidden=True):
        if not candidates:
            return 0
        if not (relation.auto_created and relation.is_relation and not relation.concrete):
            continue
        if relation.many_to_many:
            continue  # counted through its table's foreign key, a relation of its own
        field = relation.field
        referenced = relation.related_model._base_manager.filter(
            **{f"{field.name}__in": candidates}
        ).values_list(field.attname, flat=True)
        candidates -= set(referenced)
    doomed = list(StoredFile.objects.filter(pk__in=candidates))
    names = [stored.file.name for stored in doomed]
    StoredFile.objects.filter(pk__in=[stored.pk for stored in doomed]).delete()
    storage = StoredFile._meta.get_field("file").storage

    def delete_bytes():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_bytes)
    return len(doomed)
