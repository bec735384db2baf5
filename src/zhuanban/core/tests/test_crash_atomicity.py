"""Kill a worker in the middle of an import and of a submission: the database holds either
all of it or none of it.

Each write runs in a process of its own (`crashing.py`) on the test database; an execute
wrapper in that process holds it after the Nth INSERT into a table, with the transaction
open, and the test kills it there with SIGKILL. A new process then finds none of the
write, and can do the whole write: nothing is left locked. On SQLite (WAL mode, as the
settings configure it) the child's page cache is kept small, so the killed transaction
has already spilled pages into the WAL; the next connection disregards them, as they
have no commit record.

SQLite's test database lives in memory, which another process cannot open: on SQLite the
seeded database is copied to a file (sqlite3's backup API) and both processes use that.
On PostgreSQL they share the test database.
"""

import datetime
import io
import json
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Cadence, RowMode, SubmissionStatus
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.tasks import services as task_services

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = "zhuanban.core.tests.crashing"
WAIT = 120  # seconds for a child to reach its pause: generous, only to never hang
PROJECTS = {
    "columns": [
        {"key": "name", "label": "项目名称", "type": "text", "required": True},
        {"key": "signed", "label": "签约项目数", "type": "integer", "min": 0, "required": True},
        {"key": "investment", "label": "计划投资", "type": "decimal", "decimals": 2},
    ]
}
MEASURES = 12


def ledger(path: Path) -> Path:
    """A task list of 3 key tasks with 4 measures each, one of them monthly (12 milestones)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年重点任务单"])
    sheet.append([])
    sheet.append(["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"])
    for key in range(3):
        for measure in range(4):
            sheet.append(
                [
                    "一二三"[key] if measure == 0 else None,
                    f"重点任务{key + 1}" if measure == 0 else None,
                    f"{measure + 1}.措施{key + 1}-{measure + 1}",
                    "卓资县",
                    "化德县",
                    "每月10日前" if (key, measure) == (0, 0) else "2023年12月底前",
                ]
            )
        start = 4 + key * 4
        sheet.merge_cells(f"A{start}:A{start + 3}")
        sheet.merge_cells(f"B{start}:B{start + 3}")
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def shared_database(tmp_path):
    """A DATABASE_URL for the seeded test database that another process can open."""

    def url() -> str:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            copy = tmp_path / "shared.sqlite3"
            copy.unlink(missing_ok=True)
            connection.ensure_connection()
            target = sqlite3.connect(copy)
            connection.connection.backup(target)
            target.close()
            return f"sqlite:///{copy}"
        user = quote(settings["USER"] or "")
        if settings["PASSWORD"]:
            user += ":" + quote(settings["PASSWORD"])
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{user}@{settings['HOST'] or 'localhost'}{port}/{settings['NAME']}"

    return url


class Child:
    def __init__(self, database_url: str, *args: str):
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "zhuanban.settings_test",
            "DATABASE_URL": database_url,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", CHILD, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: dict[str, str] = {}

    def read_until(self, marker: str) -> None:
        """Read the child's lines until one starts with `marker` (or it ends, or WAIT)."""
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if not selector.select(timeout=1):
                continue
            line = self.process.stdout.readline()
            if not line:
                break
            word, _, rest = line.strip().partition(" ")
            self.lines[word] = rest
            if word == marker:
                return
        self.process.kill()
        _out, err = self.process.communicate()
        pytest.fail(f"the child never printed {marker}: {err}")

    def state(self, marker: str) -> dict:
        return json.loads(self.lines[marker])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=WAIT)
        assert self.process.returncode == -signal.SIGKILL

    def finish(self) -> None:
        self.read_until("AFTER")
        _out, err = self.process.communicate(timeout=WAIT)
        assert self.process.returncode == 0, err


@dataclass
class Outcome:
    before: dict  # what the killed process found before it wrote
    after_kill: dict  # what the next process found
    after: dict  # after the next process did the whole write
    wal_bytes: int | None  # SQLite: the WAL the killed writer left behind


