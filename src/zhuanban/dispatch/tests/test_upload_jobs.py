"""A unit's large Excel file, checked and then saved or submitted in the background:
the job's plan by cell, exactly one commit, and nobody but its owner sees or confirms it.
(settings.JOB_SYNC_ROWS is set small, so that small files take the background path.)"""

import io
import uuid

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditAction, AuditEvent, StoredFile
from zhuanban.dispatch import import_jobs, services
from zhuanban.dispatch.models import DataValue, Source, SubmissionStatus
from zhuanban.dispatch.tests.conftest import PROJECTS_SCHEMA, submission_of
from zhuanban.dispatch.upload import rows_to_read
from zhuanban.dispatch.workbook import write_unit_workbook
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.org.models import Profile, RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import person

SYNC_ROWS = 5
# What the downloaded records table holds below its rows: bordered empty rows to fill.
BLANK_RECORD_ROWS = 50


@pytest.fixture(autouse=True)
def small_sync_limit(settings, tmp_path):
    settings.JOB_SYNC_ROWS = SYNC_ROWS
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def zhuozi(world, projects_round):
    return submission_of(projects_round, world.zhuozi)


def project(n: int, **cells) -> dict:
    return {"name": f"马铃薯项目{n}", "signed": 2, "landed": 1} | cells


def unit_file(submission, rows) -> bytes:
    """The unit's own file as downloaded, filled in with `rows` (as typed in Excel)."""
    buffer = io.BytesIO()
    write_unit_workbook(submission, buffer, rows=rows)
    return buffer.getvalue()


