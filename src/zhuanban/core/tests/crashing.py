"""One write, run in a process of its own for test_crash_atomicity, and optionally held
in the middle of its transaction so that the test can kill the process there.

    python -m zhuanban.core.tests.crashing import --task-list 3 --actor office --file x.xlsx
    python -m zhuanban.core.tests.crashing submit --submission 5 --actor zhuozi --rows 2000
    python -m zhuanban.core.tests.crashing save --submission 5 --actor zhuozi --rows 10
        [--pause-after TABLE:N]

With --pause-after, the process counts the INSERTs into TABLE (through a database
execute wrapper, not a hook in the code under test) and, once the Nth has run, prints
MIDWAY and sleeps with the transaction open. Without it the write runs to its end. In
both cases it first prints one line `BEFORE {json}` with what the database holds, and at
the end `AFTER {json}`.

The environment says which database: DJANGO_SETTINGS_MODULE and DATABASE_URL.
"""

import argparse
import json
import sys
import time

import django


def _pause_after(table: str, count: int):
    quoted = f'"{table}"'
    seen = 0

    def wrapper(execute, sql, params, many, context):
        nonlocal seen
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("INSERT INTO") and quoted in sql:
            seen += 1
            if seen == count:
                print("MIDWAY", flush=True)
                time.sleep(600)  # killed here, the transaction still open
        return result

    return wrapper


def state(args) -> dict:
    """What the database holds of the write under test."""
    from zhuanban.core.audit import verify_chain
    from zhuanban.core.models import AuditEvent
    from zhuanban.dispatch.models import DataValue, Submission, SubmissionEvent, SubmissionRevision
    from zhuanban.tasks.models import Milestone, Task, TaskEvent

    ok, _broken = verify_chain()
    held = {"audit_events": AuditEvent.objects.count(), "audit_chain_ok": ok}
    if args.operation == "import":
        tasks = Task.objects.filter(task_list_id=args.task_list)
        held |= {
            "tasks": tasks.count(),
            "milestones": Milestone.objects.filter(task__task_list_id=args.task_list).count(),
            "task_events": TaskEvent.objects.filter(task__task_list_id=args.task_list).count(),
        }
    else:
        submission = Submission.objects.get(pk=args.submission)
        held |= {
            "status": submission.status,
            "rows": len(submission.data),
            "revision": submission.revision,
            "lock_version": submission.lock_version,
            "revisions": SubmissionRevision.objects.filter(submission=submission).count(),
            "events": SubmissionEvent.objects.filter(submission=submission).count(),
            "values": DataValue.objects.filter(submission=submission).count(),
        }
    return held


def rows(count: int) -> list[dict]:
    return [
        {"name": f"项目{n + 1}", "signed": str(n % 7 + 1), "investment": f"{n}.50"}
        for n in range(count)
    ]


def operate(args) -> None:
    from django.contrib.auth import get_user_model

    from zhuanban.dispatch import services as dispatch_services
    from zhuanban.dispatch.models import Submission
    from zhuanban.tasks import importer
    from zhuanban.tasks.models import TaskList

    actor = get_user_model().objects.get(username=args.actor)
    if args.operation == "import":
        plan = importer.parse_workbook(args.file, task_list=TaskList.objects.get(pk=args.task_list))
        assert plan.is_valid, plan.errors  # a broken fixture must be loud
        importer.commit(plan, actor=actor)
    elif args.operation == "submit":
        dispatch_services.submission_submit(
            actor=actor,
            submission=Submission.objects.get(pk=args.submission),
            rows=rows(args.rows),
            expected_version=None,
        )
    else:
        dispatch_services.submission_save(
            actor=actor,
            submission=Submission.objects.get(pk=args.submission),
            rows=rows(args.rows),
            expected_version=None,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("operation", choices=["import", "submit", "save"])
    parser.add_argument("--actor", required=True)
    parser.add_argument("--task-list", type=int)
    parser.add_argument("--file")
    parser.add_argument("--submission", type=int)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--pause-after", help="TABLE:N")
    args = parser.parse_args()
    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        # A page cache of 16 pages: a write transaction spills its pages into the WAL
        # before it commits, as a large one does on a real server, so that the kill
        # leaves uncommitted frames behind for the next connection to disregard.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = 16")
    print("BEFORE", json.dumps(state(args)), flush=True)
    if args.pause_after:
        table, count = args.pause_after.split(":")
        with connection.execute_wrapper(_pause_after(table, int(count))):
            operate(args)
        sys.exit("the write ended without reaching its pause")
    operate(args)
    print("AFTER", json.dumps(state(args)), flush=True)


if __name__ == "__main__":
    main()
