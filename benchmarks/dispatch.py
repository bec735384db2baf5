"""Benchmark: a dispatch round at province scale, against what the database and openpyxl
need at the least.

    .venv/bin/python benchmarks/dispatch.py            # 103 counties × 200 records
    .venv/bin/python benchmarks/dispatch.py --quick    # 20 counties × 50 records (CI)
    .venv/bin/python benchmarks/dispatch.py --database-url postgres://...   # an empty database

It makes a throw-away SQLite database in a temporary directory (or uses the empty
database given), migrates it, and seeds one round of a 30-column records table (mostly
integers and decimals, a text, a choice and a date column) that every county has
answered: 103 × 200 records × 30 columns = 618,000 values by default. Then it measures,
each figure the best of three runs:

- consolidation: `selectors.consolidate` (the sums by unit, group and in total),
  against a floor of one raw GROUP BY over the value store;
- export: the 汇总表 through `exports.write_consolidation_xlsx`, against a floor of one
  raw SELECT of the submissions' rows written by openpyxl as plain values in write-only
  mode (no styles, no ORM, no subtotals);
- upload_validation: one unit's own workbook of 10,000 records (2,000 with --quick),
  made with `workbook.write_unit_workbook` and read back and checked by
  `upload.read_unit_workbook`, against a floor of openpyxl in read-only mode reading
  every value of the same file.

Output is one figure per line, `NAME VALUE UNIT`, and `ratio NAME VALUE` (ours ÷ floor).
"""

import argparse
import datetime
import io
import json
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from harness import add_database_arguments, best_of, figure, ratio, workspace

PREFIX = "bench-"
INTEGERS, DECIMALS = 12, 15  # with the text, choice and date columns: 30
STAGES = ["洽谈", "签约", "落地", "开工", "投产"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="20 counties × 50 records, 2,000-row upload"
    )
    parser.add_argument("--units", type=int, help="counties answering the round")
    parser.add_argument("--rows", type=int, help="records per county")
    parser.add_argument("--upload-rows", type=int, help="records in the uploaded workbook")
    add_database_arguments(parser)
    args = parser.parse_args()
    args.units = args.units or (20 if args.quick else 103)
    args.rows = args.rows or (50 if args.quick else 200)
    args.upload_rows = args.upload_rows or (2_000 if args.quick else 10_000)
    return args


# --- seeding ---------------------------------------------------------------------------


def schema() -> dict:
    columns = [
        {"key": "name", "label": "项目名称", "type": "text", "required": True, "width": 24},
        {"key": "stage", "label": "进展阶段", "type": "choice", "choices": STAGES},
        {"key": "signed_on", "label": "签约日期", "type": "date"},
    ]
    columns += [
        {"key": f"n{i:02d}", "label": f"数量指标{i}", "type": "integer", "unit": "个", "min": 0}
        for i in range(1, INTEGERS + 1)
    ]
    columns += [
        {
            "key": f"d{i:02d}",
            "label": f"金额指标{i}",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "min": 0,
        }
        for i in range(1, DECIMALS + 1)
    ]
    return {"columns": columns}


def typed_row(rng: random.Random, unit_name: str, index: int) -> dict:
    """One record as validation returns it: int, Decimal, date, str."""
    row = {
        "name": f"{unit_name}农牧业项目{index + 1}",
        "stage": rng.choice(STAGES),
        "signed_on": datetime.date(2023, rng.randint(1, 6), rng.randint(1, 28)),
    }
    for i in range(1, INTEGERS + 1):
        row[f"n{i:02d}"] = rng.randint(0, 500)
    for i in range(1, DECIMALS + 1):
        row[f"d{i:02d}"] = Decimal(rng.randint(0, 10_000_000)).scaleb(-2)
    return row


def make_units(count: int):
    """A department, an office and `count` counties in cities of about nine, with a
    unit group per city for the subtotals."""
    from zhuanban.dispatch.models import UnitGroup
    from zhuanban.org.models import OrgUnit
    from zhuanban.org.roles import UnitKind
    from zhuanban.tasks.scale import division_codes

    def level(units, parents):
        OrgUnit.objects.bulk_create(units)
        for unit in units:
            unit.path = f"{parents.get(unit.parent_id, '/')}{unit.pk}/"
            unit.depth = unit.path.count("/") - 2
        OrgUnit.objects.bulk_update(units, ["path", "depth"])
        return {unit.pk: unit.path for unit in units}

    bureau = OrgUnit(code=f"{PREFIX}bureau", name="规模测试农牧厅", kind=UnitKind.BUREAU)
    level([bureau], {})
    office = OrgUnit(code=f"{PREFIX}office", name="招商引资办", kind=UnitKind.OFFICE, parent=bureau)
    level([office], {bureau.pk: bureau.path})
    plan = division_codes(count)
    cities = [
        OrgUnit(
            code=f"{PREFIX}{code}",
            name=f"第{n + 1}市",
            kind=UnitKind.CITY,
            division_code=code,
            sort_order=n,
        )
        for n, (code, _counties) in enumerate(plan)
    ]
    paths = level(cities, {})
    counties = []
    for city, (_code, codes) in zip(cities, plan, strict=True):
        counties += [
            OrgUnit(
                code=f"{PREFIX}{code}",
                name=f"{city.name}第{k + 1}县",
                kind=UnitKind.COUNTY,
                parent=city,
                division_code=code,
                sort_order=len(counties) + k,
            )
            for k, code in enumerate(codes)
        ]
    level(counties, paths)
    for n, city in enumerate(cities):
        group = UnitGroup.objects.create(name=f"{city.name}地区", sort_order=n)
        group.units.add(*(c for c in counties if c.parent_id == city.pk))
    return office, counties


