"""Checking and storing uploads: size, type by content (not by name), SHA-256."""

import hashlib
import os
import zipfile
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

from zhuanban.core.models import StoredFile

# extension -> (content type, magic prefix or None for plain text, is an OOXML zip)
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-", False),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff", False),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff", False),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n", False),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        True,
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        True,
    ),
    ".txt": ("text/plain", None, False),
}


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


def check_zip_container(fileobj, *, max_uncompressed: int, max_ratio: int = 100) -> None:
    """Refuse a zip (OOXML) file that is not one, or that would expand enormously."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise ValidationError(
            _("The file is damaged or is not an Office document."), code="bad_zip"
        ) from None
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > max_uncompressed or total / compressed > max_ratio:
        raise ValidationError(
            _("The file expands to more than is allowed; it may be a zip bomb."), code="zip_bomb"
        )
    fileobj.seek(0)


def check_upload(upload: UploadedFile, *, allowed: set[str] | None = None) -> tuple[str, str]:
    """Validate an upload; returns (extension, content type). Raises ValidationError."""
    max_bytes = settings.UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": max_bytes // 1_048_576},
            code="too_large",
        )
    ext = PurePath(upload.name or "").suffix.lower()
    permitted = allowed if allowed is not None else set(ALLOWED_TYPES)
    if ext not in permitted or ext not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"ext": ext or "?", "allowed": "、".join(sorted(permitted))},
            code="type",
        )
    content_type, magic, is_zip = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise ValidationError(
            _("The content of the file does not match its name %(name)s.") % {"name": upload.name},
            code="mismatch",
        )
    if magic is None and b"\x00" in head:
        raise ValidationError(_("This is not a text file."), code="mismatch")
    if is_zip:
        check_zip_container(upload, max_uncompressed=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)
    return ext, content_type


def store_upload(upload: UploadedFile, *, user, allowed: set[str] | None = None) -> StoredFile:
    _ext, content_type = check_upload(upload, allowed=allowed)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = StoredFile(
        name=PurePath(upload.name).name[:255],
        size=upload.size,
        sha256=digest.hexdigest(),
        content_type=content_type,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    stored.file.save(stored.sha256, upload, save=False)
    stored.save()
    return stored
