"""Every change to org records: validated, permission-checked, transactional, audited."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.models import ApiToken
from zhuanban.org.models import OrgUnit, Profile, RoleAssignment
from zhuanban.org.permissions import Perm
from zhuanban.org.roles import role_set_problems
from zhuanban.org.scoping import scope_for


def _require(actor, perm: Perm) -> None:
    if actor is not None and not scope_for(actor).has_perm(perm):
        raise PermissionDenied


def _before(instance: models.Model) -> dict | None:
    if instance.pk is None:
        return None
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return audit.snapshot(stored) if stored is not None else None


@transaction.atomic
def unit_save(*, actor, unit: OrgUnit) -> OrgUnit:
    """Create or update a unit, keeping the materialised paths of its subtree right.

    `actor=None` is the system itself (the demo loader, migrations).
    """
    _require(actor, Perm.MANAGE_ORG)
    unit.full_clean()
    before = _before(unit)
    old_path = before["path"] if before else None
    if unit.pk is None:
        unit.path = ""
        unit.save()
    parent_path = (
        OrgUnit.objects.values_list("path", flat=True).get(pk=unit.parent_id)
        if unit.parent_id
        else "/"
    )
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    unit.save()
    if old_path and old_path != unit.path:
        # Re-root every descendant in one statement.
        depth_delta = unit.depth - before["depth"]
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=models.F("depth") + depth_delta,
        )
    audit.record_change(actor=actor, instance=unit, before=before)
    return unit


@transaction.atomic
def unit_delete(*, actor, unit: OrgUnit) -> None:
    _require(actor, Perm.MANAGE_ORG)
    if unit.children.exists():
        raise ValidationError(
            _("A unit with sub-units cannot be deleted; move or delete them first."),
            code="has_children",
        )
    before = audit.snapshot(unit)
    audit.record_delete(actor=actor, instance=unit, before=before)
    unit.delete()


@transaction.atomic
def office_update(*, actor, office: OrgUnit, duties: str, phone: str) -> OrgUnit:
    """An office's own staff keep its duties and contact phone up to date."""
    if not scope_for(actor).can_change_office(office):
        raise PermissionDenied
    before = _before(office)  # from the database: a bound form may have changed the instance
    office.duties = duties
    office.phone = phone
    office.full_clean()
    office.save(update_fields=["duties", "phone"])
    audit.record_change(actor=actor, instance=office, before=before)
    return office


def validate_role_set(assignments: list[tuple[str, int | None]]) -> None:
    problems = role_set_problems(assignments)
    if problems:
        raise ValidationError([ValidationError(p, code="role_conflict") for p in problems])


@transaction.atomic
def role_assign(*, actor, user, role: str, unit: OrgUnit | None = None) -> RoleAssignment:
    """Grant a role. Only the security administrator does this (三员分立): the system
    administrator creates the login, the security administrator decides what it may do."""
    _require(actor, Perm.MANAGE_SECURITY)
    existing = list(RoleAssignment.objects.filter(user=user).values_list("role", "unit_id"))
    validate_role_set([*existing, (role, unit.pk if unit else None)])
    assignment = RoleAssignment(user=user, role=role, unit=unit)
    assignment.full_clean()
    assignment.save()
    audit.record_change(actor=actor, instance=assignment, before=None)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require(actor, Perm.MANAGE_SECURITY)
    audit.record_delete(actor=actor, instance=assignment, before=audit.snapshot(assignment))
    assignment.delete()


def _perm_for(instance: models.Model, perm: Perm) -> Perm:
    """Role assignments are the security administrator's whatever screen saves them."""
    return Perm.MANAGE_SECURITY if isinstance(instance, RoleAssignment) else perm


@transaction.atomic
def record_save(*, actor, instance: models.Model, perm: Perm = Perm.MANAGE_ORG) -> models.Model:
    """Save a plain record (no lifecycle of its own) with validation and an audit entry."""
    _require(actor, _perm_for(instance, perm))
    instance.full_clean()
    if isinstance(instance, RoleAssignment):
        others = RoleAssignment.objects.filter(user_id=instance.user_id).exclude(pk=instance.pk)
        pairs = list(others.values_list("role", "unit_id"))
        validate_role_set([*pairs, (instance.role, instance.unit_id)])
    before = _before(instance)
    instance.save()
    audit.record_change(actor=actor, instance=instance, before=before)
    return instance


@transaction.atomic
def record_delete(*, actor, instance: models.Model, perm: Perm = Perm.MANAGE_ORG) -> None:
    _require(actor, _perm_for(instance, perm))
    audit.record_delete(actor=actor, instance=instance, before=audit.snapshot(instance))
    instance.delete()


@transaction.atomic
def api_token_issue(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`; returns the record and the secret, shown once."""
    _require(actor, Perm.MANAGE_ACCOUNTS)
    raw, digest = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, digest=digest)
    audit.record_change(actor=actor, instance=token, before=None)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    _require(actor, Perm.MANAGE_ACCOUNTS)
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record_change(actor=actor, instance=token, before=before)


@transaction.atomic
def person_create(
    *,
    actor,
    username: str,
    name: str,
    unit: OrgUnit,
    title: str = "",
    phone: str = "",
    password_hash: str | None = None,
):
    """Create a login with its profile. Without `password_hash` the account has no usable
    password until an administrator sets one."""
    _require(actor, Perm.MANAGE_ACCOUNTS)
    user = get_user_model()(username=username, first_name=name)
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = Profile(user=user, unit=unit, title=title, phone=phone)
    profile.full_clean()
    profile.save()
    audit.record_change(actor=actor, instance=user, before=None)
    audit.record_change(actor=actor, instance=profile, before=None)
    return user
