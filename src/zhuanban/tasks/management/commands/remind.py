from django.core.management.base import BaseCommand

from zhuanban.rectification import services as rectification
from zhuanban.tasks import services


class Command(BaseCommand):
    help = (
        "Raise due-soon and overdue notices for tasks and rectification items, and the "
        "automatic urges. Idempotent: run it daily (or hourly) from cron; running it twice "
        "sends nothing twice."
    )

    def handle(self, *args, **options):
        counts = services.remind() | rectification.remind()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
