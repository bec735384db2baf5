"""Bulletins of a small Ulanqab (the `world` personas).

- `rep.news`: 信息动态, issued by the bureau (the leader composes it);
- `rep.potato_news`: 马铃薯工作动态, issued by the potato office (its staff compose it);
- `make_bulletin(series, actor, sections=...)`: a draft with hand-written sections.
"""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from zhuanban.reports import services
from zhuanban.reports.models import Series, SeriesKind


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The dashboards cache in the database cache table, which tests share.
    cache.clear()


@pytest.fixture
def rep(world):
    news = Series.objects.create(
        name="信息动态", kind=SeriesKind.NEWS, issuer=world.bureau, sort_order=1
    )
    potato_news = Series.objects.create(
        name="马铃薯工作动态", kind=SeriesKind.NEWS, issuer=world.potato, sort_order=2
    )
    return SimpleNamespace(world=world, news=news, potato_news=potato_news)


def make_bulletin(series, actor, *, title="工作动态", sections=(("一、总体情况", "正文。"),)):
    bulletin = services.bulletin_create(actor=actor, series=series, title=title)
    for heading, body in sections:
        services.section_save(
            actor=actor, bulletin=bulletin, expected_version=None, heading=heading, body=body
        )
    bulletin.refresh_from_db()
    return bulletin