def seed(units: int, rows: int):
    """The round, answered and approved by every county.

    The submissions' rows and the value store are written directly (a bulk update and
    raw multi-row inserts), bypassing `services.submission_submit` (validation,
    revisions, events, audit) for speed; they hold what the service would have stored.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from zhuanban.dispatch import services
    from zhuanban.dispatch.models import (
        Cadence,
        DataValue,
        RowMode,
        Submission,
        SubmissionStatus,
    )
    from zhuanban.dispatch.periods import Period, PeriodKind
    from zhuanban.dispatch.validation import row_to_json
    from zhuanban.org.models import RoleAssignment
    from zhuanban.org.roles import Role

    rng = random.Random(2023)  # noqa: S311 (made-up figures, not secrets)
    with transaction.atomic():
        office, counties = make_units(units)
        staff = get_user_model().objects.create_user(username=f"{PREFIX}office")
        RoleAssignment.objects.create(user=staff, role=Role.OFFICE_MEMBER, unit=office)
        template = services.template_create(
            actor=staff,
            office=office,
            code=f"{PREFIX}projects",
            title="农牧业招商引资签约落地项目情况表",
            schema=schema(),
            units=counties,
            row_mode=RowMode.RECORDS,
        )
        today = timezone.localdate()
        round_ = services.round_open(
            actor=staff,
            template=template,
            cadence=Cadence.MONTHLY_DISPATCH,
            period=Period(2023, PeriodKind.MONTH, 6),
            opens_on=today - datetime.timedelta(days=5),
            due_on=today + datetime.timedelta(days=5),
            locks_on=today + datetime.timedelta(days=10),
        )
        table = round_.template_version.table
        numeric = {c.key for c in table.columns if c.is_numeric}
        now = timezone.now()
        names = {unit.pk: unit.name for unit in counties}
        submissions = list(Submission.objects.filter(round=round_))
        quote = connection.ops.quote_name
        fields = ("submission_id", "round_id", "unit_id", "row", "column", "number", "text")
        insert = (
            f"INSERT INTO {quote(DataValue._meta.db_table)} "  # noqa: S608 (names from the model)
            f"({', '.join(quote(f) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
        )
        values = 0
        with connection.cursor() as cursor:
            for submission in submissions:
                typed = [typed_row(rng, names[submission.unit_id], i) for i in range(rows)]
                submission.data = [row_to_json(table, row) for row in typed]
                submission.status = SubmissionStatus.APPROVED
                submission.revision = 1
                submission.first_submitted_at = submission.submitted_at = now
                submission.approved_at = now
                batch = [
                    (
                        submission.pk,
                        round_.pk,
                        submission.unit_id,
                        index,
                        key,
                        value if key in numeric else None,
                        "" if key in numeric else str(value),
                    )
                    for index, row in enumerate(typed)
                    for key, value in row.items()
                ]
                cursor.executemany(insert, batch)
                values += len(batch)
        Submission.objects.bulk_update(
            submissions,
            ["data", "status", "revision", "first_submitted_at", "submitted_at", "approved_at"],
            batch_size=10,
        )
    return round_, counties, values


# --- (a) consolidation ----------------------------------------------------------------


def consolidation_floor(round_) -> Callable[[], object]:
    from django.db import connection

    from zhuanban.dispatch.models import DataValue

    # The table name comes from the model, the round as a parameter.
    sql = (
        f'SELECT unit_id, "column", SUM(number) FROM {DataValue._meta.db_table} '  # noqa: S608
        'WHERE round_id = %s GROUP BY unit_id, "column"'
    )

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [round_.pk])
            return cursor.fetchall()

    return run


# --- (b) the 汇总表 export -----------------------------------------------------------


def export_ours(round_, workdir: Path) -> tuple[Callable[[], object], list[int]]:
    from zhuanban.dispatch import exports

    written: list[int] = []

    def run():
        with open(workdir / "ours.xlsx", "wb") as out:
            written.append(exports.write_consolidation_xlsx(round_, out))

    return run, written


def export_floor(round_, workdir: Path, keys: list[str]) -> tuple[Callable[[], object], list]:
    """openpyxl alone: every record with its unit, as plain values, from one raw query."""
    from django.db import connection
    from openpyxl import Workbook

    from zhuanban.dispatch.models import Submission
    from zhuanban.org.models import OrgUnit

    sql = (
        f"SELECT u.name, s.data FROM {Submission._meta.db_table} s "  # noqa: S608
        f"JOIN {OrgUnit._meta.db_table} u ON u.id = s.unit_id "
        "WHERE s.round_id = %s ORDER BY u.sort_order, u.code"
    )
    counted: list = []

    def run():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("summary")
        rows = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, [round_.pk])
            for name, data in cursor:
                records = json.loads(data) if isinstance(data, str) else data
                for number, record in enumerate(records, start=1):
                    ws.append([number, name, *(record.get(key) for key in keys)])
                    rows += 1
        with open(workdir / "floor.xlsx", "wb") as out:
            wb.save(out)
        counted.append(rows)

    return run, counted


# --- (c) one unit's upload -------------------------------------------------------------


def upload(round_, counties, count: int) -> tuple[Callable[[], object], Callable[[], object]]:
    """(ours, floor) over one county's workbook of `count` records, made once."""
    from openpyxl import load_workbook

    from zhuanban.dispatch import upload as upload_module
    from zhuanban.dispatch import workbook
    from zhuanban.dispatch.models import Submission

    submission = Submission.objects.select_related(
        "round", "round__template", "round__template_version", "unit"
    ).get(round=round_, unit=counties[0])
    rng = random.Random(2024)  # noqa: S311 (made-up figures, not secrets)
    rows = [typed_row(rng, submission.unit.name, i) for i in range(count)]
    buffer = io.BytesIO()
    workbook.write_unit_workbook(submission, buffer, rows=rows)
    content = buffer.getvalue()
    figure("upload_bytes", len(content), "bytes")

    def ours():
        result = upload_module.read_unit_workbook(io.BytesIO(content), submission)
        if not result.is_valid or len(result.rows) != count:
            problems = "; ".join(str(p) for p in list(result.problems)[:5])
            raise SystemExit(f"the upload did not read back: {len(result.rows)} rows, {problems}")
        return result

    def floor():
        wb = load_workbook(io.BytesIO(content), read_only=True)
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
        return cells

    return ours, floor


