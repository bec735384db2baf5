"""Access helpers: the only way a view or endpoint fetches a task or list (404 when
the user may not see it, 403 when they may see but not change it)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuanban.tasks.models import ExtensionRequest, Task, TaskList
from zhuanban.tasks.scoping import can_manage_list, visible_lists, visible_tasks


def get_task_for_user(user, pk: int) -> Task:
    task = (
        visible_tasks(user)
        .with_light()
        .select_related("task_list", "task_list__office", "lead_unit", "parent", "county")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def get_list_for_user(user, pk: int, *, manage: bool = False) -> TaskList:
    task_list = visible_lists(user).select_related("office").filter(pk=pk).first()
    if task_list is None:
        raise Http404
    if manage and not can_manage_list(user, task_list):
        raise PermissionDenied
    return task_list


def get_extension_for_user(user, pk: int) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_related("task").filter(pk=pk).first()
    if request is None or not visible_tasks(user).filter(pk=request.task_id).exists():
        raise Http404
    return request
