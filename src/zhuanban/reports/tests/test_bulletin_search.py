"""The archive's full-text search: every word (ANDed) in an issue's title or published
text, on SQLite and PostgreSQL alike; the hit shown in a snippet of its text; drafts only
for their composers."""

import datetime

import pytest
from django.urls import reverse

from zhuanban.reports import services
from zhuanban.reports.selectors_bulletins import (
    drafts,
    published_issues,
    search_words,
    snippet,
)
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db

CATTLE = "截至6月20日，全市肉牛存栏增加7.8万头，完成年度任务的三分之二以上。"
POTATO = "全市马铃薯种植面积稳定在120万亩。"


@pytest.fixture(autouse=True)
def _no_pdf(settings):
    settings.BULLETIN_PDF = False


def publish(bulletin, actor, day=None):
    return services.bulletin_publish(
        actor=actor,
        bulletin=bulletin,
        expected_version=bulletin.version,
        issue_date=day or datetime.date(2026, 6, 21),
    )


def archive(client, q: str) -> str:
    return client.get(reverse("reports:bulletins"), {"q": q}).content.decode()


def test_a_word_in_a_section_of_a_published_issue_is_found_and_highlighted(rep, login):
    w = rep.world
    publish(
        make_bulletin(rep.news, w.leader, title="六月动态", sections=(("一、畜牧业", CATTLE),)),
        w.leader,
    )
    publish(
        make_bulletin(rep.news, w.leader, title="种植动态", sections=(("一", POTATO),)), w.leader
    )
    page = archive(login(w.zhuozi_liaison), "肉牛存栏")
    assert "六月动态" in page
    assert "种植动态" not in page
    assert "全市<mark>肉牛存栏</mark>增加7.8万头" in page  # the hit in its context


def test_another_s_draft_is_never_found_and_one_s_own_series_drafts_are(rep, login):
    w = rep.world
    make_bulletin(rep.potato_news, w.office, title="马铃薯办草稿", sections=(("一", CATTLE),))
    make_bulletin(rep.news, w.leader, title="领导的草稿", sections=(("一", CATTLE),))
    leader_page = archive(login(w.leader), "肉牛")
    assert "领导的草稿" in leader_page  # their own series' draft, found by its text
    assert "马铃薯办草稿" not in leader_page  # a draft of a series they do not compose
    liaison_page = archive(login(w.huade_liaison), "肉牛")
    assert "领导的草稿" not in liaison_page
    assert "马铃薯办草稿" not in liaison_page
    assert not published_issues(w.leader, words=["肉牛"]).exists()


def test_every_word_must_occur_in_title_or_text(rep):
    w = rep.world
    both = publish(
        make_bulletin(rep.news, w.leader, title="畜牧动态", sections=(("一", CATTLE),)), w.leader
    )
    publish(
        make_bulletin(rep.news, w.leader, title="种植动态", sections=(("一", POTATO),)), w.leader
    )
    assert list(published_issues(w.leader, words=["畜牧", "7.8万头"])) == [both]
    assert list(published_issues(w.leader, words=["畜牧", "马铃薯"])) == []
    assert len(published_issues(w.leader, words=["全市"])) == 2


def test_the_search_ignores_case_and_combines_with_series_and_year(rep):
    w = rep.world
    old = publish(
        make_bulletin(rep.news, w.leader, title="GDP 2025", sections=(("一", "GDP增长。"),)),
        w.leader,
        datetime.date(2025, 12, 1),
    )
    new = publish(
        make_bulletin(rep.potato_news, w.office, title="GDP 2026", sections=(("一", "gdp 增长"),)),
        w.office,
    )
    assert set(published_issues(w.leader, words=["gdp"])) == {old, new}
    assert list(published_issues(w.leader, words=["gdp"], year=2025)) == [old]
    assert list(published_issues(w.leader, words=["gdp"], series=rep.potato_news.pk)) == [new]


def test_a_draft_is_found_by_its_sections_before_it_has_published_text(rep):
    w = rep.world
    draft = make_bulletin(
        rep.news, w.leader, title="草稿", sections=(("三、奶牛", "奶牛存栏0.75万头"),)
    )
    assert list(drafts(w.leader, words=["奶牛", "0.75"])) == [draft]
    assert list(drafts(w.leader, words=["奶牛", "肉牛"])) == []
    assert list(drafts(w.zhuozi_liaison, words=["奶牛"])) == []


def test_search_words_and_snippets():
    assert search_words("  肉牛  存栏 肉牛 ") == ["肉牛", "存栏"]
    assert len(search_words(" ".join(str(n) for n in range(20)))) == 8
    text = "标题\n" + "前" * 50 + "肉牛存栏" + "后" * 50 + "\n下一段"
    hit = snippet(text, ["存栏", "肉牛"])
    assert hit.hit == "肉牛"  # the earliest of the words
    assert hit.before == "…" + "前" * 40
    assert hit.after == "存栏" + "后" * 38 + "…"
    short = snippet("一、牛\n肉牛存栏。", ["存栏"])
    assert (short.before, short.hit, short.after) == ("…肉牛", "存栏", "。")
    assert snippet("ABC def", ["DEF"]).hit == "def"
    assert snippet("nothing here", ["肉牛"]) is None


def test_a_search_with_markup_is_shown_escaped(rep, login):
    w = rep.world
    publish(
        make_bulletin(rep.news, w.leader, title="<b>粗体</b>", sections=(("一", "<i>x</i>"),)),
        w.leader,
    )
    page = archive(login(w.leader), "<b>")
    assert "<mark>&lt;b&gt;</mark>" in page
    assert "<b>粗体</b>" not in page
