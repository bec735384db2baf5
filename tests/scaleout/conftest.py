"""The scale-out test's processes and database (cluster.py), once per module."""

import logging
import time

import pytest

from .cluster import BASE_URL, LONG_TASKS, ON_POSTGRES, SKIP_REASON, Cluster, Database


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two gunicorn web servers (two processes each) and two workers on a fresh, migrated
    and seeded database; all stopped and the database dropped afterwards."""
    if not ON_POSTGRES:
        pytest.skip(SKIP_REASON)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    database = Database(BASE_URL)
    cluster = Cluster(tmp_path_factory.mktemp("scaleout"), database)
    database.create()
    try:
        cluster.prepare()
        started = time.perf_counter()
        cluster.start_web()
        cluster.start_web()
        workers = [cluster.start_worker(cluster.new_worker_id()).name for _n in range(2)]
        cluster.wait_for_webs()
        cluster.wait_for_workers(workers)
        cluster.figures["processes_up_s"] = time.perf_counter() - started
        print(
            f"\n[scaleout] database {database.name}: migrate {cluster.figures['migrate_s']:.1f} s, "
            f"seed {cluster.figures['seed_s']:.1f} s ({LONG_TASKS} tasks), processes up in "
            f"{cluster.figures['processes_up_s']:.1f} s"
        )
        yield cluster
    finally:
        cluster.stop()
        database.drop()
