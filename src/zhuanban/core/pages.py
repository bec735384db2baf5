"""Small helpers the list and detail pages of every app share."""

from django.utils.text import capfirst


def field_labels(model) -> dict[str, str]:
    """The model's own field names (one msgid each, shared with its forms and admin), as
    a page's headings."""
    fields = [*model._meta.fields, *model._meta.many_to_many]
    return {field.name: capfirst(field.verbose_name) for field in fields}


def query_without(request, *keys: str) -> str:
    """The page's query string without the page number and `keys` (for links that change
    one filter and keep the others)."""
    query = request.GET.copy()
    for key in ("page", *keys):
        query.pop(key, None)
    return query.urlencode()
