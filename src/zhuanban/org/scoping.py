"""Who may see and change what: the one place that decides it for the org app and the
base that later apps build their own scoping on.

A user sees the org units of their own subtree and of the units they are liaison
for; bureau-wide roles (leaders, office staff, inspectors, the system administrator)
see every unit. They change the records of the offices they belong to.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.permissions import ROLE_PERMS, Perm
from zhuanban.org.roles import ADMIN_ROLES, OFFICE_ROLES, Role

BUREAU_WIDE_ROLES = frozenset({Role.LEADER, Role.INSPECTOR, Role.SYSTEM_ADMIN} | OFFICE_ROLES)


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    sees_all_units: bool = False
    subtree_paths: tuple[str, ...] = ()
    office_ids: frozenset[int] = frozenset()
    perms: frozenset[Perm] = field(default_factory=frozenset)
    # Units the user acts for: liaison roles, and the unit of their profile.
    liaison_unit_ids: frozenset[int] = frozenset()
    own_unit_id: int | None = None
    own_unit_kind: str = ""

    def acts_for_unit(self, unit_id: int | None) -> bool:
        return unit_id is not None and (
            unit_id in self.liaison_unit_ids or unit_id == self.own_unit_id
        )

    @property
    def sees_business_data(self) -> bool:
        """Anyone signed in except the three administrators (三员), who keep the system
        and its audit trail but read no tasks, tables or figures."""
        return self.user_id is not None and not (self.roles and self.roles <= ADMIN_ROLES)

    @property
    def is_enterprise_login(self) -> bool:
        """An enterprise's own login (the brand register's applicants): no role, its
        unit an enterprise. It uses the brand screens only."""
        return self.user_id is not None and not self.roles and self.own_unit_kind == "enterprise"

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_perm(self, perm: Perm) -> bool:
        return perm in self.perms

    def units(self) -> QuerySet[OrgUnit]:
        if self.sees_all_units:
            return OrgUnit.objects.all()
        return OrgUnit.objects.in_subtrees(self.subtree_paths)

    def can_see_unit(self, unit: OrgUnit) -> bool:
        return self.sees_all_units or any(unit.path.startswith(p) for p in self.subtree_paths)

    def can_change_office(self, office: OrgUnit) -> bool:
        return office.pk in self.office_ids


NO_SCOPE = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_zhuanban_scope", None)
    if cached is not None:
        return cached
    assignments = list(
        RoleAssignment.objects.filter(user=user)
        .select_related("unit")
        .only("role", "unit__id", "unit__path")
    )
    roles = frozenset(a.role for a in assignments)
    paths = {a.unit.path for a in assignments if a.unit_id and a.role not in OFFICE_ROLES}
    own_unit = OrgUnit.objects.filter(profiles__user=user).values_list("pk", "path", "kind").first()
    if own_unit:
        paths.add(own_unit[1])
    perms = frozenset().union(*(ROLE_PERMS.get(role, frozenset()) for role in roles))
    scope = Scope(
        user_id=user.pk,
        roles=roles,
        sees_all_units=bool(roles & BUREAU_WIDE_ROLES),
        subtree_paths=tuple(sorted(paths)),
        office_ids=frozenset(a.unit_id for a in assignments if a.role in OFFICE_ROLES),
        perms=perms,
        liaison_unit_ids=frozenset(
            a.unit_id
            for a in assignments
            if a.role in (Role.COUNTY_LIAISON, Role.DEPARTMENT_LIAISON)
        ),
        own_unit_id=own_unit[0] if own_unit else None,
        own_unit_kind=own_unit[2] if own_unit else "",
    )
    user._zhuanban_scope = scope
    return scope


def office_id_by_code(code: str) -> int | None:
    """The special office with this code (one query, never remembered across requests, so
    that an office created, loaded or re-created after the process started is found)."""
    return OrgUnit.objects.offices().filter(code=code).values_list("pk", flat=True).first()


def holds_office(user, code: str) -> bool:
    """A position in the special office with this code (the brand office, the investment
    office …), worked out once per user object and office: one query, and none for a user
    who holds no office position."""
    scope = scope_for(user)
    if not scope.sees_business_data or not scope.office_ids:
        return False
    known = getattr(user, "_zhuanban_offices_held", None)
    if known is None:
        known = user._zhuanban_offices_held = {}
    if code not in known:
        known[code] = OrgUnit.objects.offices().filter(pk__in=scope.office_ids, code=code).exists()
    return known[code]
