"""What every benchmark script shares: a throw-away database, Django started against
it, timing (best of three) with the queries counted, and the output lines
`NAME VALUE UNIT` and `ratio NAME VALUE` (ours ÷ floor; lower is better)."""

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3


def add_database_arguments(parser) -> None:
    parser.add_argument(
        "--database-url", help="An empty database to use instead of a temporary SQLite file"
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory")


@contextlib.contextmanager
def workspace(database_url: str | None, keep: bool) -> Iterator[Path]:
    """A temporary directory with Django started on a migrated database inside it (or on
    the empty database given)."""
    workdir = Path(tempfile.mkdtemp(prefix="zhuanban-bench-"))
    try:
        setup_django(workdir, database_url)
        yield workdir
    finally:
        if keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def setup_django(workdir: Path, database_url: str | None) -> None:
    """Point the settings at the temporary directory, then start Django."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhuanban.settings"
    os.environ["ZHUANBAN_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def figure(name: str, value: float, unit: str) -> None:
    print(f"{name} {value:.1f} {unit}" if isinstance(value, float) else f"{name} {value} {unit}")


def ratio(name: str, ours: float, floor: float) -> None:
    print(f"ratio {name} {ours / floor:.1f}")


def best_of(function: Callable[[], object], runs: int = RUNS) -> tuple[float, int]:
    """The best time of `runs` runs, and the queries of the last one: counting them costs
    next to nothing, and a run of a full export is too dear to repeat just to count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = 0
    for run in range(runs):
        started = time.perf_counter()
        if run == runs - 1:
            with CaptureQueriesContext(connection) as captured:
                function()
            queries = len(captured)
        else:
            function()
        best = min(best, time.perf_counter() - started)
    return best, queries