def as_upload(data: bytes, name: str = "卓资县项目表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def upload_url(submission) -> str:
    return reverse("dispatch:submission_upload", args=[submission.round_id, submission.unit_id])


def check_job() -> Job:
    return Job.objects.get(kind=import_jobs.CHECK)


def nothing_saved(submission, status=SubmissionStatus.PENDING) -> None:
    submission.refresh_from_db()
    assert submission.status == status
    assert submission.revision == 0
    assert not submission.revisions.exists()
    assert not DataValue.objects.filter(submission=submission).exists()
    assert not AuditEvent.objects.filter(message="submission workbook uploaded").exists()


def checked(client, submission, rows=(), data=None) -> Job:
    """Upload a large file and answer its (finished) check job."""
    data = data if data is not None else unit_file(submission, rows)
    response = client.post(upload_url(submission), {"file": as_upload(data)})
    job = check_job()
    assert response.status_code == 302
    assert response.url == reverse("ops:job", args=[job.pk])
    job.refresh_from_db()
    return job


def held_back(monkeypatch) -> None:
    """Jobs started from now on stay queued, as with no worker running: the test runs
    them by hand (`jobs.execute`), after changing the world."""
    monkeypatch.setattr(jobs, "_enqueue", lambda job: None)


# --- the whole way ----------------------------------------------------------------------


def test_a_large_file_is_checked_in_the_background_then_submitted(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    rows = [project(n) for n in range(1, 13)]

    job = checked(client, zhuozi, rows)

    assert (job.status, job.owner, job.kind) == (
        JobStatus.SUCCEEDED,
        world.zhuozi_liaison,
        import_jobs.CHECK,
    )
    # Every row below the header was read, the bordered empty ones too.
    assert (job.done, job.total) == (12 + BLANK_RECORD_ROWS, 12 + BLANK_RECORD_ROWS)
    assert job.input_file.sha256 == StoredFile.objects.get().sha256
    assert job.input_file.name == "卓资县项目表.xlsx"
    assert job.result_data["valid"] is True
    assert job.result_data["rows"] == 12
    assert job.result_data["lock_version"] == zhuozi.lock_version
    assert job.result_url == f"{upload_url(zhuozi)}?job={job.pk}"
    assert job.result_text == "文件校验通过，共12行。请查看结果后保存草稿或报送。"
    nothing_saved(zhuozi)

    page = client.get(reverse("ops:job", args=[job.pk]))
    html = page.content.decode()
    assert "已处理 62 / 62 行" in html
    assert job.result_url in html

    plan = client.get(job.result_url)
    assert plan.status_code == 200
    html = plan.content.decode()
    assert "马铃薯项目12" in html
    assert f'name="job" value="{job.pk}"' in html
    assert 'name="confirm" value="submit"' in html
    assert 'name="confirm" value="draft"' in html
    assert 'name="token"' not in html
    assert 'name="file"' not in html
    assert 'data-testid="upload-problems"' not in html
    nothing_saved(zhuozi)

    done = client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert done.url == reverse("ops:job", args=[commit.pk])
    assert commit.status == JobStatus.SUCCEEDED
    assert commit.params["check"] == str(job.pk)
    assert commit.input_file == job.input_file
    assert commit.result_url == reverse(
        "dispatch:submission", args=[zhuozi.round_id, zhuozi.unit_id]
    )
    assert commit.result_text == "已根据卓资县项目表.xlsx报送统计表（共12行）。"
    zhuozi.refresh_from_db()
    assert zhuozi.status == SubmissionStatus.SUBMITTED
    assert [row["name"] for row in zhuozi.data] == [f"马铃薯项目{n}" for n in range(1, 13)]
    (revision,) = zhuozi.revisions.all()
    assert revision.source == Source.UPLOAD
    assert revision.created_by == world.zhuozi_liaison
    assert revision.file == job.input_file
    assert DataValue.objects.filter(submission=zhuozi).count() == 12 * 3

    # The audit trail: the file, both jobs, the submission and the upload.
    uploaded = AuditEvent.objects.get(action=AuditAction.UPLOAD, message="file uploaded")
    assert uploaded.after["sha256"] == job.input_file.sha256
    for one in (job, commit):
        assert [
            e.message for e in AuditEvent.objects.filter(object_id=str(one.pk)).order_by("pk")
        ] == [
            "background job queued",
            "background job finished",
        ]
    imported = AuditEvent.objects.get(action=AuditAction.IMPORT, object_id=str(zhuozi.pk))
    assert imported.actor == world.zhuozi_liaison
    assert imported.after == {
        "file": "卓资县项目表.xlsx",
        "sha256": job.input_file.sha256,
        "rows": 12,
        "action": "submit",
        "job": str(commit.pk),
    }
    assert (
        AuditEvent.objects.filter(object_id=str(zhuozi.pk), message="submission submit").count()
        == 1
    )


def test_saving_a_large_file_as_a_draft(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])

    client.post(job.result_url, {"confirm": "draft", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.SUCCEEDED
    assert commit.result_text == "已根据卓资县项目表.xlsx将统计表保存为草稿（共8行）。"
    zhuozi.refresh_from_db()
    assert zhuozi.status == SubmissionStatus.DRAFT
    assert len(zhuozi.data) == 8
    assert not zhuozi.revisions.exists()
    assert not DataValue.objects.exists()


def test_a_small_file_is_still_checked_at_once(world, login, livestock_round):
    client = login(world.zhuozi_liaison)
    livestock = submission_of(livestock_round, world.zhuozi)
    row = {"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": 12}

    response = client.post(upload_url(livestock), {"file": as_upload(unit_file(livestock, [row]))})

    assert response.status_code == 200
    assert response.context["token"]
    assert response.context["plan_job"] is None
    assert not Job.objects.exists()
    assert not StoredFile.objects.exists()


def test_the_check_reports_each_row_it_reads(world, login, zhuozi, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "INTERVAL", 0)  # every advance written
    written = []
    real_write = jobs.Progress._write

    def write(self):
        real_write(self)
        written.append((self.job.stage, self.job.done, self.job.total))

    monkeypatch.setattr(jobs.Progress, "_write", write)

    checked(login(world.zhuozi_liaison), zhuozi, [project(n) for n in range(1, 4)])

    total = 3 + BLANK_RECORD_ROWS
    reading = [done for stage, done, _total in written if stage == "正在读取数据行"]
    assert reading == list(range(total + 1))
    assert {t for _stage, _done, t in written} == {total}
    assert written[-1] == ("正在校验数据行", total, total)


# --- problems --------------------------------------------------------------------------------


def test_the_check_lists_every_problem_by_cell_and_offers_no_confirm(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    rows = [project(n) for n in range(1, 13)]
    rows[1] = project(2, signed="三")  # B5
    rows[6] = project(7, signed=1, landed=4)  # row 10: landed > signed
    rows[8] = project(9, name="")  # A12: required

    job = checked(client, zhuozi, rows)

    assert job.status == JobStatus.SUCCEEDED  # the check worked; the file is wrong
    data = job.result_data
    assert data["valid"] is False
    found = {(p["cell"], p["code"]) for p in data["problems"]}
    assert {("B5", "not_number"), ("A12", "required")} <= found
    assert any(p["cell"].endswith("10") and p["code"].startswith("rule") for p in data["problems"])
    assert data["problem_count"] == len(data["problems"]) == 3
    assert job.result_text == "文件有3个问题，未保存任何内容。请查看结果中按单元格列出的问题。"

    page = client.get(job.result_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="upload-problems"' in html
    assert 'data-code="not_number"' in html
    assert '<td class="num code">B5</td>' in html
    assert 'name="confirm"' not in html
    assert 'name="file"' in html  # upload the corrected file

    # A forged confirmation starts nothing.
    client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    nothing_saved(zhuozi)


def test_a_commit_that_finds_problems_fails_with_them_and_saves_nothing(world, zhuozi):
    """The commit reads the file again: a file with problems is refused, by cell, even
    when whoever started the job says it was checked."""
    rows = [project(n) for n in range(1, 8)]
    rows[2] = project(3, signed=-1)
    stored = store_upload(as_upload(unit_file(zhuozi, rows)), user=world.zhuozi_liaison)
    commit = Job.objects.create(
        kind=import_jobs.COMMIT,
        title="提交",
        owner=world.zhuozi_liaison,
        params={
            "round": zhuozi.round_id,
            "unit": zhuozi.unit_id,
            "check": str(uuid.uuid4()),
            "action": "submit",
            "lock_version": zhuozi.lock_version,
        },
        input_file=stored,
    )

    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED

    commit.refresh_from_db()
    first, problem = commit.error.splitlines()
    assert first == "文件有1个问题，未保存任何内容。请修改文件后重新上传。"
    assert problem.startswith("B6 签约项目数: ")
    nothing_saved(zhuozi)


def test_the_commit_is_refused_when_the_table_changed_after_the_check(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])
    # Meanwhile a colleague saves a draft on screen.
    services.submission_save(
        actor=world.zhuozi_liaison,
        submission=zhuozi,
        rows=[project(99)],
        expected_version=zhuozi.lock_version,
    )

    client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.FAILED
    assert commit.error.startswith("文件校验后统计表已发生变化")
    zhuozi.refresh_from_db()
    assert zhuozi.status == SubmissionStatus.DRAFT
    assert [row["name"] for row in zhuozi.data] == ["马铃薯项目99"]
    assert not zhuozi.revisions.exists()
    assert not DataValue.objects.exists()


def test_the_commit_is_refused_when_the_stored_file_is_not_the_one_checked(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])
    # The bytes on the server change (a restore gone wrong, a hand on the disk): the
    # file would read well, but it is not what its owner checked.
    other = unit_file(zhuozi, [project(n, signed=9) for n in range(1, 30)])
    with open(job.input_file.file.path, "wb") as handle:
        handle.write(other)

    client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.FAILED
    assert commit.error == "服务器上保存的文件与校验时的文件不一致，未保存任何内容。请重新上传。"
    nothing_saved(zhuozi)


# --- exactly once ---------------------------------------------------------------------------


def test_confirming_twice_starts_one_commit(world, login, zhuozi):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])

    first = client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})
    second = client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})

    (commit,) = Job.objects.filter(kind=import_jobs.COMMIT)
    assert first.url == second.url == reverse("ops:job", args=[commit.pk])
    assert zhuozi.revisions.count() == 1
    assert AuditEvent.objects.filter(message="submission workbook uploaded").count() == 1