def killed_then_run(database_url: str, args: list[str], pause_after: str) -> Outcome:
    """Kill the write at its pause, then run it again in full in a new process."""
    first = Child(database_url, *args, "--pause-after", pause_after)
    first.read_until("MIDWAY")
    first.kill()
    wal_bytes = None
    if database_url.startswith("sqlite:///"):
        wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0
    rerun = Child(database_url, *args)
    rerun.finish()  # exits 0: nothing left locked ("database is locked" would fail it)
    return Outcome(
        before=first.state("BEFORE"),
        after_kill=rerun.state("BEFORE"),
        after=rerun.state("AFTER"),
        wal_bytes=wal_bytes,
    )


def spilled(outcome: Outcome) -> bool:
    """On SQLite the killed transaction had written pages into the WAL (the child's page
    cache is small), which the next connection disregarded; nothing to check elsewhere."""
    return outcome.wal_bytes is None or outcome.wal_bytes > 0


def test_a_task_import_killed_midway_leaves_nothing(world, tmp_path, shared_database):
    task_list = task_services.tasklist_create(
        actor=world.office, office=world.potato, title="2023年重点任务单", year=2023, level="city"
    )
    workbook = ledger(tmp_path / "重点任务单.xlsx")
    args = ["import", "--actor", world.office.username, "--task-list", str(task_list.pk)]
    args += ["--file", str(workbook)]

    # The import writes a level of the tree at a time: killed after its second INSERT
    # into tasks (the 12 measures, below the 3 key tasks written with their timeline),
    # before the measures' milestones, timeline and audit events.
    outcome = killed_then_run(shared_database(), args, "tasks_task:2")
    before, after = outcome.before, outcome.after

    assert outcome.after_kill == before  # none of the killed import
    assert spilled(outcome)
    assert (before["tasks"], before["milestones"], before["task_events"]) == (0, 0, 0)
    assert (after["tasks"], after["milestones"], after["task_events"]) == (3 + MEASURES, 12, 15)
    # 15 task creations and the import itself, chained after what was there.
    assert after["audit_events"] == before["audit_events"] + 16
    assert before["audit_chain_ok"]
    assert after["audit_chain_ok"]


@pytest.fixture
def projects_submission(world):
    today = timezone.localdate()
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="projects",
        title="农牧业招商引资签约落地项目情况表",
        schema=PROJECTS,
        units=[world.zhuozi, world.huade],
        row_mode=RowMode.RECORDS,
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
    return round_.submissions.get(unit=world.zhuozi)


def test_a_submission_killed_midway_leaves_nothing(world, projects_submission, shared_database):
    rows = 2000  # 6,000 values: more than one INSERT into the value store
    args = ["submit", "--actor", world.zhuozi_liaison.username]
    args += ["--submission", str(projects_submission.pk), "--rows", str(rows)]

    # Killed after the first batch of values, with the submission row already updated
    # and its revision written, inside the same transaction.
    outcome = killed_then_run(shared_database(), args, "dispatch_datavalue:1")
    before, after = outcome.before, outcome.after

    assert outcome.after_kill == before  # none of the killed submission
    assert spilled(outcome)
    assert before | {"audit_events": 0} == {
        "audit_events": 0,
        "audit_chain_ok": True,
        "status": SubmissionStatus.PENDING,
        "rows": 0,
        "revision": 0,
        "lock_version": 1,
        "revisions": 0,
        "events": 0,
        "values": 0,
    }
    assert after | {"audit_events": 0} == {
        "audit_events": 0,
        "audit_chain_ok": True,
        "status": SubmissionStatus.SUBMITTED,
        "rows": rows,
        "revision": 1,
        "lock_version": 2,
        "revisions": 1,
        "events": 1,
        "values": rows * 3,
    }
    assert after["audit_events"] == before["audit_events"] + 1


def test_a_draft_save_killed_midway_leaves_nothing(world, projects_submission, shared_database):
    args = ["save", "--actor", world.zhuozi_liaison.username]
    args += ["--submission", str(projects_submission.pk), "--rows", "50"]

    # Killed after the event of the change to draft: the row is updated, not committed.
    outcome = killed_then_run(shared_database(), args, "dispatch_submissionevent:1")
    before, after = outcome.before, outcome.after

    assert outcome.after_kill == before  # none of the killed save
    assert (before["status"], before["rows"], before["events"]) == (SubmissionStatus.PENDING, 0, 0)
    assert (after["status"], after["rows"], after["events"]) == (SubmissionStatus.DRAFT, 50, 1)
    assert (after["lock_version"], after["values"]) == (2, 0)
    assert after["audit_events"] == before["audit_events"] + 1
