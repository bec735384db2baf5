"""Scale-out: background jobs with two web servers and two workers, real processes on a
PostgreSQL database of the test's own (cluster.py).

- 200 ledger exports started over HTTP, 100 through each gunicorn, each run exactly
  once: one claim, one queue row, one export, one "finished" event, one file;
- a worker killed (SIGKILL) in the middle of a long export: the other worker runs the
  job again once the dead one's heartbeat is older than JOB_WORKER_TIMEOUT, and the dead
  worker's queue row is closed as failed;
- a job whose worker is killed at both of its attempts (JOB_MAX_ATTEMPTS = 2) ends
  failed with the reason, and is never run a third time;
- every connection to the database cut in the middle of an export, as a restart of the
  server would: the job still ends, failed with a reason or run again, never stuck
  "running"; the workers and the web servers carry on, and the next export succeeds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zb_x .venv/bin/python -m pytest -s tests/scaleout/

Figures (times, the split between the workers) are printed; `-s` shows them."""

import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .cluster import BIN, ON_POSTGRES, SKIP_REASON, WORKER_TIMEOUT, wait_for

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason=SKIP_REASON)

JOBS = 200
ZERO = "00000000-0000-0000-0000-000000000000"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
XLSX_MAGIC = b"PK\x03\x04"
FINISHED_EVENT = "background job finished"
RETRY_EVENT = "background job queued again: its worker stopped"
# The title of an export of the whole ledger (not one task list).
WHOLE_LEDGER = "重点任务分解台账"
# ops.services.recover_stale's reason, as the job's owner (language zh-hans) reads it.
STOPPED_TWICE = "执行此任务的后台进程已中断2次，未保存任何内容。请重新发起，或告知系统管理员。"


def page_url(cluster, name: str, job_id: str) -> str:
    """The job's page or download (`name`: job_url, download_url), as the server names it."""
    return cluster.seeded[name].replace(ZERO, job_id)


# --- the member's browser ------------------------------------------------------------------


def cookies(cluster, token: str = "") -> str:
    jar = f"sessionid={cluster.seeded['session']}"
    return f"{jar}; csrftoken={token}" if token else jar


def csrf_token(cluster) -> str:
    """The signed-in member opens the ledger on each web server (the session is good on
    both) and keeps the CSRF cookie it is given."""
    token = ""
    for web in cluster.webs:
        response = httpx.get(
            f"{web.base}{cluster.seeded['ledger_url']}",
            headers={"Cookie": cookies(cluster, token), "Accept-Language": "zh-hans"},
            timeout=60,
        )
        assert response.status_code == 200, (web.name, response.status_code, response.headers)
        assert "重点任务" in response.text
        token = token or response.cookies.get("csrftoken", "")
    assert token, "no csrftoken cookie on the ledger page"
    return token


def start_export(cluster, web, query: str, token: str) -> str:
    """POST to the ledger export (the button of its "run in the background" page): the
    job is queued and the browser sent to its page. Answers the job's id."""
    url = f"{web.base}{cluster.seeded['export_url']}" + (f"?{query}" if query else "")
    response = httpx.post(
        url,
        headers={
            "Cookie": cookies(cluster, token),
            "X-CSRFToken": token,
            "Accept-Language": "zh-hans",
        },
        timeout=120,
    )
    location = response.headers.get("location", "")
    assert response.status_code == 302, (web.name, response.status_code, response.text[:500])
    found = UUID.search(location)
    assert found, location
    assert location == page_url(cluster, "job_url", found.group(0))
    return found.group(0)


# --- reading the database ------------------------------------------------------------------


def job_row(cluster, job_id: str) -> dict:
    rows = cluster.database.rows(
        "SELECT status, attempts, worker_id, result_file_id, error, total, done, created_at "
        "FROM ops_job WHERE id = %s",
        [job_id],
    )
    keys = ("status", "attempts", "worker_id", "result_file_id", "error", "total", "done")
    return dict(zip([*keys, "created_at"], rows[0], strict=True))


def events(cluster, job_ids: list[str], message: str) -> Counter:
    """Audit events with `message` per job."""
    return Counter(
        dict(
            cluster.database.rows(
                "SELECT object_id, count(*) FROM core_auditevent WHERE object_type = 'ops.job' "
                "AND message = %s AND object_id = ANY(%s) GROUP BY object_id",
                [message, job_ids],
            )
        )
    )


def queue_rows(cluster, job_ids: list[str]) -> list[tuple[str, str, list, str]]:
    """django-tasks' own rows for the jobs: (job id, status, worker ids, exception)."""
    return cluster.database.rows(
        "SELECT args_kwargs->'args'->>0, status, worker_ids, exception_class_path "
        "FROM django_tasks_database_dbtaskresult WHERE args_kwargs->'args'->>0 = ANY(%s) "
        "ORDER BY enqueued_at",
        [job_ids],
    )


