from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from zhuanban.dispatch.models import SubmissionStatus

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return SubmissionStatus(status).label if status in SubmissionStatus.values else status


@register.filter
def figure(value, places=None) -> str:
    """A number as a table shows it: grouped thousands are left out (官方报表 style), the
    decimals given or those of the value."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return str(value)
    if places is not None and places != "":
        return format(value.quantize(Decimal(1).scaleb(-int(places))), "f")
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


@register.filter
def lead_text(lead) -> str:
    """超时序 17.8 个百分点 / 落后时序 12.0 个百分点."""
    if lead is None:
        return ""
    if lead >= 0:
        return _("%(points)s points ahead of time") % {"points": figure(lead, 1)}
    return _("%(points)s points behind time") % {"points": figure(-lead, 1)}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def type_label(kind: str) -> str:
    from zhuanban.dispatch.schema import ColumnType

    return ColumnType(kind).label if kind in ColumnType.values else kind


@register.filter
def action_label(action: str) -> str:
    from zhuanban.dispatch.lifecycle import Action

    return Action(action).label if action in Action.values else action