def test_a_worker_killed_after_the_commit_never_commits_again(world, login, zhuozi, monkeypatch):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])
    held_back(monkeypatch)
    client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.QUEUED

    def killed(self):
        raise SystemExit("the worker is killed after the job's transaction committed")

    with monkeypatch.context() as patch:
        patch.setattr(jobs.Progress, "flush", killed)
        with pytest.raises(SystemExit):
            jobs.execute(commit.pk, "w1")

    commit.refresh_from_db()
    assert commit.status == JobStatus.SUCCEEDED  # marked inside the commit's transaction
    # Whoever picks the job up again (a retry, a second worker) finds it done.
    assert jobs.execute(commit.pk, "w2") is None
    zhuozi.refresh_from_db()
    assert zhuozi.status == SubmissionStatus.SUBMITTED
    assert zhuozi.revisions.count() == 1
    assert DataValue.objects.filter(submission=zhuozi).count() == 8 * 3


# --- who may ------------------------------------------------------------------------------------


@pytest.fixture
def colleague(world):
    """Another liaison of 卓资县: uploads the same table, but did not start the job."""
    return person("zhuozi-2", world.zhuozi, (Role.COUNTY_LIAISON, world.zhuozi), name="李娜")


@pytest.mark.parametrize("persona", ["colleague", "office", "huade_liaison", "leader", "outsider"])
def test_nobody_else_sees_or_confirms_the_plan(world, login, zhuozi, colleague, persona):
    job = checked(login(world.zhuozi_liaison), zhuozi, [project(n) for n in range(1, 9)])
    world.colleague = colleague
    client = login(getattr(world, persona))

    assert client.get(job.result_url).status_code == 404
    assert client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)}).status_code == 404
    assert client.get(reverse("ops:job", args=[job.pk])).status_code == 404
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    nothing_saved(zhuozi)


