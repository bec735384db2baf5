"""The ledger export as a background job: a large ledger is offered, not written, on GET;
a POST queues the job, whose file is the synchronous export's, scoped to its owner as
they are when it runs."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhuanban.core.models import AuditEvent
from zhuanban.ops import services as job_services
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.ops.tests.downloads import job_download
from zhuanban.org.models import Profile, RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.tasks import services
from zhuanban.tasks.export_jobs import LEDGER
from zhuanban.tasks.lifecycle import Action

pytestmark = pytest.mark.django_db


def assign(world, task):
    return services.task_act(actor=world.office, task=task, action=Action.ASSIGN)


@pytest.fixture
def ledger(world, make_task):
    """Measures led by 化德县 and 卓资县, assigned (so the counties see theirs)."""
    for n in range(3):
        assign(world, make_task(content=f"化德县的措施{n}", lead=world.huade))
        assign(world, make_task(content=f"卓资县的措施{n}", lead=world.zhuozi))


def cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def synchronous(client, settings, **params) -> list[list]:
    settings.JOB_SYNC_ROWS = 10_000
    response = client.get(reverse("tasks:export"), params)
    assert response.status_code == 200
    return cells(b"".join(response.streaming_content))


def started(client, settings, **params) -> Job:
    settings.JOB_SYNC_ROWS = 2
    url = reverse("tasks:export")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    response = client.post(url)
    job = Job.objects.get(kind=LEDGER)
    assert response.status_code == 302
    assert response["Location"] == reverse("ops:job", args=[job.pk])
    return job


def job_file(client, job) -> list[list]:
    return cells(job_download(client, job))


def contents(rows: list[list]) -> list[str]:
    return [(row[1] or "").strip("\u3000") for row in rows[3:]]


def test_a_large_ledger_is_offered_and_nothing_is_queued(world, login, ledger, settings):
    settings.JOB_SYNC_ROWS = 2
    response = login(world.office).get(reverse("tasks:export"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次导出共 6 行" in page
    assert 'method="post"' in page
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(object_type=LEDGER).exists()


def test_a_small_ledger_still_comes_at_once(world, login, ledger, settings):
    settings.JOB_SYNC_ROWS = 6
    response = login(world.office).get(reverse("tasks:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_the_jobs_file_is_the_synchronous_file(world, login, ledger, settings):
    client = login(world.office)
    expected = synchronous(client, settings, county=world.huade.pk)
    job = started(client, settings, county=world.huade.pk)
    assert job.owner == world.office
    assert job.params == {"query": f"county={world.huade.pk}"}
    assert job_file(client, job) == expected
    assert contents(expected)[1:] == [f"化德县的措施{n}" for n in range(3)]  # after the list
    assert (job.done, job.total) == (3, 3)
    assert job.result_file.name == job.result_text
    assert job.result_file.name.startswith("重点任务台账-")
    event = AuditEvent.objects.filter(object_type=LEDGER).latest("pk")
    assert event.actor == world.office
    assert event.after["query"] == f"county={world.huade.pk}"
    assert event.after["job"] == str(job.pk)


def test_a_county_liaisons_job_holds_only_their_county(world, login, ledger, settings):
    client = login(world.huade_liaison)
    rows = job_file(client, started(client, settings))
    assert contents(rows)[1:] == [f"化德县的措施{n}" for n in range(3)]  # after the list's row
    assert rows == synchronous(client, settings)


def test_the_job_sees_what_its_owner_sees_when_it_runs(world, login, ledger):
    job = Job.objects.create(kind=LEDGER, title="台账", owner=world.huade_liaison)
    # Moved to 卓资县 after starting the job, before a worker ran it.
    RoleAssignment.objects.filter(user=world.huade_liaison).update(unit=world.zhuozi)
    Profile.objects.filter(user=world.huade_liaison).update(unit=world.zhuozi)
    job_services.execute(job.pk, "w1")
    rows = job_file(login(world.huade_liaison), job)
    assert contents(rows)[1:] == [f"卓资县的措施{n}" for n in range(3)]


def test_an_owner_who_lost_access_gets_a_reason_not_a_file(world, ledger):
    job = Job.objects.create(kind=LEDGER, title="台账", owner=world.office)
    RoleAssignment.objects.filter(user=world.office).update(role=Role.AUDIT_ADMIN, unit=None)
    job_services.execute(job.pk, "w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result_file is None
    assert "权限" in job.error
    assert not AuditEvent.objects.filter(object_type=LEDGER).exists()


@pytest.mark.parametrize("persona", ["auditor", "sysadmin"])
def test_who_may_not_export_is_refused_and_nothing_is_queued(world, login, ledger, persona):
    client = login(getattr(world, persona))
    assert client.get(reverse("tasks:export")).status_code == 403
    assert client.post(reverse("tasks:export")).status_code == 403
    assert not Job.objects.exists()


def test_strangers_are_sent_to_log_in_and_nothing_is_queued(client, world, ledger):
    response = client.post(reverse("tasks:export"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Job.objects.exists()


def test_other_methods_are_refused(world, login):
    assert login(world.office).put(reverse("tasks:export")).status_code == 405
    assert not Job.objects.exists()


def test_another_users_job_and_file_stay_hidden(world, login, ledger, settings):
    job = started(login(world.office), settings)
    other = login(world.potato_director)
    assert other.get(reverse("ops:job", args=[job.pk])).status_code == 404
    assert other.get(reverse("ops:job_download", args=[job.pk])).status_code == 404


def test_the_jobs_queries_do_not_grow_with_the_ledger(world, make_task, monkeypatch):
    monkeypatch.setattr(job_services.Progress, "INTERVAL", 3600)

    def run() -> tuple[int, int]:
        job = Job.objects.create(kind=LEDGER, title="台账", owner=world.office)
        with CaptureQueriesContext(connection) as captured:
            job_services.execute(job.pk, "w1")
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return len(captured), job.done

    for n in range(2):
        assign(world, make_task(content=f"措施{n}", cooperating_units=[world.crops]))
    small, done = run()
    assert done == 2
    for n in range(8):
        assign(world, make_task(content=f"措施{n}", cooperating_units=[world.crops]))
    large, done = run()
    assert done == 10
    assert small == large
