"""Large task-list files in the background: the check job and its plan on the import page,
the commit job, who may see and confirm them, and the importer's progress and queries.
(JOB_SYNC_ROWS is set to 5 so that the small ledger of test_import.py counts as large.)"""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core import audit
from zhuanban.core.models import AuditEvent, StoredFile
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.org.models import RoleAssignment
from zhuanban.tasks import import_jobs, importer, services
from zhuanban.tasks.models import Milestone, Task, TaskEvent
from zhuanban.tasks.tests.test_import import (
    LEDGER_MERGES,
    broken_rows,
    ledger_rows,
    upload,
    workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, tmp_path):
    """Every file of more than five rows is checked in the background."""
    settings.JOB_SYNC_ROWS = 5
    settings.MEDIA_ROOT = tmp_path


def ledger_file() -> bytes:
    return workbook(ledger_rows(), merges=LEDGER_MERGES)


def import_url(task_list) -> str:
    return reverse("tasks:import", args=[task_list.pk])


def check_upload(client, task_list, data: bytes) -> Job:
    """Upload a large file: the answer leads to the check job's page."""
    response = client.post(import_url(task_list), {"file": upload(data)})
    assert response.status_code == 302
    job = Job.objects.get(kind=import_jobs.CHECK)
    assert response.url == reverse("ops:job", args=[job.pk])
    return job


def confirm(client, task_list, job):
    return client.post(import_url(task_list), {"confirm": "1", "job": str(job.pk)})


# --- the flow ------------------------------------------------------------------------------