def ensure_workers(cluster, count: int) -> list[str]:
    """At least `count` live, beating workers (fresh ones replace those a test killed)."""
    while len(cluster.live_workers()) < count:
        cluster.start_worker(cluster.new_worker_id())
    live = cluster.live_workers()
    cluster.wait_for_workers(live)
    return live


def wait_until_running(cluster, job_id: str, attempt: int) -> str:
    """The worker running the job's `attempt`-th run, once it has claimed it."""

    def running():
        row = job_row(cluster, job_id)
        assert row["status"] not in {"succeeded", "failed"}, row
        return row["status"] == "running" and row["attempts"] == attempt and row["worker_id"]

    return wait_for(running, 90, f"run {attempt} of job {job_id} to start", 0.05, cluster.tail)


def wait_until_finished(cluster, job_id: str, timeout: float) -> dict:
    def finished():
        row = job_row(cluster, job_id)
        return row if row["status"] in {"succeeded", "failed"} else None

    return wait_for(finished, timeout, f"job {job_id} to finish", 0.2, cluster.tail)


# --- the tests -------------------------------------------------------------------------------


def test_200_jobs_through_two_web_servers_each_run_exactly_once(cluster):
    seeded, database = cluster.seeded, cluster.database
    assert seeded["small_rows"] > 0
    workers = ensure_workers(cluster, 2)
    token = csrf_token(cluster)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Alternating, so that both web servers take requests at the same moments.
        futures = [
            pool.submit(start_export, cluster, cluster.webs[n % 2], seeded["small_query"], token)
            for n in range(JOBS)
        ]
        job_ids = [future.result() for future in futures]
    enqueued_s = time.perf_counter() - started
    assert len(set(job_ids)) == JOBS

    def all_settled() -> bool:
        # A run's last write is its queue row's end (after the job's status, its audit
        # event and its notification, which are separate commits).
        return (
            database.value(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE args_kwargs->'args'->>0 = ANY(%s) AND status IN ('SUCCESSFUL', 'FAILED')",
                [job_ids],
            )
            >= JOBS
        )

    wait_for(all_settled, 240, f"{JOBS} jobs to finish", 0.25, cluster.tail)
    finished_s = time.perf_counter() - started

    # The jobs of this query are exactly the ones the 200 requests started.
    jobs = database.rows(
        "SELECT id::text, status, attempts, worker_id, result_file_id, total, done "
        "FROM ops_job WHERE params->>'query' = %s",
        [seeded["small_query"]],
    )
    assert len(jobs) == JOBS
    assert {job[0] for job in jobs} == set(job_ids)
    assert Counter(job[1] for job in jobs) == {"succeeded": JOBS}
    assert Counter(job[2] for job in jobs) == {1: JOBS}, "a job was claimed twice"
    # Every run counted every row of the export.
    assert {(job[5], job[6]) for job in jobs} == {(seeded["small_rows"], seeded["small_rows"])}

    # Both workers took jobs.
    split = Counter(job[3] for job in jobs)
    assert set(split) == set(workers), split
    assert all(count > 0 for count in split.values()), split

    # One file per job, on the disk every process shares.
    file_ids = [job[4] for job in jobs]
    assert None not in file_ids
    assert len(set(file_ids)) == JOBS
    files = database.rows(
        "SELECT id, file, size FROM core_storedfile WHERE id = ANY(%s)", [file_ids]
    )
    assert len(files) == JOBS
    media = cluster.data_dir / "media"
    for _id, name, size in files:
        path = media / name
        assert path.stat().st_size == size > 0, name
        assert path.read_bytes()[:4] == XLSX_MAGIC, name

    # django-tasks' queue: one row per job, run by the worker that ran the job.
    queue = queue_rows(cluster, job_ids)
    assert len(queue) == JOBS
    assert Counter(row[1] for row in queue) == {"SUCCESSFUL": JOBS}
    worker_of = {job[0]: job[3] for job in jobs}
    assert all(row[2] == [worker_of[row[0]]] for row in queue)

    # The audit trail: each job queued once, finished once, and its export written once.
    assert events(cluster, job_ids, "background job queued") == dict.fromkeys(job_ids, 1)
    assert events(cluster, job_ids, FINISHED_EVENT) == dict.fromkeys(job_ids, 1)
    assert (
        database.value(
            "SELECT count(*) FROM core_auditevent WHERE object_type = 'ops.job' AND message = %s "
            "AND object_id = ANY(%s) AND outcome = 'success'",
            [FINISHED_EVENT, job_ids],
        )
        == JOBS
    )
    exported = Counter(
        row[0]
        for row in database.rows(
            "SELECT after->>'job' FROM core_auditevent WHERE message = 'ledger exported to xlsx' "
            "AND after->>'job' = ANY(%s)",
            [job_ids],
        )
    )
    assert exported == dict.fromkeys(job_ids, 1), "an export was written twice or never"
    # One notification per job for its owner.
    assert (
        database.value(
            "SELECT count(DISTINCT dedupe_key) FROM core_notification "
            "WHERE recipient_id = %s AND kind = 'job_succeeded' AND url = ANY(%s)",
            [seeded["user_id"], [page_url(cluster, "job_url", job_id) for job_id in job_ids]],
        )
        == JOBS
    )

    # A file written by either worker is served by either web server.
    for worker_id in workers:
        job_id, file_id = next((job[0], job[4]) for job in jobs if job[3] == worker_id)
        name = next(name for id_, name, _size in files if id_ == file_id)
        for web in cluster.webs:
            response = httpx.get(
                web.base + page_url(cluster, "download_url", job_id),
                headers={"Cookie": cookies(cluster)},
                timeout=60,
            )
            assert response.status_code == 200, (web.name, response.status_code)
            assert response.content == (media / name).read_bytes()

    # Four processes wrote to the hash-chained audit trail at once: it still verifies.
    cluster.run(str(BIN / "zhuanban"), "audit", "verify")

    ran = database.rows(
        "SELECT extract(epoch FROM max(finished_at) - min(started_at)), "
        "extract(epoch FROM avg(started_at - created_at)) FROM ops_job WHERE id::text = ANY(%s)",
        [job_ids],
    )[0]
    print(
        f"\n[scaleout] {JOBS} jobs ({seeded['small_rows']} rows each): POSTed in {enqueued_s:.1f} s "
        f"({JOBS // 2} through each web server), all finished {finished_s:.1f} s after the first "
        f"POST; first start to last finish {float(ran[0]):.1f} s, mean wait in the queue "
        f"{float(ran[1]):.1f} s; per worker: "
        + ", ".join(f"{worker} {count}" for worker, count in sorted(split.items()))
    )


