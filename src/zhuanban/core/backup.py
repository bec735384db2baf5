"""Backup and restore: one archive with every record, every uploaded file and a manifest
of their SHA-256 digests. A restore checks every byte against the manifest, and the
database's migrations against the archive's, before it changes anything.

The archive is a gzip-compressed tar file:

    data/db.jsonl   every record, one JSON object a line (Django's serialization, so the
                    same archive restores into SQLite or PostgreSQL)
    media/<path>    every file under MEDIA_ROOT (uploads are stored by their SHA-256)
    manifest.json   written last: when and from what it was made, the migrations applied,
                    the records per model, and the SHA-256 and size of every other member

Records keep their primary keys. The audit trail's hashes cover the ids it names (the
actor's, the record's, and every foreign key in a before/after snapshot), so a restore
that renumbered users would break the chain; only content types and permissions, whose
ids differ from one database to another, are referred to by natural keys and are not
themselves part of the archive (every database makes its own when it is migrated).

For a large installation on PostgreSQL a `pg_dump` (or continuous archiving) is the
complement to this: faster for big databases, but tied to PostgreSQL and blind to the
uploaded files and to the application's own checks.
"""

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from io import BytesIO
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome

FORMAT = "zhuanban-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data/db.jsonl"
MEDIA = "media/"
CHUNK = 2000
# Made afresh by every migrated database, with ids of their own: not archived, and
# referred to by natural keys. Sessions are not worth keeping: a restore logs everyone out.
NOT_ARCHIVED = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})
NATURAL_KEYS = frozenset({"contenttypes.contenttype", "auth.permission"})


class BackupError(Exception):
    """A backup could not be made, or an archive cannot (or must not) be restored."""


@dataclass
class Backup:
    path: Path
    sha256: str
    size: int
    manifest: dict
    manifest_sha256: str


@dataclass
class Archive:
    """An archive read into a working directory, every member checked."""

    path: Path
    workdir: Path
    manifest: dict
    manifest_sha256: str

    @property
    def data_path(self) -> Path:
        return self.workdir / DATA

    def media_members(self) -> list[str]:
        return sorted(name for name in self.manifest["members"] if name.startswith(MEDIA))


@dataclass
class Restored:
    records: dict[str, int]
    files_written: int
    files_unchanged: int
    event_seq: int
    warnings: list[str] = field(default_factory=list)


# --- what is archived -------------------------------------------------------------------


def archived_models() -> list[type[models.Model]]:
    """Every concrete model of the installed apps, in the apps' order, but those in
    NOT_ARCHIVED. Many-to-many links travel inside the records that hold them."""
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_ARCHIVED
        and model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)
    ]


def _flushed_tables() -> list[str]:
    """The tables a restore empties: every archived model's (with its many-to-many link
    tables) and the sessions."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NATURAL_KEYS or not model._meta.managed or model._meta.proxy:
            continue
        if model._meta.auto_created:
            owner = model._meta.auto_created._meta.label_lower
            if owner in NATURAL_KEYS:
                continue
        tables.append(model._meta.db_table)
    return sorted(set(tables))


class _FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; the audit trail's hashes cover the
    microseconds, so a backup keeps them."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """Django's JSON Lines with natural keys only for content types and permissions."""

    def _natural(self, field) -> bool:
        return field.remote_field.model._meta.label_lower in NATURAL_KEYS

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_m2m_field(obj, field)


def _records(counts: dict[str, int]) -> Iterator[models.Model]:
    """Every archived record in primary-key order, model by model, through the base
    manager (no default filtering), in chunks; many-to-many links prefetched per chunk."""
    for model in archived_models():
        queryset = model._base_manager.order_by(model._meta.pk.name)
        prefetch = []
        for m2m in model._meta.local_many_to_many:
            if not m2m.remote_field.through._meta.auto_created:
                continue  # an explicit through model is archived as a model of its own
            target = m2m.remote_field.model
            if target._meta.label_lower == "auth.permission":
                prefetch.append(
                    Prefetch(m2m.name, queryset=target.objects.select_related("content_type"))
                )
            else:
                prefetch.append(Prefetch(m2m.name, queryset=target._base_manager.only("pk")))
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        label = model._meta.label_lower
        counts[label] = 0
        for obj in queryset.iterator(chunk_size=CHUNK):
            counts[label] += 1
            yield obj


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {label: sorted(names) for label, names in sorted(applied.items())}


