"""Who sees which job. A job is its owner's: what it exported was scoped to them, so
nobody else opens it or its file (404, as for a job that does not exist). The system
administrator sees the operations page: workers, the schedule and every job's state,
never another person's file."""

from django.http import Http404

from zhuanban.ops.models import Job
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for


def get_job_for_user(user, pk) -> Job:
    job = Job.objects.select_related("result_file").filter(pk=pk, owner=user).first()
    if job is None or not user.is_authenticated:
        raise Http404
    return job


def may_operate(user) -> bool:
    return scope_for(user).has_role(Role.SYSTEM_ADMIN)


def require_operator(user) -> None:
    if not may_operate(user):
        raise Http404
