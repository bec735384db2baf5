"""Template helpers of the investment app: amounts with their unit spelt out, and the
sub-navigation's current tab."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from zhuanban.investment import scoping
from zhuanban.investment.models import LIGHT_CHOICES, WAN_PER_YI
from zhuanban.investment.selectors_upward import yoy_text

register = template.Library()


def _grouped(amount: Decimal) -> str:
    """Two decimals with thousands commas, as official tables print amounts in every
    language (Django's zh-hans format has no thousands separator)."""
    return f"{amount:,.2f}"


@register.filter
def wan(value) -> str:
    """An amount in 万元, always with its unit: "32,000.00 万元" ("—" for none)."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s 万元") % {"amount": _grouped(Decimal(value))}


@register.filter
def yi(value) -> str:
    """An amount given in 万元 shown in 亿元: "3.20 亿元"."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s 亿元") % {"amount": _grouped(Decimal(value) / WAN_PER_YI)}


@register.filter
def yoy(growth) -> str:
    """A change on the year before in a bureau's words ("同比增加25.0%")."""
    return yoy_text(growth)


# Which tab a page belongs to, by URL name prefix (the pipeline by default).
_SECTIONS = (
    ("project", "projects"),
    ("clock", "clocks"),
    ("activit", "activities"),
    ("upward", "upward"),
)


@register.simple_tag(takes_context=True)
def investment_nav(context) -> dict:
    """The current tab, and whether the user keeps the register (the investment office)."""
    request = context.get("request")
    if request is None:
        return {"section": "home", "office": False, "upward": False}
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match and match.url_name else ""
    section = next((tab for prefix, tab in _SECTIONS if url_name.startswith(prefix)), "home")
    return {
        "section": section,
        "office": scoping.is_investment_staff(request.user),
        # Upward applications are the bureau's: a county is not shown the tab.
        "upward": scoping.sees_all(request.user),
    }


@register.filter
def project_light(value: str) -> str:
    """A project's light in words (grey: off the clock, see `models.LIGHT_CHOICES`)."""
    return str(dict(LIGHT_CHOICES).get(value, ""))
