"""Access helpers: the only way a view or endpoint fetches an org record.

404 when the user may not see it; 403 when they may see it but not change it.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuanban.org.models import Chain, OrgUnit
from zhuanban.org.permissions import Perm
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for


def get_unit_for_user(user, pk: int) -> OrgUnit:
    unit = scope_for(user).units().select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def get_office_for_user(user, pk: int, *, write: bool = False) -> OrgUnit:
    """Every signed-in user may see an office's page (offices dispatch to everyone)."""
    office = OrgUnit.objects.offices().filter(pk=pk).first()
    if office is None:
        raise Http404
    if write and not scope_for(user).can_change_office(office):
        raise PermissionDenied
    return office


def get_chain_for_user(user, code: str) -> Chain:
    chain = Chain.objects.filter(code=code).first()
    if chain is None:
        raise Http404
    return chain


def require_business_data(user) -> None:
    """403 for the three administrators (三员): they keep the system, not its contents."""
    if not scope_for(user).sees_business_data:
        raise PermissionDenied


def require_perm(perm: Perm):
    """View decorator: 403 unless the user's roles grant `perm`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not scope_for(request.user).has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


__all__ = [
    "UnitKind",
    "get_chain_for_user",
    "get_office_for_user",
    "get_unit_for_user",
    "require_business_data",
    "require_perm",
]
