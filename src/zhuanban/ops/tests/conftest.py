"""Job kinds that exist only in the tests: they exercise the runner without any domain
app's work."""

from django.db import OperationalError, transaction
from django.utils.translation import gettext_lazy

from zhuanban.core.models import Notification
from zhuanban.ops import services
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome, register


@register("test.count", unit=gettext_lazy("rows"))
def count(job, progress) -> Outcome:
    n = job.params.get("n", 10)
    for _item in progress.track(range(n), n, "counting"):
        if job.params.get("fail_at") == progress.job.done:
            raise JobError(f"row {progress.job.done} is wrong")
        if job.params.get("crash_at") == progress.job.done:
            raise RuntimeError("a bug")
        if job.params.get("db_lost_at") == progress.job.done and job.attempts <= job.params.get(
            "db_lost_runs", 1
        ):
            raise OperationalError("terminating connection due to administrator command")
    return Outcome(text=f"counted {n}", url=job.params.get("url", ""))


@register("test.write")
def write(job, progress) -> Outcome:
    """Changes data and marks itself done in the same transaction."""
    if job.params.get("stolen"):  # given up as dead meanwhile, and claimed by another
        Job.objects.filter(pk=job.pk).update(worker_id="thief")
    with transaction.atomic():
        Notification.objects.create(recipient=job.owner, kind="test", title="written")
        if job.params.get("crash"):
            raise RuntimeError("after the write, before the commit")
        return services.succeed(job, Outcome(text="written")) and Outcome(text="written")
