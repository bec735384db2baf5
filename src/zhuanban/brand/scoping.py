"""Who sees and changes the brand register (the one place that decides it for this app).

- The brand office's staff keep the register: enterprises, applications (they review
  them and may enter them for an enterprise), licences, re-reviews, sales.
- Bureau leaders, inspectors and the other offices' staff read all of it.
- A county's liaison reads the enterprises of the county and does the first review of
  their applications.
- An enterprise's own login (a person whose unit is the enterprise's unit) reads its
  own enterprise, drafts and submits its applications, reports its re-review and logo
  use, and answers its rectification items in the shared loop.
- The three administrators see none of it; the public sees only the verification page.
"""

from django.conf import settings
from django.db.models import Q, QuerySet

from zhuanban.brand.lifecycle import Party
from zhuanban.brand.models import Application, Enterprise, Licence, Review
from zhuanban.org.roles import OFFICE_ROLES, Role
from zhuanban.org.scoping import holds_office, office_id_by_code, scope_for

READ_ALL_ROLES = frozenset({Role.LEADER, Role.INSPECTOR} | OFFICE_ROLES)


def brand_office_id() -> int | None:
    return office_id_by_code(settings.BRAND_OFFICE_CODE)


def is_brand_staff(user) -> bool:
    return holds_office(user, settings.BRAND_OFFICE_CODE)


def sees_all(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and scope.has_role(*READ_ALL_ROLES)


def visible_enterprises(user) -> QuerySet[Enterprise]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Enterprise.objects.none()
    if sees_all(user):
        return Enterprise.objects.all()
    condition = Q(pk__in=[])
    for path in scope.subtree_paths:
        condition |= Q(unit__path__startswith=path)
    return Enterprise.objects.filter(condition)


def visible_applications(user) -> QuerySet[Application]:
    return Application.objects.filter(enterprise__in=visible_enterprises(user))


def visible_licences(user) -> QuerySet[Licence]:
    return Licence.objects.filter(enterprise__in=visible_enterprises(user))


def visible_reviews(user) -> QuerySet[Review]:
    return Review.objects.filter(licence__enterprise__in=visible_enterprises(user))


def parties(user, enterprise: Enterprise) -> set[str]:
    """What the user is to this enterprise (empty: a reader, or nobody)."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return set()
    found: set[str] = set()
    if is_brand_staff(user):
        found.add(Party.OFFICE)
    if scope.has_role(Role.LEADER):
        found.add(Party.LEADER)
    if scope.has_role(Role.COUNTY_LIAISON) and enterprise.county_id in scope.liaison_unit_ids:
        found.add(Party.COUNTY)
    if scope.own_unit_id is not None and scope.own_unit_id == enterprise.unit_id:
        found.add(Party.ENTERPRISE)
    return found


def enterprise_of_user(user) -> Enterprise | None:
    """The enterprise an applicant login belongs to, if any."""
    scope = scope_for(user)
    if not scope.sees_business_data or scope.own_unit_id is None:
        return None
    return Enterprise.objects.filter(unit_id=scope.own_unit_id).first()
