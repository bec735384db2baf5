from django.core.management.base import BaseCommand

from zhuanban.assessment import reminders as assessment
from zhuanban.documents import reminders as documents
from zhuanban.investment import reminders as investment
from zhuanban.rectification import services as rectification
from zhuanban.supervision import notice_services
from zhuanban.tasks import services


class Command(BaseCommand):
    help = (
        "Raise due-soon and overdue notices for tasks, rectification items, the replies "
        "to supervision notices, self-assessments and opinion rounds, the topics due for "
        "meetings, the investment projects past their stage clocks, and the automatic "
        "urges. Idempotent: run it daily (or hourly) from cron; running it twice sends "
        "nothing twice."
    )

    def handle(self, *args, **options):
        counts = (
            services.remind()
            | rectification.remind()
            | notice_services.remind_replies()
            | assessment.remind()
            | documents.remind()
            | investment.remind()
        )
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