def test_a_plan_is_shown_only_on_its_own_tables_page(world, login, zhuozi, livestock_round):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])
    livestock = submission_of(livestock_round, world.zhuozi)

    assert client.get(f"{upload_url(livestock)}?job={job.pk}").status_code == 404
    assert (
        client.post(upload_url(livestock), {"confirm": "submit", "job": str(job.pk)}).status_code
        == 404
    )
    assert client.get(f"{upload_url(zhuozi)}?job=not-a-job").status_code == 404
    assert client.get(f"{upload_url(zhuozi)}?job={uuid.uuid4()}").status_code == 404
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()


def test_a_plan_not_ready_yet_sends_its_owner_to_the_job(world, login, zhuozi, monkeypatch):
    client = login(world.zhuozi_liaison)
    held_back(monkeypatch)
    client.post(
        upload_url(zhuozi),
        {"file": as_upload(unit_file(zhuozi, [project(n) for n in range(1, 9)]))},
    )
    job = check_job()
    assert job.status == JobStatus.QUEUED

    page = client.get(f"{upload_url(zhuozi)}?job={job.pk}")
    confirm = client.post(upload_url(zhuozi), {"confirm": "submit", "job": str(job.pk)})

    assert page.url == reverse("ops:job", args=[job.pk])
    assert confirm.status_code == 302
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()


def lose_access(world, user) -> None:
    """The liaison moves to 化德县: 卓资县's tables are no longer theirs."""
    Profile.objects.filter(user=user).update(unit=world.huade)
    RoleAssignment.objects.filter(user=user).delete()


def test_an_owner_who_lost_access_before_the_commit_ran_gets_nothing_saved(
    world, login, zhuozi, monkeypatch
):
    client = login(world.zhuozi_liaison)
    job = checked(client, zhuozi, [project(n) for n in range(1, 9)])
    held_back(monkeypatch)
    client.post(job.result_url, {"confirm": "submit", "job": str(job.pk)})
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    lose_access(world, world.zhuozi_liaison)

    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED

    commit.refresh_from_db()
    assert commit.error == "您已无权上传该单位的统计表，未保存任何内容。"
    nothing_saved(zhuozi)


