"""The only way a view or endpoint fetches a rectification item: 404 when the user may
not see it; what they may do is decided by the lifecycle table (services)."""

from django.http import Http404

from zhuanban.rectification.models import Rectification
from zhuanban.rectification.scoping import visible_items


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
