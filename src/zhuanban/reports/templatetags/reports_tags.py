from django import template

from zhuanban.reports.scoping import uses_templates

register = template.Library()


@register.inclusion_tag("reports/_subnav.html", takes_context=True)
def reports_nav(context, nav: str = ""):
    """The app's tabs; 汇报材料 only for those who have templates (offices, leaders)."""
    return {"nav": nav, "uses_templates": uses_templates(context["request"].user)}