def test_an_owner_who_lost_access_before_the_check_ran_gets_no_plan(
    world, login, zhuozi, monkeypatch
):
    client = login(world.zhuozi_liaison)
    held_back(monkeypatch)
    client.post(
        upload_url(zhuozi),
        {"file": as_upload(unit_file(zhuozi, [project(n) for n in range(1, 9)]))},
    )
    job = check_job()
    lose_access(world, world.zhuozi_liaison)

    assert jobs.execute(job.pk, "w1") == JobStatus.FAILED

    job.refresh_from_db()
    assert job.result_data is None
    assert job.error == "您已无权上传该单位的统计表，未保存任何内容。"


# --- costs ------------------------------------------------------------------------------------


def test_the_jobs_and_the_plan_cost_the_same_whatever_the_rows(world, login, zhuozi, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "INTERVAL", 3600)  # progress at each stage only
    client = login(world.zhuozi_liaison)

    def costs(n: int) -> tuple[int, int, int]:
        Job.objects.all().delete()
        zhuozi.refresh_from_db()
        services.submission_save(
            actor=world.zhuozi_liaison,
            submission=zhuozi,
            rows=[],
            expected_version=zhuozi.lock_version,
        )
        with monkeypatch.context() as patch:
            held_back(patch)
            client.post(
                upload_url(zhuozi),
                {"file": as_upload(unit_file(zhuozi, [project(i) for i in range(n)]))},
            )
            job = check_job()
            with CaptureQueriesContext(connection) as check:
                jobs.execute(job.pk, "w1")
            with CaptureQueriesContext(connection) as page:
                client.get(f"{upload_url(zhuozi)}?job={job.pk}")
            client.post(upload_url(zhuozi), {"confirm": "draft", "job": str(job.pk)})
            commit = Job.objects.get(kind=import_jobs.COMMIT)
            with CaptureQueriesContext(connection) as saving:
                assert jobs.execute(commit.pk, "w1") == JobStatus.SUCCEEDED
        return len(check), len(page), len(saving)

    assert costs(6) == costs(40)


# --- the count that decides ------------------------------------------------------------------


def test_a_file_of_unknown_size_is_checked_in_the_background(world, login, zhuozi):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c["label"] for c in PROJECTS_SCHEMA["columns"]])
    sheet.append(["马铃薯项目1", 2, 1])
    out = io.BytesIO()
    book.save(out)

    checked(login(world.zhuozi_liaison), zhuozi, data=out.getvalue())

    job = check_job()
    assert job.result_data["valid"] is True
    assert job.result_data["rows"] == 1
    assert job.total is None  # no size to show a bar against


def test_rows_to_read_without_reading_them(world, zhuozi, huade_projects):
    assert (
        rows_to_read(unit_file(zhuozi, [project(n) for n in range(3)]), zhuozi)
        == 3 + BLANK_RECORD_ROWS
    )
    # Refused at once, before any row: another unit's file, not a workbook, no header.
    assert rows_to_read(unit_file(huade_projects, [project(1)]), zhuozi) == 0
    assert rows_to_read(b"not a workbook", zhuozi) == 0
    book = openpyxl.Workbook()
    book.active.append(["无关的标题"])
    out = io.BytesIO()
    book.save(out)
    assert rows_to_read(out.getvalue(), zhuozi) == 0
    # A sheet that does not declare its size (some tools write none) cannot be counted
    # without reading it: it goes to the background.
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c["label"] for c in PROJECTS_SCHEMA["columns"]])
    sheet.append(["马铃薯项目1", 2])
    out = io.BytesIO()
    book.save(out)
    assert rows_to_read(out.getvalue(), zhuozi) is None


@pytest.fixture
def huade_projects(world, projects_round):
    return submission_of(projects_round, world.huade)
