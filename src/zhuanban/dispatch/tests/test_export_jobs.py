"""A round's consolidated table as a background job: a large table is offered, not
written, on GET; a POST queues the job, whose file is the synchronous export's; only
bureau-wide roles start one, and the job checks again that its owner still is one."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.dispatch import exports
from zhuanban.dispatch.export_jobs import CONSOLIDATION, consolidation_rows
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.tests.conftest import open_round
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.tests.downloads import job_download
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role

from .test_export import (
    liangcheng,
    livestock_done,
    livestock_row,
    project_rows,
    projects_done,
    regions,
    submit,
)

pytestmark = pytest.mark.django_db
# Fixtures of test_export.py, used by name below.
__all__ = ["liangcheng", "livestock_done", "projects_done", "regions"]

NAME = 2  # the projects table's column of names


def url(round_) -> str:
    return reverse("dispatch:consolidation_export", args=[round_.pk])


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def same_table(left: list[list], right: list[list]) -> bool:
    """Equal cell by cell; the subtitle ends with the minute the file was made."""
    subtitle = exports.SUBTITLE_ROW - 1
    stamp = len("2023-06-30 12:00")
    return (
        left[:subtitle] + left[subtitle + 1 :] == right[:subtitle] + right[subtitle + 1 :]
        and left[subtitle][0][:-stamp] == right[subtitle][0][:-stamp]
    )


def synchronous(client, settings, round_) -> list[list]:
    settings.JOB_SYNC_ROWS = 10_000
    response = client.get(url(round_))
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


def started(client, settings, round_) -> Job:
    settings.JOB_SYNC_ROWS = 1
    response = client.post(url(round_))
    job = Job.objects.get(kind=CONSOLIDATION)
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job) -> list[list]:
    return cells(job_download(client, job))


def test_the_rows_are_counted_as_the_writer_writes_them(world, projects_done, livestock_done):
    # 3 + 2 records and 凉城县 not reported; three units, one of them a draft.
    assert consolidation_rows(projects_done) == 6
    assert consolidation_rows(livestock_done) == 3


def test_a_large_table_is_offered_and_nothing_is_queued(world, login, projects_done, settings):
    settings.JOB_SYNC_ROWS = 5
    response = login(world.office).get(url(projects_done))
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次导出共 6 行" in page
    assert 'method="post"' in page
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_small_table_still_comes_at_once(world, login, projects_done, settings):
    settings.JOB_SYNC_ROWS = 6
    response = login(world.office).get(url(projects_done))
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_jobs_records_table_is_the_synchronous_one(world, login, projects_done, settings):
    client = login(world.leader)
    expected = synchronous(client, settings, projects_done)
    job = started(client, settings, projects_done)
    assert job.params == {"round": projects_done.pk}
    rows = job_file(client, job)
    assert same_table(rows, expected)
    names = [row[NAME] for row in rows[exports.HEADER_ROW :] if row[0] and row[0].isdigit()]
    assert names == ["马铃薯主食加工项目", "=1+1", "肉牛屠宰项目", "燕麦深加工项目", "冷链物流中心"]
    assert (job.done, job.total) == (6, 6)
    assert job.result_file.name == f"{projects_done.title}汇总表.xlsx"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (event.actor, event.object_id) == (world.leader, str(projects_done.pk))
    assert event.after == {"job": str(job.pk)}


def test_the_jobs_table_of_units_is_the_synchronous_one(world, login, livestock_done, settings):
    client = login(world.office)
    expected = synchronous(client, settings, livestock_done)
    job = started(client, settings, livestock_done)
    assert same_table(job_file(client, job), expected)
    assert (job.done, job.total) == (3, 3)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        # A county must not see the other counties' figures, in a job either.
        ("zhuozi_liaison", 403),
        ("huade_liaison", 403),
        ("sysadmin", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_may_not_export_is_refused_and_nothing_is_queued(
    world, login, projects_done, persona, status
):
    client = login(getattr(world, persona))
    assert client.get(url(projects_done)).status_code == status
    assert client.post(url(projects_done)).status_code == status
    assert not Job.objects.exists()


def test_strangers_and_other_methods(world, login, client, projects_done):
    assert client.post(url(projects_done)).status_code == 302
    assert login(world.office).put(url(projects_done)).status_code == 405
    assert not Job.objects.exists()


def test_an_owner_who_lost_access_gets_a_reason_not_a_file(world, projects_done):
    job = Job.objects.create(
        kind=CONSOLIDATION, title="汇总表", owner=world.office, params={"round": projects_done.pk}
    )
    # Moved from the potato office to a county: no longer sees every unit's figures.
    RoleAssignment.objects.filter(user=world.office).update(
        role=Role.COUNTY_LIAISON, unit=world.zhuozi
    )
    job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result_file is None
    assert "权限" in job.error
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_jobs_queries_do_not_grow_with_units_and_rows(world, projects, monkeypatch):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)

    def run(round_) -> tuple[int, int]:
        job = Job.objects.create(
            kind=CONSOLIDATION, title="汇总表", owner=world.office, params={"round": round_.pk}
        )
        with CaptureQueriesContext(connection) as captured:
            job_services.execute(job.pk, "w1")
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return len(captured), job.done

    # Months apart, so that neither round has an earlier one to compare with.
    small = open_round(world, projects, Period(2023, PeriodKind.MONTH, 3))
    submit(small, world.zhuozi, project_rows(2, "卓资县"))
    large = open_round(world, projects, Period(2023, PeriodKind.MONTH, 9))
    for unit in (world.zhuozi, world.huade):
        submit(large, unit, project_rows(5, unit.name))
    small_count, done = run(small)
    assert done == 3  # two records and 化德县 not reported
    large_count, done = run(large)
    assert done == 10
    assert small_count == large_count


def test_a_table_of_units_counts_its_units(world, livestock_round):
    submit(livestock_round, world.zhuozi, [livestock_row("3.2", "1.1", 12)])
    assert consolidation_rows(livestock_round) == 2
