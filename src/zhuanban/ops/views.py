"""My jobs and downloads, a job's page with its progress bar (HTMX polls the bar's
fragment until the job ends), its file, and the operations page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhuanban.core.downloads import serve_stored_file
from zhuanban.ops import access, selectors, services
from zhuanban.ops.lifecycle import JobStatus


@require_GET
@login_required
def jobs(request):
    page = Paginator(selectors.jobs_of(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ops/jobs.html",
        {
            "page": page,
            "keep_days": settings.JOB_KEEP_DAYS,
            "may_operate": access.may_operate(request.user),
        },
    )


@require_GET
@login_required
def job(request, pk):
    found = access.get_job_for_user(request.user, pk)
    return render(request, "ops/job.html", _progress_context(found))


@require_GET
@login_required
def job_progress(request, pk):
    found = access.get_job_for_user(request.user, pk)
    return render(request, "ops/_progress.html", _progress_context(found))


def _progress_context(job) -> dict:
    return {"job": job, "no_worker": selectors.waits_for_a_worker(job)}


@require_GET
@login_required
def job_download(request, pk):
    found = access.get_job_for_user(request.user, pk)
    if found.status != JobStatus.SUCCEEDED or found.result_file is None:
        raise Http404
    return serve_stored_file(request, found.result_file, context=found)


@require_GET
@login_required
def overview(request):
    access.require_operator(request.user)
    return render(
        request,
        "ops/overview.html",
        {
            "workers": selectors.live_workers(),
            "schedule": selectors.schedule_rows(),
            "jobs": selectors.recent_jobs(),
        },
    )


@require_POST
@login_required
def backup_start(request):
    access.require_operator(request.user)
    job = services.start(kind="ops.backup", title=_("Backup"), owner=request.user)
    return redirect("ops:job", pk=job.pk)
