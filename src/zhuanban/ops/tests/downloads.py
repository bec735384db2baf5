"""For the apps' tests of their export jobs: the file a finished job offers its owner."""

from django.urls import reverse

from zhuanban.ops.lifecycle import JobStatus


def job_download(client, job) -> bytes:
    """The job's file as its owner downloads it (the job must have succeeded)."""
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    response = client.get(reverse("ops:job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)
