"""Benchmark: the ledger (台账) at province scale, against what the database and openpyxl
need at the least.

    .venv/bin/python benchmarks/ledger.py            # 103 counties, 20,000 tasks
    .venv/bin/python benchmarks/ledger.py --quick    # 11 counties, 2,000 tasks (CI)
    .venv/bin/python benchmarks/ledger.py --database-url postgres://...   # an empty database

It makes a throw-away SQLite database in a temporary directory (or uses the empty
database given), migrates it, seeds it with `zhuanban.tasks.scale`, then measures, each
figure the best of three runs:

- ledger_db: the ledger page's database work for a bureau leader (the first page of
  100 rows, the header counts, the rollups by office and by county), against a floor of
  one raw GROUP BY statement with the light as a CASE plus one raw SELECT of 100 rows;
- export_xlsx: the whole ledger as .xlsx through `exports.write_ledger_xlsx` from the
  ORM, against a floor of openpyxl writing as many rows and columns of plain values in
  write-only mode (no styles, no ORM).

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor).
"""

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from harness import add_database_arguments, best_of, figure, ratio, workspace


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="11 counties, 2,000 tasks")
    parser.add_argument("--counties", type=int)
    parser.add_argument("--tasks", type=int)
    add_database_arguments(parser)
    args = parser.parse_args()
    args.counties = args.counties or (11 if args.quick else 103)
    args.tasks = args.tasks or (2_000 if args.quick else 20_000)
    return args


# --- (a) the ledger page's database work ---------------------------------------------


def ledger_page(user) -> Callable[[], object]:
    from zhuanban.tasks import selectors

    def run():
        qs = selectors.ledger(user)
        return list(qs[:100]), selectors.ledger_summary(qs)

    return run


def _light_sql(today) -> tuple[str, list]:
    """The light as one CASE, with the same rules and settings as TaskQuerySet.with_light."""
    import datetime

    from django.conf import settings
    from django.db import connection

    from zhuanban.tasks.lifecycle import LIVE_STATES

    soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
    stale = today - datetime.timedelta(days=settings.TASK_REPORT_CYCLE_DAYS)
    live = ", ".join(["%s"] * len(LIVE_STATES))
    sql = (
        "CASE WHEN t.status = %s THEN 'grey' "
        f"WHEN t.status NOT IN ({live}) THEN 'none' "
        "WHEN t.due_date < %s THEN 'red' "
        "WHEN t.due_date <= %s OR t.lag_date <= %s OR t.last_activity_on <= %s THEN 'yellow' "
        "ELSE 'green' END"
    )
    day = connection.ops.adapt_datefield_value
    return sql, ["closed", *sorted(LIVE_STATES), day(today), day(soon), day(today), day(stale)]


def ledger_floor() -> Callable[[], object]:
    from django.db import connection
    from django.utils import timezone

    from zhuanban.org.models import OrgUnit
    from zhuanban.tasks.lifecycle import OPEN_STATES
    from zhuanban.tasks.models import Task, TaskList

    task, task_list, unit = Task._meta.db_table, TaskList._meta.db_table, OrgUnit._meta.db_table
    light, light_params = _light_sql(timezone.localdate())
    open_states = ", ".join(["%s"] * len(OPEN_STATES))
    # Table names come from the models, values go as parameters.
    aggregate = (
        "SELECT office_id, county_id, COUNT(*), "  # noqa: S608 (names from the models)
        "SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN status IN ({open_states}) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN light = 'red' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN light = 'yellow' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN light = 'green' THEN 1 ELSE 0 END) "
        f"FROM (SELECT tl.office_id, t.county_id, t.status, {light} AS light "
        f"FROM {task} t JOIN {task_list} tl ON tl.id = t.task_list_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {task} c WHERE c.parent_id = t.id)) leaves "
        "GROUP BY office_id, county_id"
    )
    aggregate_params = [*sorted(OPEN_STATES), *light_params]
    page = (
        f"SELECT t.*, {light} AS light, tl.title, tl.year, tl.numbering, o.name, lu.name, c.name "  # noqa: S608
        f"FROM {task} t JOIN {task_list} tl ON tl.id = t.task_list_id "
        f"JOIN {unit} o ON o.id = tl.office_id "
        f"LEFT JOIN {unit} lu ON lu.id = t.lead_unit_id "
        f"LEFT JOIN {unit} c ON c.id = t.county_id "
        "ORDER BY tl.year, t.task_list_id, t.sort_path LIMIT 100"
    )

    def run():
        with connection.cursor() as cursor:
            cursor.execute(aggregate, aggregate_params)
            groups = cursor.fetchall()
            cursor.execute(page, light_params)
            return groups, cursor.fetchall()

    return run