def _referenced_files() -> set[str]:
    """The names that file fields of any record point at (StoredFile and any other)."""
    names: set[str] = set()
    for model in archived_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                names.update(
                    model._base_manager.exclude(**{model_field.attname: ""})
                    .exclude(**{f"{model_field.attname}__isnull": True})
                    .values_list(model_field.attname, flat=True)
                )
    return names


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of every table while the application keeps running.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred transaction,
    which in WAL mode reads one snapshot without holding writers back (the settings make
    write transactions IMMEDIATE; a read needs no write lock)."""
    if connection.in_atomic_block:
        yield  # already inside the caller's transaction: read in it
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        mode = connection.transaction_mode
        connection.transaction_mode = None
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode
    else:
        with transaction.atomic():
            yield


# --- writing ----------------------------------------------------------------------------


class _HashingReader:
    """A file read once: tarfile copies it into the archive while we hash it."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.fileobj.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    stat = path.stat()
    with path.open("rb") as source:
        reader = _HashingReader(source)
        tar.addfile(_tarinfo(name, stat.st_size, stat.st_mtime), reader)
    if reader.size != stat.st_size:
        raise BackupError(f"{path} changed while it was being archived.")
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT (symbolic links are not followed)."""
    if not media_root.is_dir():
        return
    for directory, subdirs, filenames in os.walk(media_root):
        subdirs.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(media_root).as_posix(), path


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"zhuanban-{stamp}.tar.gz"


def _app_version() -> str:
    try:
        return metadata.version("zhuanban")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create_backup(output: Path | None = None, *, actor=None, progress=None) -> Backup:
    """Write one archive of the database and MEDIA_ROOT; audited (see below). `progress`
    (an ops.services.Progress, when run as a background job) hears the stages and counts
    the files."""
    output = Path(output) if output else default_output()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(prefix=".zhuanban-backup-", dir=output.parent) as tmp:
            manifest = _write_archive(partial, Path(tmp), progress)
        partial.chmod(0o600)  # password hashes and two-factor secrets are inside
        partial.replace(output)
    except Exception as error:
        partial.unlink(missing_ok=True)
        audit.record(
            actor=actor,
            action=AuditAction.SYSTEM,
            object_type="backup",
            object_repr=output.name,
            message=f"backup failed: {error}"[:255],
            outcome=AuditOutcome.FAILURE,
        )
        raise
    manifest_sha256 = hashlib.sha256(_manifest_bytes(manifest)).hexdigest()
    backup = Backup(
        path=output,
        sha256=_sha256_of(output),
        size=output.stat().st_size,
        manifest=manifest,
        manifest_sha256=manifest_sha256,
    )
    # Recorded after the archive is written, so it can name the archive's digest (an event
    # inside the archive could not). The archive holds the trail up to the moment before.
    audit.record(
        actor=actor,
        action=AuditAction.SYSTEM,
        object_type="backup",
        object_repr=output.name,
        after={
            "archive": output.name,
            "sha256": backup.sha256,
            "size": backup.size,
            "manifest_sha256": manifest_sha256,
            "records": sum(manifest["records"].values()),
            "files": len(manifest["members"]) - 1,
        },
        message=f"backup written to {output.name} (sha256 {backup.sha256})"[:255],
    )
    return backup


def _manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _write_archive(path: Path, tmp: Path, progress=None) -> dict:
    media_root = Path(settings.MEDIA_ROOT)
    if progress is not None:
        progress.start(None, _("Reading the database"))
    counts: dict[str, int] = {}
    data_path = tmp / "db.jsonl"
    with _snapshot():
        created_at = timezone.now()
        migrations = applied_migrations()
        referenced = _referenced_files()
        with data_path.open("w", encoding="utf-8") as stream:
            _Serializer().serialize(_records(counts), stream=stream, cls=_FullPrecisionEncoder)
    members: dict[str, dict] = {}
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        members[DATA] = _add_file(tar, DATA, data_path)
        data_path.unlink()
        present = set()
        files = list(_media_files(media_root))
        if progress is not None:
            progress.start(len(files), _("Archiving the uploaded files"))
        for relative, file_path in files:
            members[MEDIA + relative] = _add_file(tar, MEDIA + relative, file_path)
            present.add(relative)
            if progress is not None:
                progress.advance()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "app_version": _app_version(),
            "django_version": django.get_version(),
            "database_vendor": connection.vendor,
            "migrations": migrations,
            "records": counts,
            "referenced_files": len(referenced),
            # A record that points at a file no longer on disk: restored as it is.
            "missing_files": sorted(referenced - present),
            "members": members,
        }
        content = _manifest_bytes(manifest)
        tar.addfile(_tarinfo(MANIFEST, len(content), created_at.timestamp()), BytesIO(content))
    return manifest


# --- reading and checking ---------------------------------------------------------------


def _check_member_name(name: str) -> None:
    pure = PurePosixPath(name)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or name != pure.as_posix()
        or not (name in (MANIFEST, DATA) or (name.startswith(MEDIA) and len(pure.parts) > 1))
    ):
        raise BackupError(f"The archive holds an unexpected member {name!r}; it is not restored.")


def read_archive(path: Path, workdir: Path) -> Archive:
    """Unpack `path` into `workdir` and check every member against the manifest: the
    same members, each with the size and SHA-256 the manifest gives. Raises BackupError
    naming the first members that differ."""
    path = Path(path)
    found: dict[str, dict] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                _check_member_name(member.name)
                if not member.isfile():
                    raise BackupError(f"The archive member {member.name!r} is not a plain file.")
                if member.name in found:
                    raise BackupError(f"The archive holds {member.name!r} twice.")
                target = workdir / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                reader = _HashingReader(source)
                with target.open("wb") as out:
                    shutil.copyfileobj(reader, out, 1 << 20)
                found[member.name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
    except FileNotFoundError:
        raise BackupError(f"There is no archive at {path}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"The archive {path.name} is damaged or unreadable: {error}") from None
    if MANIFEST not in found:
        raise BackupError(f"The archive {path.name} has no {MANIFEST}; it is not a backup.")
    raw = (workdir / MANIFEST).read_bytes()
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError(f"The {MANIFEST} of {path.name} is not valid JSON.") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path.name} is not a Zhuanban backup of format {FORMAT_VERSION}.")
    expected = manifest.get("members") or {}
    del found[MANIFEST]
    problems = []
    for name in sorted(expected.keys() | found.keys()):
        if name not in found:
            problems.append(f"{name}: listed in the manifest but missing from the archive")
        elif name not in expected:
            problems.append(f"{name}: in the archive but not listed in the manifest")
        elif found[name] != {"sha256": expected[name]["sha256"], "size": expected[name]["size"]}:
            problems.append(
                f"{name}: SHA-256 {found[name]['sha256']} ({found[name]['size']} bytes), "
                f"the manifest says {expected[name]['sha256']} ({expected[name]['size']} bytes)"
            )
    if DATA not in expected:
        problems.append(f"{DATA}: the manifest lists no database")
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise BackupError(
            f"The archive {path.name} is damaged or was altered; nothing was restored. "
            f"{shown}{more}"
        )
    return Archive(
        path=path,
        workdir=workdir,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
    )


def migration_difference(manifest: dict) -> tuple[list[str], list[str]]:
    """(applied when the archive was made but not here, applied here but not then)."""
    then = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    now = {(app, name) for app, names in applied_migrations().items() for name in names}
    return (
        [f"{app}.{name}" for app, name in sorted(then - now)],
        [f"{app}.{name}" for app, name in sorted(now - then)],
    )


def check_migrations(manifest: dict) -> None:
    only_then, only_now = migration_difference(manifest)
    if only_then or only_now:
        parts = []
        if only_then:
            parts.append("applied in the archive but not here: " + ", ".join(only_then))
        if only_now:
            parts.append("applied here but not in the archive: " + ", ".join(only_now))
        raise BackupError(
            "The database's migrations differ from the archive's; migrate it to the same "
            "version first (" + "; ".join(parts) + ")."
        )


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Archive]:
    """A checked archive, unpacked in a temporary directory for the length of the block."""
    with tempfile.TemporaryDirectory(prefix="zhuanban-restore-") as workdir:
        yield read_archive(Path(path), Path(workdir))


# --- restoring --------------------------------------------------------------------------


def _flush() -> None:
    statements = connection.ops.sql_flush(
        no_style(), _flushed_tables(), reset_sequences=True, allow_cascade=False
    )
    connection.ops.execute_sql_flush(statements)


def _restore_files(archive: Archive) -> tuple[int, int]:
    media_root = Path(settings.MEDIA_ROOT).resolve()
    written = unchanged = 0
    for name in archive.media_members():
        relative = name[len(MEDIA) :]
        target = (media_root / relative).resolve()
        if not target.is_relative_to(media_root):
            raise BackupError(f"{name} would be written outside MEDIA_ROOT.")
        expected = archive.manifest["members"][name]["sha256"]
        if target.is_file() and _sha256_of(target) == expected:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".restoring")
        shutil.copyfile(archive.workdir / name, temporary)
        temporary.replace(target)
        written += 1
    return written, unchanged


def restore(archive: Archive, *, actor=None) -> Restored:
    """Replace every archived table's content with the archive's and put its files back
    under MEDIA_ROOT, in one transaction: any failure leaves the database as it was.
    Call it on an archive from `opened()`, with the application stopped."""
    check_migrations(archive.manifest)
    manifest = archive.manifest
    with transaction.atomic():
        _flush()
        # loaddata saves with save_base(raw=True): the audit events' append-only save()
        # is not involved, and on PostgreSQL it resets the id sequences afterwards.
        call_command("loaddata", str(archive.data_path), verbosity=0)
        records = {}
        for label, expected in manifest["records"].items():
            model = apps.get_model(label)
            records[label] = model._base_manager.count()
            if records[label] != expected:
                raise BackupError(
                    f"{label}: {records[label]} records after loading, the manifest says "
                    f"{expected}; nothing was restored."
                )
        ok, broken = audit.verify_chain()
        if not ok:
            raise BackupError(
                f"The archive's audit trail does not verify (event #{broken} is broken); "
                "nothing was restored."
            )
        written, unchanged = _restore_files(archive)
        event = audit.record(
            actor=actor,
            action=AuditAction.SYSTEM,
            object_type="backup",
            object_repr=archive.path.name,
            after={
                "archive": archive.path.name,
                "manifest_sha256": archive.manifest_sha256,
                "created_at": manifest["created_at"],
                "records": sum(records.values()),
                "files_written": written,
            },
            message=(
                f"restored from {archive.path.name[:120]} "
                f"(manifest sha256 {archive.manifest_sha256})"
            ),
        )
    warnings = [
        f"{name} is referenced by a record but was missing when the backup was made"
        for name in manifest.get("missing_files", [])
    ]
    return Restored(
        records=records,
        files_written=written,
        files_unchanged=unchanged,
        event_seq=event.seq,
        warnings=warnings,
    )


def record_refusal(path: Path, reason: str, *, actor=None) -> None:
    """Audit a restore that was refused (a damaged archive, other migrations)."""
    audit.record(
        actor=actor,
        action=AuditAction.SYSTEM,
        object_type="backup",
        object_repr=Path(path).name[:255],
        message=f"restore refused: {reason}"[:255],
        outcome=AuditOutcome.FAILURE,
    )
