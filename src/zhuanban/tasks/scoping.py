"""Which tasks a user may see, and who they are to one task.

Leaders and inspectors see every task. Office staff see the lists their office owns.
Everyone sees the assigned (not draft) tasks led by, or shared with, a unit in their
subtree. The three administrators see no business data.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhuanban.org.roles import ADMIN_ROLES, Role
from zhuanban.org.scoping import scope_for
from zhuanban.tasks.lifecycle import Party, Status
from zhuanban.tasks.models import Task, TaskList


def _in_subtrees(field: str, paths: tuple[str, ...]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def visible_tasks(user) -> QuerySet[Task]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Task.objects.none()
    if scope.has_role(Role.LEADER, Role.INSPECTOR):
        return Task.objects.all()
    condition = Q(task_list__office_id__in=scope.office_ids)
    if scope.subtree_paths:
        shared = Task.cooperating_units.through.objects.filter(task_id=OuterRef("pk")).filter(
            _in_subtrees("orgunit", scope.subtree_paths)
        )
        condition |= ~Q(status=Status.DRAFT) & (
            _in_subtrees("lead_unit", scope.subtree_paths) | Q(Exists(shared))
        )
    return Task.objects.filter(condition)


def visible_lists(user) -> QuerySet[TaskList]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return TaskList.objects.none()
    if scope.has_role(Role.LEADER, Role.INSPECTOR):
        return TaskList.objects.all()
    return TaskList.objects.filter(
        Q(office_id__in=scope.office_ids) | Q(pk__in=visible_tasks(user).values("task_list_id"))
    )


def can_manage_list(user, task_list: TaskList) -> bool:
    return task_list.office_id in scope_for(user).office_ids


def parties(user, task: Task) -> set[str]:
    """Who `user` is to `task`: the owning office, the lead unit, a bureau leader."""
    scope = scope_for(user)
    found = set()
    if task.task_list.office_id in scope.office_ids:
        found.add(Party.OFFICE)
    if scope.acts_for_unit(task.lead_unit_id) and not (scope.roles & ADMIN_ROLES):
        found.add(Party.LEAD)
    if scope.has_role(Role.LEADER):
        found.add(Party.LEADER)
    return found