def test_a_killed_workers_job_is_run_again_by_the_other_worker(cluster):
    seeded, database = cluster.seeded, cluster.database
    live = ensure_workers(cluster, 2)
    token = csrf_token(cluster)
    files_before = database.value("SELECT count(*) FROM core_storedfile")

    job_id = start_export(cluster, cluster.webs[0], seeded["whole_query"], token)
    victim = wait_until_running(cluster, job_id, 1)
    assert victim in live

    # Let it write some of the export first.
    def progressed() -> bool:
        row = job_row(cluster, job_id)
        assert row["status"] == "running", f"the export ended before the kill: {row}"
        return row["done"] > 0

    wait_for(progressed, 60, "the export's first rows", 0.05, cluster.tail)
    cluster.kill(victim)
    killed_at = time.perf_counter()
    survivors = [worker for worker in live if worker != victim]

    row = wait_until_finished(cluster, job_id, 120)
    recovered_s = time.perf_counter() - killed_at
    assert row["status"] == "succeeded", row
    assert row["attempts"] == 2
    assert row["worker_id"] in survivors
    assert row["total"] == row["done"] == seeded["whole_rows"]
    assert row["error"] == ""

    # The dead worker's queue row is closed as failed (by the survivor's heartbeat); the
    # second run's row succeeded (its last write, after the audit event).
    def settled():
        rows = queue_rows(cluster, [job_id])
        return rows if [queued[1] for queued in rows] == ["FAILED", "SUCCESSFUL"] else None

    queue = wait_for(settled, 30, "the job's queue rows to be closed", 0.2, cluster.tail)
    assert [workers for _id, _status, workers, _exc in queue] == [[victim], [row["worker_id"]]]
    assert queue[0][3] == "zhuanban.ops.registry.JobError"

    # Queued again once, finished once, one file (the killed run stored none).
    assert events(cluster, [job_id], RETRY_EVENT) == {job_id: 1}
    assert events(cluster, [job_id], FINISHED_EVENT) == {job_id: 1}
    retried = database.rows(
        "SELECT before->>'worker' FROM core_auditevent WHERE object_id = %s AND message = %s",
        [job_id, RETRY_EVENT],
    )
    assert retried == [(victim,)]
    assert row["result_file_id"] is not None
    assert database.value("SELECT count(*) FROM core_storedfile") == files_before + 1

    run_s = database.value(
        "SELECT extract(epoch FROM finished_at - started_at) FROM ops_job WHERE id = %s", [job_id]
    )
    leftovers = list((cluster.data_dir / "tmp").glob("job-*.part"))
    print(
        f"\n[scaleout] worker {victim} killed mid-export ({seeded['whole_rows']} rows): the job "
        f"succeeded on {row['worker_id']} at attempt 2, {recovered_s:.1f} s after the kill "
        f"(the second run took {float(run_s):.1f} s) "
        f"(JOB_WORKER_TIMEOUT {WORKER_TIMEOUT} s); partial files left in DATA_DIR/tmp: "
        f"{len(leftovers)}"
    )


