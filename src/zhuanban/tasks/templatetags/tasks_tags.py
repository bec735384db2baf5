from django import template
from django.utils.translation import gettext_lazy as _

from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Light

register = template.Library()


@register.filter
def light_label(value: str) -> str:
    return Light(value).label if value in Light.values else ""


_EVENT_LABELS = {
    "create": _("Created"),
    "edit": _("Edited"),
    "auto_urge": _("Urged automatically"),
    "attach": _("Attachment added"),
}


@register.filter
def action_label(value: str) -> str:
    if value in Action.values:
        return Action(value).label
    return _EVENT_LABELS.get(value, value)


@register.simple_tag
def task_number(task, style: str = "") -> str:
    return task.number(style or None)


@register.simple_tag
def task_full_number(task, style: str = "") -> str:
    return task.full_number(style or None)
