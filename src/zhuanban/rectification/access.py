"""The only way a view or endpoint fetches a rectification item: 404 when the user may
not see it, 403 when they may see it but the lifecycle table never lets them take the
action (whether the item's state allows it now is the services' question)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhuanban.rectification.lifecycle import TRANSITIONS
from zhuanban.rectification.models import Rectification
from zhuanban.rectification.scoping import parties, visible_items


def get_item_for_user(user, pk: int) -> Rectification:
    item = (
        visible_items(user)
        .with_light()
        .select_related("office", "unit", "county", "raised_by", "source_type")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def parties_for_action(action: str) -> frozenset[str]:
    """Who may ever take `action`, in whatever state the item is."""
    found: frozenset[str] = frozenset()
    for (_state, candidate), (_next, allowed) in TRANSITIONS.items():
        if candidate == action:
            found |= allowed
    return found


def require_party(user, item: Rectification, action: str) -> None:
    """403 before any form is read: the unit does not verify its own report, the office
    does not report for the unit, an inspector only reads."""
    if not (parties(user, item) & parties_for_action(action)):
        raise PermissionDenied
