"""`zhuanban seed_scale`: a province-sized data set for benchmarks and load tests.

    zhuanban seed_scale                         # 103 counties, 20,000 tasks
    zhuanban seed_scale --counties 2800 --tasks 500000 --reset
    zhuanban seed_scale --password 'Scale@2023' # accounts that can log in (load tests)

The work is done by `zhuanban.tasks.scale.seed`, which benchmarks call directly.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhuanban.tasks import scale


class Command(BaseCommand):
    help = (
        "Create scale data: cities, counties, offices, people and task lists with many "
        "tasks (marked 'scale-'; refuses to run twice unless --reset)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, default=103)
        parser.add_argument("--tasks", type=int, default=20_000)
        parser.add_argument(
            "--lists", type=int, default=None, help="Task lists (default: one per 250 tasks)."
        )
        parser.add_argument("--offices", type=int, default=9)
        parser.add_argument("--seed", type=int, default=2023, help="Random seed.")
        parser.add_argument(
            "--password",
            default=None,
            help="Password for every scale account (default: none can log in).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the scale data made before (and only that), then make it again.",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Scale data exists only in demo mode (ZHUANBAN_DEMO=1).")
        started = time.perf_counter()
        try:
            counts = scale.seed(
                counties=options["counties"],
                tasks=options["tasks"],
                lists=options["lists"],
                offices=options["offices"],
                password=options["password"],
                random_seed=options["seed"],
                reset_first=options["reset"],
            )
        except scale.AlreadySeeded as error:
            raise CommandError(
                "Scale data is already in this database; use --reset to replace it."
            ) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Scale data made in {elapsed:.1f} s: {summary}."))
        self.stdout.write(f"Leader account: {scale.LEADER}")
