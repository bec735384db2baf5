"""Template helpers of the documents app: what its shared sub-navigation needs to know,
asked of `documents.scoping` (the one place that decides who sees what)."""

from django import template

from zhuanban.documents import scoping

register = template.Library()

# Which tab a page of the app belongs to, by URL name (documents by default: rounds,
# answers and versions are part of a document's work).
_SECTIONS = {
    "inbox": "inbox",
    "answer": "inbox",
    "topic_counts": "counts",
}
_MEETING_PREFIXES = ("meeting", "topic", "decision")


def _section(url_name: str) -> str:
    if url_name in _SECTIONS:
        return _SECTIONS[url_name]
    if url_name.startswith(_MEETING_PREFIXES):
        return "meetings"
    return "documents"


@register.simple_tag(takes_context=True)
def documents_nav(context) -> dict:
    """The current tab, and whether the user sees the bureau's meetings and topics: the
    sub-navigation works on any page that includes it, without context of its own."""
    request = context.get("request")
    if request is None:
        return {"section": "documents", "meetings": False}
    match = getattr(request, "resolver_match", None)
    return {
        "section": _section(match.url_name if match and match.url_name else ""),
        "meetings": scoping.sees_all(request.user),
    }
