from django.core.management.base import BaseCommand

from zhuanban.tasks import services


class Command(BaseCommand):
    help = (
        "Raise due-soon and overdue task notices and automatic urges. Idempotent: run it "
        "daily (or hourly) from cron; running it twice sends nothing twice."
    )

    def handle(self, *args, **options):
        counts = services.remind()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
