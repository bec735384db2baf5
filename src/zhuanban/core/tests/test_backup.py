"""`zhuanban backup` and `zhuanban restore`: a round trip that gives back every record and
every file, and archives that are refused before anything is touched.

Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://…). Transactional, because a
restore flushes tables and the audit trail must verify across it.
"""

import datetime
import gzip
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts.models import AccountSecurity
from zhuanban.core import audit
from zhuanban.core.backup import DATA, MANIFEST, MEDIA, archived_models
from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditEvent, AuditOutcome, StoredFile
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Cadence, DataValue, Submission, SubmissionStatus
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = {
    "columns": [
        {"key": "beef", "label": "肉牛存栏", "type": "decimal", "decimals": 2, "required": True},
        {"key": "farms", "label": "规模养殖场", "type": "integer", "min": 0},
        {"key": "note", "label": "备注", "type": "text"},
    ]
}
PDF = b"%PDF-1.4\n% evidence of the potato seed base\n" + bytes(range(256)) * 40


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "var"
    return settings.MEDIA_ROOT


@pytest.fixture
def business(world, media, client):
    """A little of everything, made through the services: a task list with an assigned
    task and an attachment, a dispatch round with one submitted table, a permission given
    to a user and a group, two-factor and password records, a failed and a good login
    (audit events, django-axes' records and a session)."""
    today = timezone.localdate()
    task_list = task_services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="马铃薯种薯基地任务单",
        year=2023,
        level="city",
    )
    task = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content="建设马铃薯种薯繁育基地",
        lead_unit=world.zhuozi,
        start_date=today - datetime.timedelta(days=30),
        due_date=today + datetime.timedelta(days=60),
        cooperating_units=[world.huade],
        milestones=[("完成选址", today + datetime.timedelta(days=10))],
    )
    task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    stored = store_upload(SimpleUploadedFile("实施方案.pdf", PDF), user=world.office)
    task_services.task_attach(actor=world.office, task=task, files=[stored])

    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    round_ = dispatch_services.round_open(
        actor=world.office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=Period(2023, PeriodKind.MONTH, 6),
        opens_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=5),
        locks_on=today + datetime.timedelta(days=10),
    )
    dispatch_services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=round_.submissions.get(unit=world.zhuozi),
        rows=[{"beef": "12.5", "farms": "3", "note": "卓资县六月数据"}],
        expected_version=None,
    )
    readers = Group.objects.create(name="audit readers")
    readers.permissions.add(Permission.objects.get(codename="view_auditevent"))
    world.auditor.groups.add(readers)
    world.outsider.user_permissions.add(Permission.objects.get(codename="view_storedfile"))
    # The leader's authenticator (its secret must come back, or the leader is locked out),
    # the office's password record, and a failed login (django-axes' records).
    TOTPDevice.objects.create(user=world.leader, name="phone", confirmed=True)
    AccountSecurity.objects.create(user=world.office, password_changed_at=timezone.now())
    client.post("/accounts/login/", {"username": "zhuozi", "password": "wrong"})
    client.force_login(world.office)
    client.get("/")
    return round_


def canonical() -> dict[str, list]:
    """Every archived record as its column values (primary and foreign keys included), and
    every many-to-many link (permissions by their natural key, as their ids are each
    database's own)."""
    out = {}
    for model in archived_models():
        out[model._meta.label_lower] = list(model._base_manager.order_by("pk").values())
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            rows = list(through.objects.values())
            for row in rows:
                del row["id"]
                if m2m.remote_field.model is Permission:
                    permission = Permission.objects.get(pk=row["permission_id"])
                    row["permission_id"] = permission.natural_key()
            out[through._meta.label_lower] = sorted(rows, key=lambda r: sorted(r.items()))
    return out