def main() -> None:
    args = parse_args()
    with workspace(args.database_url, args.keep) as workdir:
        from zhuanban.dispatch.models import DispatchRound
        from zhuanban.dispatch.selectors import consolidate

        started = time.perf_counter()
        round_, counties, values = seed(args.units, args.rows)
        figure("seed_s", time.perf_counter() - started, "s")
        figure("units", len(counties), "count")
        figure("records", len(counties) * args.rows, "count")
        figure("values", values, "count")
        round_ = DispatchRound.objects.select_related("template", "template_version").get(
            pk=round_.pk
        )
        keys = [column.key for column in round_.template_version.table.columns]
        figure("columns", len(keys), "count")

        def ours():
            return consolidate(round_)

        floor = consolidation_floor(round_)
        result = ours()
        if result.reported != len(counties) or result.records != len(counties) * args.rows:
            raise SystemExit("the consolidation does not count what was seeded")
        (ours_s, queries), (floor_s, _queries) = best_of(ours), best_of(floor)
        figure("consolidation_ms", ours_s * 1000, "ms")
        figure("consolidation_floor_ms", floor_s * 1000, "ms")
        figure("consolidation_queries", queries, "count")
        ratio("consolidation", ours_s, floor_s)

        ours, written = export_ours(round_, workdir)
        floor, counted = export_floor(round_, workdir, keys)
        (ours_s, queries), (floor_s, _queries) = best_of(ours), best_of(floor)
        figure("export_s", ours_s, "s")
        figure("export_floor_s", floor_s, "s")
        figure("export_rows", written[-1], "count")
        figure("export_floor_rows", counted[-1], "count")
        figure("export_queries", queries, "count")
        figure("export_bytes", (workdir / "ours.xlsx").stat().st_size, "bytes")
        ratio("export", ours_s, floor_s)

        try:
            ours, floor = upload(round_, counties, args.upload_rows)
        except ImportError as missing:
            print(f"upload_validation skipped: {missing}", file=sys.stderr)
        else:
            (ours_s, _queries), (floor_s, _queries) = best_of(ours), best_of(floor)
            figure("upload_rows", args.upload_rows, "count")
            figure("upload_validation_s", ours_s, "s")
            figure("upload_floor_s", floor_s, "s")
            ratio("upload_validation", ours_s, floor_s)


if __name__ == "__main__":
    main()
