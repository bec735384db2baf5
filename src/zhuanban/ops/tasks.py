"""The one task the queue knows: run a job by its id. Everything a job needs is on its
row, so a task is a few bytes and any worker on any host can run it."""

import os

from django_tasks import task

from zhuanban.ops import services


@task(takes_context=True)
def run_job(context, job_id: str) -> str | None:
    worker_ids = context.task_result.worker_ids
    worker_id = worker_ids[-1] if worker_ids else f"{services.HOST}:{os.getpid()}"
    status = services.execute(job_id, worker_id)
    return str(status) if status else None