def test_a_large_file_is_checked_then_imported_once(world, task_list, login, large):
    client = login(world.office)
    check = check_upload(client, task_list, ledger_file())
    check.refresh_from_db()
    assert check.status == JobStatus.SUCCEEDED
    assert check.owner == world.office
    assert check.params == {"list": task_list.pk}
    assert check.input_file.name == "重点任务单.xlsx"
    assert (check.done, check.total) == (7, 7)  # the rows below the header
    assert check.result_url == f"{import_url(task_list)}?job={check.pk}"
    data = check.result_data
    assert data["valid"] is True
    assert data["counts"] == {"tasks": 9, "milestones": 16, "errors": 0, "warnings": 1}
    assert [p["cell"] for p in data["problems"]] == ["A10"]  # the note below the table
    assert not Task.objects.filter(task_list=task_list).exists()

    # The job's page leads to the plan; the plan offers to confirm it.
    job_page = client.get(reverse("ops:job", args=[check.pk])).content.decode()
    assert check.result_url in job_page
    page = client.get(check.result_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "建设脱毒种薯繁育基地5万亩" in html  # the preview of the tasks
    assert f'name="job" value="{check.pk}"' in html
    assert 'name="confirm"' in html
    assert 'type="file"' not in html  # no second upload beside a valid plan

    done = confirm(client, task_list, check)
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert done.url == reverse("ops:job", args=[commit.pk])
    assert commit.params == {"list": task_list.pk, "check": str(check.pk)}
    assert commit.input_file_id == check.input_file_id
    assert commit.status == JobStatus.SUCCEEDED
    assert commit.result_url == reverse("tasks:list", args=[task_list.pk])
    assert commit.result_text == "已导入9项任务。"  # waits for its translation
    assert Task.objects.filter(task_list=task_list).count() == 9
    assert Milestone.objects.filter(task__task_list=task_list).count() == 16
    tasks = list(Task.objects.filter(task_list=task_list).order_by("sort_path"))
    assert [t.number() for t in tasks if t.depth == 0] == ["一、", "二、", "三、"]

    # Confirming again (the back button, a second tab) imports nothing more.
    again = confirm(client, task_list, check)
    assert again.url == reverse("ops:job", args=[commit.pk])
    assert Job.objects.filter(kind=import_jobs.COMMIT).count() == 1
    assert Task.objects.filter(task_list=task_list).count() == 9
    html = client.get(check.result_url).content.decode()
    assert 'name="confirm"' not in html
    assert reverse("ops:job", args=[commit.pk]) in html


def test_a_small_file_is_still_checked_at_once(world, task_list, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.office)
    response = client.post(import_url(task_list), {"file": upload(ledger_file())})
    assert response.status_code == 200
    assert response.context["plan"].is_valid
    assert not Job.objects.exists()
    assert not StoredFile.objects.exists()


def test_errors_are_shown_by_cell_and_there_is_nothing_to_confirm(world, task_list, login, large):
    client = login(world.office)
    check = check_upload(client, task_list, workbook(broken_rows(), merges=LEDGER_MERGES))
    check.refresh_from_db()
    # The check worked; the file is bad.
    assert check.status == JobStatus.SUCCEEDED
    data = check.result_data
    assert data["valid"] is False
    assert data["counts"]["errors"] == 3
    errors = {p["cell"]: p for p in data["problems"] if p["level"] == importer.ERROR}
    assert set(errors) == {"D4", "G5", "E8"}
    assert errors["D4"]["header"] == "牵头单位"
    assert "四子王旗" in errors["D4"]["message"]

    html = client.get(check.result_url).content.decode()
    assert "四子王旗" in html
    assert "尽快" in html
    assert "品牌办" in html
    assert 'name="confirm"' not in html
    assert 'type="file"' in html  # upload the corrected file here

    # A forged confirmation starts nothing.
    response = confirm(client, task_list, check)
    assert response.status_code == 302
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    assert not Task.objects.filter(task_list=task_list).exists()


def test_a_refused_file_is_explained_on_the_form(world, task_list, login, large):
    client = login(world.office)
    response = client.post(import_url(task_list), {"file": upload(b"not a spreadsheet")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_a_check_that_has_not_ended_is_followed_on_its_page(world, task_list, login, large):
    client = login(world.office)
    job = Job.objects.create(
        kind=import_jobs.CHECK, title="t", owner=world.office, params={"list": task_list.pk}
    )
    response = client.get(f"{import_url(task_list)}?job={job.pk}")
    assert response.status_code == 302
    assert response.url == reverse("ops:job", args=[job.pk])
    assert confirm(client, task_list, job).status_code == 302
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["potato_director", "brand_staff", "outsider", "leader"])
def test_nobody_else_sees_or_confirms_the_check(world, task_list, login, large, persona):
    check = check_upload(login(world.office), task_list, ledger_file())
    # The office's director may manage the list, yet the job is not hers: 404 as for a job
    # that does not exist. The others do not even reach the list (404, or 403 when they
    # see it without managing it).
    other = login(getattr(world, persona))
    page = other.get(f"{import_url(task_list)}?job={check.pk}")
    assert page.status_code in (403, 404)
    answer = confirm(other, task_list, check)
    assert answer.status_code in (403, 404)
    if persona == "potato_director":
        assert (page.status_code, answer.status_code) == (404, 404)
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    assert not Task.objects.filter(task_list=task_list).exists()


def test_a_job_of_another_list_is_not_found(world, task_list, login, large):
    client = login(world.office)
    check = check_upload(client, task_list, ledger_file())
    other_list = services.tasklist_create(
        actor=world.office, office=world.potato, title="另一份任务单", year=2023, level="city"
    )
    assert client.get(f"{import_url(other_list)}?job={check.pk}").status_code == 404
    assert confirm(client, other_list, check).status_code == 404
    assert client.get(f"{import_url(task_list)}?job=not-a-uuid").status_code == 404
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    assert not Task.objects.exists()


# --- the jobs re-check when they run -------------------------------------------------------


def _checked(world, task_list, login) -> Job:
    check = check_upload(login(world.office), task_list, ledger_file())
    check.refresh_from_db()
    return check


def _queued_commit(check: Job) -> Job:
    """A commit job as confirming queues it, not yet run (as when the worker is busy)."""
    return Job.objects.create(
        kind=import_jobs.COMMIT,
        title="导入",
        owner=check.owner,
        params={"list": check.params["list"], "check": str(check.pk)},
        input_file=check.input_file,
    )


def test_a_commit_rechecks_that_its_owner_still_manages_the_list(world, task_list, login, large):
    commit = _queued_commit(_checked(world, task_list, login))
    RoleAssignment.objects.filter(user=world.office).delete()  # moved to another post
    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED
    commit.refresh_from_db()
    assert commit.error == "您已无权管理该任务清单，未导入任何内容。"  # waits for its translation
    assert not Task.objects.filter(task_list=task_list).exists()


def test_a_check_rechecks_access_too(world, task_list, login, large):
    check = _checked(world, task_list, login)
    again = Job.objects.create(
        kind=import_jobs.CHECK,
        title="校验",
        owner=world.brand_staff,
        params={"list": task_list.pk},
        input_file=check.input_file,
    )
    assert jobs.execute(again.pk, "w1") == JobStatus.FAILED
    again.refresh_from_db()
    assert again.error == "您已无权管理该任务清单，未导入任何内容。"  # waits for its translation
    assert again.result_data is None


def test_a_commit_that_finds_errors_fails_with_them_and_saves_nothing(
    world, task_list, login, large
):
    commit = _queued_commit(_checked(world, task_list, login))
    # Meanwhile 卓资县 was closed: the file names a unit that no longer exists.
    world.zhuozi.is_active = False
    world.zhuozi.save()
    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED
    commit.refresh_from_db()
    assert "D4 牵头单位" in commit.error
    assert "卓资县" in commit.error
    assert not Task.objects.filter(task_list=task_list).exists()
    assert not AuditEvent.objects.filter(object_type="tasks.task").exists()


def test_a_commit_that_breaks_half_way_saves_nothing(world, task_list, login, large, monkeypatch):
    commit = _queued_commit(_checked(world, task_list, login))
    real = importer._create_related
    calls = []

    def failing(*args, **kwargs):
        real(*args, **kwargs)  # the first level is written, then…
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer, "_create_related", failing)
    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED
    assert len(calls) == 2
    commit.refresh_from_db()
    assert str(commit.pk)[:8] in commit.error
    assert not Task.objects.filter(task_list=task_list).exists()
    assert not Milestone.objects.exists()
    assert not TaskEvent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="tasks.task").exists()
    assert audit.verify_chain() == (True, None)


