"""Long exports in the background, short ones at once, with one pattern for every app:

    # the view (GET answers the file, or the page offering the job; POST queues it)
    return exports.offer(
        request, kind="tasks.ledger", title=..., count=tasks.count(),
        params={"query": request.GET.urlencode()}, answer=lambda: xlsx_attachment(...),
    )

    # the job kind, in the app's jobs.py
    @register("tasks.ledger", unit=gettext_lazy("rows"))
    def ledger(job, progress):
        ...rows for job.owner from job.params...
        return exports.file_outcome(job, lambda out: write(progress.track(rows, n), out),
                                    name, XLSX_CONTENT_TYPE)

A GET never queues anything (a prefetching browser would start jobs): a large export
answers a page with a button that POSTs to the same address."""

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhuanban.ops import services
from zhuanban.ops.models import Job
from zhuanban.ops.registry import JobError, Outcome


def offer(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    count: int,
    params: dict,
    answer: Callable[[], HttpResponse],
) -> HttpResponse:
    if request.method == "POST":
        job = services.start(kind=kind, title=title, owner=request.user, params=params)
        return redirect("ops:job", pk=job.pk)
    if count <= settings.JOB_SYNC_ROWS:
        return answer()
    return render(
        request,
        "ops/offer.html",
        {"title": title, "count": count, "limit": settings.JOB_SYNC_ROWS},
    )


def file_outcome(
    job: Job, write: Callable[[BinaryIO], None], name: str, content_type: str, text: str = ""
) -> Outcome:
    """Write the file to a temporary file beside the data, keep it for the job's owner
    and answer the outcome that offers it for download."""
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="job-", suffix=".part") as out:
        write(out)
        out.flush()
        stored = services.store_result(job, out.name, name, content_type)
    return Outcome(text=text or name, file=stored)


def owner_may_no_longer() -> JobError:
    """The failure of an export job whose owner lost access between start and run (its
    access is checked again as it runs)."""
    return JobError(
        _("You may no longer make this export: your access changed after the job was started.")
    )
