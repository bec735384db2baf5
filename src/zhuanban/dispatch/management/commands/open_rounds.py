"""Open the dispatch rounds of the current period from their schedules, lock the rounds
past their lock date and remind the units that have not reported as the due date nears
and once it has passed. Idempotent: run it daily from cron (or every hour)."""

import datetime

from django.core.management.base import BaseCommand

from zhuanban.dispatch.services import open_scheduled_rounds, remind_rounds


class Command(BaseCommand):
    help = "Open scheduled dispatch rounds, lock rounds past their lock date, remind late units."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="as if today were")

    def handle(self, *args, date=None, **options):
        counts = open_scheduled_rounds(date)
        reminded = remind_rounds(date)
        self.stdout.write(
            f"opened {counts['opened']} locked {counts['locked']} reminded {reminded}"
        )