def test_a_job_whose_worker_is_killed_at_every_attempt_fails_with_the_reason(cluster):
    seeded, database = cluster.seeded, cluster.database
    ensure_workers(cluster, 2)
    token = csrf_token(cluster)
    started = time.perf_counter()

    job_id = start_export(cluster, cluster.webs[1], seeded["whole_query"], token)
    first = wait_until_running(cluster, job_id, 1)
    cluster.kill(first)
    second = wait_until_running(cluster, job_id, 2)
    assert second != first
    cluster.kill(second)
    # No worker is left; a fresh one's heartbeat finds the job out of attempts.
    assert cluster.live_workers() == []
    cluster.start_worker(cluster.new_worker_id())

    row = wait_until_finished(cluster, job_id, 120)
    assert row["status"] == "failed", row
    assert row["attempts"] == 2, "a third run was started"
    assert row["error"] == STOPPED_TWICE
    assert row["result_file_id"] is None

    # The fresh worker's heartbeat failed the job, then closed both runs' queue rows.
    def both_closed():
        rows = queue_rows(cluster, [job_id])
        return rows if [queued[1] for queued in rows] == ["FAILED", "FAILED"] else None

    queue = wait_for(both_closed, 30, "both queue rows to be closed", 0.2, cluster.tail)
    assert [workers for _id, _status, workers, _exc in queue] == [[first], [second]]

    assert events(cluster, [job_id], RETRY_EVENT) == {job_id: 1}
    assert events(cluster, [job_id], FINISHED_EVENT) == {job_id: 1}
    assert database.rows(
        "SELECT outcome, after->>'status' FROM core_auditevent WHERE object_id = %s "
        "AND message = %s",
        [job_id, FINISHED_EVENT],
    ) == [("failure", "failed")]
    assert database.rows(
        "SELECT title, body FROM core_notification WHERE recipient_id = %s AND dedupe_key = %s",
        [seeded["user_id"], f"job:{job_id}:failed"],
    ) == [(f"失败：{WHOLE_LEDGER}", STOPPED_TWICE)]
    print(
        f"\n[scaleout] job killed on {first}, then on {second}: failed after 2 attempts, "
        f"{time.perf_counter() - started:.1f} s after it was started"
    )


def test_the_database_restarting_under_a_job_leaves_it_ended_and_the_cluster_working(cluster):
    seeded, database = cluster.seeded, cluster.database
    live = ensure_workers(cluster, 2)
    token = csrf_token(cluster)

    job_id = start_export(cluster, cluster.webs[0], seeded["whole_query"], token)
    wait_until_running(cluster, job_id, 1)

    def progressed() -> bool:
        row = job_row(cluster, job_id)
        assert row["status"] == "running", f"the export ended before the cut: {row}"
        return row["done"] > 0

    wait_for(progressed, 60, "the export's first rows", 0.05, cluster.tail)
    cut = database.disconnect_all()
    cut_at = time.perf_counter()
    assert cut >= 4  # at least the two workers and their heartbeats

    row = wait_until_finished(cluster, job_id, 120)
    ended_s = time.perf_counter() - cut_at
    assert row["attempts"] <= 2
    if row["status"] == "failed":
        assert row["error"], "failed without a reason"
        assert row["result_file_id"] is None
    else:
        assert row["total"] == row["done"] == seeded["whole_rows"]
        assert row["result_file_id"] is not None
    assert events(cluster, [job_id], FINISHED_EVENT) == {job_id: 1}

    # Nobody had to be restarted: the same workers beat again, the webs are ready.
    assert cluster.live_workers() == live, cluster.tail()
    cluster.wait_for_workers(live, timeout=30)
    for web in cluster.webs:
        assert httpx.get(f"{web.base}/readyz", timeout=10).status_code == 200

    after = start_export(cluster, cluster.webs[1], seeded["whole_query"], csrf_token(cluster))
    assert wait_until_finished(cluster, after, 120)["status"] == "succeeded"
    print(
        f"\n[scaleout] {cut} connections cut mid-export: the job {row['status']} at attempt "
        f"{row['attempts']}, {ended_s:.1f} s after the cut ({row['error'] or 'no error'})"
    )
