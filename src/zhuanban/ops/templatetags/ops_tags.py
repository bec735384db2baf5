from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """10000 → "10,000", as Chinese statistics write counts."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
