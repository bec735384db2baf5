"""Filter chips: one link per value of a list's status (or stage) filter, with its count,
each keeping the page's other filters."""

from django.db import models
from django.utils.translation import gettext as _


def filter_chips(
    request,
    *,
    param: str,
    choices: type[models.TextChoices],
    counts: dict[str, int],
    active: str,
    everything: tuple[str, str] | None = None,
    toggle: bool = False,
) -> list[dict]:
    """The chips of `param`'s values in `choices` order. `everything` is the leading "All"
    chip's (value, value in its link; "" drops the filter), or None for no such chip;
    with `toggle`, the active chip's link clears the filter."""

    def link(value: str) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop(param, None)
        if value:
            query[param] = value
        return f"?{query.urlencode()}"

    chips = []
    if everything is not None:
        value, url_value = everything
        chips.append(
            {
                "value": value,
                "label": _("All"),
                "count": sum(counts.values()),
                "url": link(url_value),
                "active": not active,
            }
        )
    chips += [
        {
            "value": value,
            "label": choices(value).label,
            "count": counts.get(value, 0),
            "url": link("" if toggle and active == value else value),
            "active": active == value,
        }
        for value in choices.values
    ]
    return chips
