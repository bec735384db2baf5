"""Reads of the bulletin archive: the issues a user may see, narrowed by series, year and
words, with the counts per series for the filter chips; a fixed number of queries
whatever the number of issues.

The search is a case-insensitive substring match of every word (ANDed) in the issue's
title and published text (`Bulletin.search_text`, frozen on publishing). Chinese is not
split into words by spaces, so a substring match finds "肉牛存栏" where PostgreSQL's text
search configurations (which tokenise on spaces) would not; it runs the same on SQLite
and PostgreSQL. A draft has no published text yet: its title and its sections' headings
and text are searched instead.
"""

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin, Section, Series
from zhuanban.reports.scoping import visible_bulletins

MAX_WORDS = 8
SNIPPET_CONTEXT = 40  # characters shown either side of the first hit


def search_words(text: str) -> list[str]:
    """The words of a search, in order, without repeats (at most MAX_WORDS)."""
    words: list[str] = []
    for word in (text or "").split():
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return words[:MAX_WORDS]


def _published_match(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_text__icontains=word) | Q(title__icontains=word)
    return condition


def _draft_match(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        in_sections = Section.objects.filter(bulletin_id=OuterRef("pk")).filter(
            Q(heading__icontains=word) | Q(body__icontains=word)
        )
        condition &= Q(title__icontains=word) | Q(Exists(in_sections))
    return condition


def _narrowed(qs: QuerySet[Bulletin], *, series: int | None, year: int | None) -> QuerySet:
    if series is not None:
        qs = qs.filter(series_id=series)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


def published_issues(
    user, *, series: int | None = None, year: int | None = None, words: list[str] = ()
) -> QuerySet[Bulletin]:
    """The published issues the user may read, newest first, with their series and its
    issuer (the text is loaded only when searching, for the snippet)."""
    qs = visible_bulletins(user).filter(status=BulletinStatus.PUBLISHED)
    qs = _narrowed(qs, series=series, year=year)
    qs = qs.filter(_published_match(list(words))) if words else qs.defer("search_text")
    return qs.select_related("series", "series__issuer", "published_by").order_by(
        "-issue_date", "-year", "-number", "-pk"
    )


def drafts(user, *, series: int | None = None, words: list[str] = ()) -> QuerySet[Bulletin]:
    """The drafts of the series the user composes (theirs and their colleagues'), the
    latest first: the archive shows them above the published issues."""
    qs = visible_bulletins(user).filter(status=BulletinStatus.DRAFT)
    qs = _narrowed(qs, series=series, year=None)
    if words:
        qs = qs.filter(_draft_match(list(words)))
    return qs.select_related("series", "series__issuer", "created_by").order_by(
        "-created_at", "-pk"
    )


def series_counts(user, *, year: int | None = None, words: list[str] = ()) -> dict[str, int]:
    """The number of published issues per series (by pk, as text) under the other
    filters: the chips' counts."""
    qs = published_issues(user, year=year, words=words).order_by()
    rows = qs.values("series_id").annotate(n=Count("pk")).values_list("series_id", "n")
    return {str(series_id): n for series_id, n in rows}


def archive_series() -> QuerySet[Series]:
    """Every series, in their order (readers read every series' published issues)."""
    return Series.objects.order_by("sort_order", "pk")


def archive_years(user) -> list[int]:
    """The years that have published issues the user may read, the latest first."""
    qs = visible_bulletins(user).filter(status=BulletinStatus.PUBLISHED, year__isnull=False)
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class Snippet:
    """The text around the first hit: before, the hit itself, after (the template escapes
    each and marks the hit)."""

    before: str
    hit: str
    after: str


def snippet(text: str, words: list[str], context: int = SNIPPET_CONTEXT) -> Snippet | None:
    """The earliest place in `text` where one of `words` occurs, with `context` characters
    either side (cut at a line break, ellipses where cut); None when none occurs."""
    hits = [re.search(re.escape(word), text, re.IGNORECASE) for word in words]
    hits = [hit for hit in hits if hit is not None]
    if not hits:
        return None
    first = min(hits, key=lambda hit: hit.start())
    at, end = first.start(), first.end()
    # The hit's own line, at most `context` characters either side.
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    start, stop = max(line_start, at - context), min(line_end, end + context)
    before = ("…" if start > 0 else "") + text[start:at]
    after = text[end:stop] + ("…" if stop < len(text) else "")
    return Snippet(before, text[at:end], after)
