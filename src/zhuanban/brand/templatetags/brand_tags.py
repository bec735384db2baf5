"""Template helpers of the brand app: the sub-navigation's current tab and the state
badges, asked of `brand.scoping` (the one place that decides who sees what)."""

from django import template

from zhuanban.brand import scoping

register = template.Library()

# Which tab a page belongs to, by URL name prefix (the register by default).
_SECTIONS = (
    ("application", "applications"),
    ("round", "reviews"),
    ("review", "reviews"),
    ("sales", "sales"),
)


@register.simple_tag(takes_context=True)
def brand_nav(context) -> dict:
    """The current tab, and whether the user keeps the register (the brand office)."""
    request = context.get("request")
    if request is None:
        return {"section": "register", "office": False}
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match and match.url_name else ""
    section = next((tab for prefix, tab in _SECTIONS if url_name.startswith(prefix)), "register")
    return {"section": section, "office": scoping.is_brand_staff(request.user)}