def files_under(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def repack(path: Path, contents: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def test_backup_then_restore_gives_back_every_record_and_file(business, media, tmp_path):
    before = canonical()
    files_before = files_under(media)
    stored = StoredFile.objects.get()
    assert files_before == {stored.file.name: stored.sha256}
    assert Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 1
    assert DataValue.objects.count() == 3
    events_before = AuditEvent.objects.count()
    before_key = TOTPDevice.objects.get().key

    archive = tmp_path / "nightly.tar.gz"
    output = run("backup", "--output", str(archive))
    assert str(archive) in output
    assert archive.stat().st_mode & 0o077 == 0  # secrets inside: owner only

    # The backup is audited after the archive is written, with the archive's digest.
    backup_event = AuditEvent.objects.order_by("-seq").first()
    assert backup_event.seq == events_before + 1
    assert backup_event.after["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert backup_event.message.startswith("backup written to nightly.tar.gz")

    # The manifest describes the archive.
    contents = members(archive)
    manifest = json.loads(contents[MANIFEST])
    assert set(contents) == {MANIFEST, DATA, MEDIA + stored.file.name}
    for name, entry in manifest["members"].items():
        assert entry == {
            "sha256": hashlib.sha256(contents[name]).hexdigest(),
            "size": len(contents[name]),
        }
    assert manifest["records"]["dispatch.datavalue"] == 3
    assert manifest["records"]["core.auditevent"] == events_before
    assert "sessions.session" not in manifest["records"]
    assert manifest["migrations"]["core"] == sorted(
        MigrationRecorder.Migration.objects.filter(app="core").values_list("name", flat=True)
    )
    assert manifest["database_vendor"] in {"sqlite", "postgresql"}
    assert manifest["missing_files"] == []

    # Destroy: every table emptied, every uploaded file deleted.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    assert not AuditEvent.objects.exists()
    assert not Submission.objects.exists()

    output = run("restore", str(archive), "--confirm")
    assert "The audit trail verifies" in output

    after = canonical()
    assert files_under(media) == files_before
    # The restore is the one event after the archived trail, and the chain verifies.
    restored_events = after.pop("core.auditevent")
    assert restored_events[:-1] == before.pop("core.auditevent")
    restore_event = AuditEvent.objects.order_by("-seq").first()
    assert restore_event.seq == events_before + 1
    assert restore_event.message == (
        f"restored from nightly.tar.gz (manifest sha256 "
        f"{hashlib.sha256(contents[MANIFEST]).hexdigest()})"
    )
    assert restore_event.outcome == AuditOutcome.SUCCESS
    assert audit.verify_chain() == (True, None)
    assert after.pop("core.auditchainhead")[0]["seq"] == restore_event.seq
    before.pop("core.auditchainhead")
    assert after == before
    assert after["otp_totp.totpdevice"][0]["key"] == before_key
    assert after["axes.accessattempt"] or after["axes.accessfailurelog"]

    # The ids carry on after the restored ones (sequences reset on PostgreSQL).
    new = store_upload(SimpleUploadedFile("note.txt", b"after the restore"), user=None)
    assert new.pk > stored.pk
    last = AuditEvent.objects.order_by("-seq").first()
    appended = audit.record(actor=None, action="system", message="after")
    assert (appended.seq, appended.pk) == (last.seq + 1, last.pk + 1)
    assert audit.verify_chain() == (True, None)


def test_without_confirm_restore_only_checks(business, media, tmp_path):
    archive = tmp_path / "check.tar.gz"
    run("backup", "--output", str(archive))
    Submission.objects.all().delete()
    before = canonical()

    output = run("restore", str(archive))

    assert "Nothing was changed" in output
    assert "dispatch.datavalue" in output
    assert canonical() == before


def test_a_tampered_archive_is_refused_before_anything_is_deleted(business, media, tmp_path):
    archive = tmp_path / "tampered.tar.gz"
    run("backup", "--output", str(archive))
    contents = members(archive)
    name = next(n for n in contents if n.startswith(MEDIA))
    changed = bytearray(contents[name])
    changed[100] ^= 0x01  # one byte
    contents[name] = bytes(changed)
    repack(archive, contents)
    before = canonical()
    files_before = files_under(media)
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError, match=name):
        run("restore", str(archive), "--confirm")

    assert files_under(media) == files_before
    after = canonical()
    refusal = AuditEvent.objects.order_by("-seq").first()
    assert refusal.seq == events + 1
    assert refusal.outcome == AuditOutcome.FAILURE
    assert refusal.message.startswith("restore refused")
    for label in ("core.auditevent", "core.auditchainhead"):
        after.pop(label), before.pop(label)
    assert after == before


def test_a_changed_database_dump_or_an_extra_member_is_named(business, media, tmp_path):
    archive = tmp_path / "altered.tar.gz"
    run("backup", "--output", str(archive))
    contents = members(archive)
    contents[DATA] = contents[DATA].replace(b"12.5", b"99.5", 1)
    contents[MEDIA + "files/ab/extra"] = b"slipped in"
    repack(archive, contents)

    with pytest.raises(CommandError) as refused:
        run("restore", str(archive))

    assert f"{DATA}: SHA-256" in str(refused.value)
    assert f"{MEDIA}files/ab/extra: in the archive but not listed" in str(refused.value)
    assert Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 1


def test_a_damaged_file_is_refused(business, media, tmp_path):
    archive = tmp_path / "damaged.tar.gz"
    run("backup", "--output", str(archive))
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    archive.write_bytes(bytes(raw))

    with pytest.raises(CommandError, match="damaged"):
        run("restore", str(archive), "--confirm")

    assert Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 1


def test_a_member_outside_the_archive_layout_is_refused(business, media, tmp_path):
    archive = tmp_path / "escape.tar.gz"
    run("backup", "--output", str(archive))
    contents = members(archive)
    contents["media/../../etc/cron.d/zhuanban"] = b"* * * * * root true"
    repack(archive, contents)

    with pytest.raises(CommandError, match="unexpected member"):
        run("restore", str(archive), "--confirm")


def test_a_database_on_other_migrations_is_refused(business, media, tmp_path):
    archive = tmp_path / "old.tar.gz"
    run("backup", "--output", str(archive))
    MigrationRecorder.Migration.objects.create(app="core", name="9999_from_the_future")
    try:
        with pytest.raises(CommandError, match=r"applied here but not in the archive: core\.9999"):
            run("restore", str(archive), "--confirm")
        assert Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 1
    finally:
        MigrationRecorder.Migration.objects.filter(name="9999_from_the_future").delete()


def test_backup_refuses_to_overwrite_an_archive(business, media, tmp_path):
    archive = tmp_path / "once.tar.gz"
    run("backup", "--output", str(archive))
    first = archive.read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        run("backup", "--output", str(archive))

    assert archive.read_bytes() == first


def test_default_archive_name(business, media):
    output = run("backup")
    written = list((Path(media).parent / "var" / "backups").glob("zhuanban-*.tar.gz"))
    assert len(written) == 1
    assert written[0].name[len("zhuanban-") : -len(".tar.gz")].replace("-", "").isdigit()
    assert str(written[0]) in output
    with gzip.open(written[0]) as raw:
        assert raw.read(1)