# --- (b) the .xlsx export ------------------------------------------------------------


def export_ours(user, workdir: Path) -> Callable[[], object]:
    from zhuanban.tasks import exports, selectors

    def run():
        qs = selectors.ledger(user)
        counts = selectors.ledger_counts(qs)
        with open(workdir / "ours.xlsx", "wb") as out:
            exports.write_ledger_xlsx(
                exports.export_rows(qs),
                out,
                title="重点任务分解台账",
                counts=counts,
                numbering="chinese",
                group_by_list=True,
            )

    return run


def export_floor(workdir: Path) -> tuple[Callable[[], object], int]:
    """openpyxl alone: the same rows × 9 columns of plain values, fetched beforehand."""
    from django.db import connection
    from openpyxl import Workbook

    from zhuanban.org.models import OrgUnit
    from zhuanban.tasks.models import Task

    task, unit = Task._meta.db_table, OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.sort_path, t.content, lu.name, '', t.responsible_leader, "  # noqa: S608
            f"t.due_date, t.status, t.progress, t.remarks FROM {task} t "
            f"LEFT JOIN {unit} lu ON lu.id = t.lead_unit_id"
        )
        rows = [tuple("" if v is None else str(v) for v in row) for row in cursor.fetchall()]

    def run():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("ledger")
        for row in rows:
            ws.append(row)
        with open(workdir / "floor.xlsx", "wb") as out:
            wb.save(out)

    return run, len(rows)


def main() -> None:
    args = parse_args()
    with workspace(args.database_url, args.keep) as workdir:
        from django.contrib.auth import get_user_model

        from zhuanban.org.scoping import scope_for
        from zhuanban.tasks import scale, selectors

        started = time.perf_counter()
        made = scale.seed(counties=args.counties, tasks=args.tasks, reset_first=True)
        figure("seed_s", time.perf_counter() - started, "s")
        figure("tasks", made["tasks"], "count")
        figure("counties", made["counties"], "count")
        figure("task_lists", made["task_lists"], "count")
        leader = get_user_model().objects.get(username=scale.LEADER)
        scope_for(leader)  # computed once per request; not the ledger's work
        counts = selectors.ledger_counts(selectors.ledger(leader))
        for name in ("total", "closed", "red", "yellow", "green"):
            figure(f"measures_{name}", counts[name], "count")

        ours, floor = ledger_page(leader), ledger_floor()
        (ours_s, queries), (floor_s, floor_queries) = best_of(ours), best_of(floor)
        figure("ledger_db_ms", ours_s * 1000, "ms")
        figure("ledger_db_floor_ms", floor_s * 1000, "ms")
        figure("ledger_db_queries", queries, "count")
        figure("ledger_db_floor_queries", floor_queries, "count")
        ratio("ledger_db", ours_s, floor_s)

        liaison = (
            get_user_model()
            .objects.filter(
                username__startswith=scale.PREFIX, role_assignments__role="county_liaison"
            )
            .first()
        )
        scope_for(liaison)
        figure("ledger_db_county_liaison_ms", best_of(ledger_page(liaison))[0] * 1000, "ms")

        ours, (floor, rows) = export_ours(leader, workdir), export_floor(workdir)
        (ours_s, queries), (floor_s, _queries) = best_of(ours), best_of(floor)
        figure("export_xlsx_s", ours_s, "s")
        figure("export_xlsx_floor_s", floor_s, "s")
        figure("export_rows", rows, "count")
        figure("export_xlsx_queries", queries, "count")
        figure("export_xlsx_bytes", (workdir / "ours.xlsx").stat().st_size, "bytes")
        ratio("export_xlsx", ours_s, floor_s)


if __name__ == "__main__":
    main()