def test_a_second_commit_of_the_same_check_imports_nothing(world, task_list, login, large):
    check = _checked(world, task_list, login)
    first, second = _queued_commit(check), _queued_commit(check)
    assert jobs.execute(first.pk, "w1") == JobStatus.SUCCEEDED
    assert jobs.execute(second.pk, "w2") == JobStatus.FAILED
    second.refresh_from_db()
    assert second.error == "该文件已导入此任务清单。"  # waits for its translation
    assert Task.objects.filter(task_list=task_list).count() == 9


def test_the_audit_trail_has_the_import(world, task_list, login, large):
    client = login(world.office)
    check = check_upload(client, task_list, ledger_file())
    confirm(client, task_list, check)
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    uploaded = AuditEvent.objects.get(message="file uploaded")
    assert uploaded.actor == world.office
    assert uploaded.after["name"] == "重点任务单.xlsx"
    imported = AuditEvent.objects.get(object_type="tasks.tasklist", message="task list import")
    assert imported.actor == world.office
    assert imported.after["tasks"] == 9
    assert imported.after["sha256"] == check.input_file.sha256
    created = AuditEvent.objects.filter(object_type="tasks.task", action="create")
    assert created.count() == 9
    first = Task.objects.get(task_list=task_list, sort_path="0001.0003.")
    event = created.get(object_id=str(first.pk))
    assert event.actor == world.office
    assert event.after["content"] == first.content
    assert len(event.after["milestones"]) == 12
    assert sorted(event.after["cooperating_units"]) == sorted(
        u.pk for u in first.cooperating_units.all()
    )
    assert TaskEvent.objects.filter(task__task_list=task_list, action="create").count() == 9
    for job in (check, commit):
        assert AuditEvent.objects.filter(
            object_id=str(job.pk), message="background job finished"
        ).exists()
    assert audit.verify_chain() == (True, None)


# --- the importer: a changed list, progress, queries, the size of a file -------------------


def test_a_list_changed_since_the_check_is_refused(world, task_list, make_task):
    plan = importer.parse_workbook(upload(ledger_file()), task_list=task_list)
    make_task(content="刚加的任务")
    with pytest.raises(ValidationError) as caught:
        importer.commit(plan, actor=world.office)
    assert caught.value.code == "list_changed"
    assert Task.objects.filter(task_list=task_list).count() == 1


class Recorder:
    """What the importer tells a progress bar: [total, done] of each pass."""

    def __init__(self):
        self.passes: list[list[int]] = []

    def start(self, total, stage=""):
        self.passes.append([total, 0])

    def advance(self, count=1):
        self.passes[-1][1] += count


def test_the_check_reports_every_row_in_each_pass(task_list):
    progress = Recorder()
    plan = importer.parse_workbook(upload(ledger_file()), task_list=task_list, progress=progress)
    assert plan.rows_read == 7
    # Reading the rows, then checking their units and deadlines: each to the last row.
    assert progress.passes == [[7, 7], [7, 7]]


def test_the_commit_reports_the_tasks_it_saved(world, task_list):
    plan = importer.parse_workbook(upload(ledger_file()), task_list=task_list)
    progress = Recorder()
    importer.commit(plan, actor=world.office, progress=progress)
    assert progress.passes == [[9, 9]]


def flat_ledger(n: int) -> bytes:
    """n measures under one key task, all alike."""
    rows = [
        [
            "一" if i == 0 else None,
            "推进马铃薯种薯繁育基地建设",
            f"{i + 1}.建设种薯繁育基地{i + 1}",
            "卓资县",
            "化德县",
            "王振华",
            "每月10日前",
            None,
        ]
        for i in range(n)
    ]
    return workbook(rows)


def test_the_queries_stay_flat(world, task_list):
    counts = []
    for n in (2, 10):
        Task.objects.filter(task_list=task_list).delete()
        with CaptureQueriesContext(connection) as parsing:
            plan = importer.parse_workbook(upload(flat_ledger(n)), task_list=task_list)
        assert plan.is_valid, plan.errors
        with CaptureQueriesContext(connection) as saving:
            created = importer.commit(plan, actor=world.office)
        assert len(created) == n + 1
        counts.append((len(parsing), len(saving)))
    assert counts[0] == counts[1]
    assert Milestone.objects.filter(task__task_list=task_list).count() == 10 * 12


def test_rows_to_read(task_list):
    book = openpyxl.Workbook()
    book.active.append(["序号"])
    second = book.create_sheet("更多")
    for n in range(30):
        second.append([n])
    buffer = io.BytesIO()
    book.save(buffer)
    assert importer.rows_to_read(upload(buffer.getvalue())) == 30
    assert importer.rows_to_read(upload(ledger_file())) == 10
    assert importer.rows_to_read(upload(b"not a spreadsheet")) == 0
