"""Who sees and changes the investment pipeline (the one place that decides it for this app).

- The investment office's staff keep the register: projects, their stages, the stage
  clocks and the promotion activities.
- Bureau leaders, inspectors and the other offices' staff read all of it; a leader urges
  a stalled project.
- A county's liaison reads the projects and activities of the county, enters them, moves
  their stages and reports their progress (the county fills the 签约落地项目情况表).
- The people acting for a project's responsible unit, and its responsible leader, read it
  and report its progress.
- Upward applications (向上争取) belong to the office that seeks: its staff keep them;
  leaders, inspectors and every office's staff read them all.
- The three administrators, enterprise logins and outsiders see none of it.
"""

from django.conf import settings
from django.db.models import Q, QuerySet

from zhuanban.investment.lifecycle import Party
from zhuanban.investment.models import Activity, Project, UpwardApplication
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import OFFICE_ROLES, Role
from zhuanban.org.scoping import holds_office, office_id_by_code, scope_for

READ_ALL_ROLES = frozenset({Role.LEADER, Role.INSPECTOR} | OFFICE_ROLES)


def investment_office_id() -> int | None:
    return office_id_by_code(settings.INVESTMENT_OFFICE_CODE)


def is_investment_staff(user) -> bool:
    return holds_office(user, settings.INVESTMENT_OFFICE_CODE)


def sees_all(user) -> bool:
    scope = scope_for(user)
    return (
        scope.sees_business_data
        and not scope.is_enterprise_login
        and scope.has_role(*READ_ALL_ROLES)
    )


def _in_subtrees(field: str, paths) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def visible_projects(user) -> QuerySet[Project]:
    scope = scope_for(user)
    if not scope.sees_business_data or scope.is_enterprise_login:
        return Project.objects.none()
    if sees_all(user):
        return Project.objects.all()
    condition = (
        _in_subtrees("county", scope.subtree_paths)
        | _in_subtrees("responsible_unit", scope.subtree_paths)
        | Q(leader_id=user.pk)
    )
    if scope.liaison_unit_ids:
        condition |= Q(responsible_unit_id__in=scope.liaison_unit_ids)
    return Project.objects.filter(condition)


def visible_activities(user) -> QuerySet[Activity]:
    scope = scope_for(user)
    if not scope.sees_business_data or scope.is_enterprise_login:
        return Activity.objects.none()
    if sees_all(user):
        return Activity.objects.all()
    return Activity.objects.filter(
        _in_subtrees("county", scope.subtree_paths) | _in_subtrees("organiser", scope.subtree_paths)
    )


def visible_upward(user) -> QuerySet[UpwardApplication]:
    if not sees_all(user):
        return UpwardApplication.objects.none()
    return UpwardApplication.objects.all()


def parties(user, project: Project) -> set[str]:
    """What the user is to this project (empty: a reader, or nobody)."""
    scope = scope_for(user)
    if not scope.sees_business_data or scope.is_enterprise_login:
        return set()
    found: set[str] = set()
    if is_investment_staff(user):
        found.add(Party.OFFICE)
    if scope.has_role(Role.LEADER):
        found.add(Party.LEADER)
    if scope.has_role(Role.COUNTY_LIAISON) and project.county_id in scope.liaison_unit_ids:
        found.add(Party.COUNTY)
    if project.leader_id == user.pk or (
        project.responsible_unit_id is not None and scope.acts_for_unit(project.responsible_unit_id)
    ):
        found.add(Party.RESPONSIBLE)
    return found


def counties_entered_by(user) -> list[int] | None:
    """The counties whose projects and activities the user may enter: None for the
    investment office (any county), the liaison's own counties otherwise."""
    if is_investment_staff(user):
        return None
    scope = scope_for(user)
    if not scope.sees_business_data or not scope.has_role(Role.COUNTY_LIAISON):
        return []
    return sorted(
        OrgUnit.objects.filter(pk__in=scope.liaison_unit_ids, kind="county").values_list(
            "pk", flat=True
        )
    )


def may_keep_upward(user, application: UpwardApplication | None = None) -> bool:
    """Office staff keep their own office's upward applications (and create them)."""
    scope = scope_for(user)
    if not scope.sees_business_data or not scope.office_ids:
        return False
    return application is None or application.office_id in scope.office_ids


def reads_pipeline(user, records: QuerySet) -> bool:
    """Whether the pipeline's screens exist for the user: not for the three
    administrators, enterprise logins and outsiders. A county liaison reads their county's
    records even while there are none; someone with neither a unit nor a reading role (a
    project's responsible leader, say) only when `records`, what they see, is not empty."""
    scope = scope_for(user)
    if not scope.sees_business_data or scope.is_enterprise_login:
        return False
    if sees_all(user) or scope.subtree_paths or scope.liaison_unit_ids:
        return True
    return records.exists()
