"""/reports/summary/: the paragraph with its figures linked, the choices each person has,
and a bulletin issue drafted from it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhuanban.reports.generators import Link
from zhuanban.reports.models import Bulletin
from zhuanban.reports.tests.test_summary import JUNE_END, make_beef, make_measures, make_tasks
from zhuanban.reports.views_summary import linked_paragraphs

pytestmark = pytest.mark.django_db
URL = reverse("reports:summary")


def test_the_leaders_summary_links_each_figure(world, login):
    task_list = make_tasks(world)
    page = login(world.leader).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    ledger = f"/tasks/?task_list={task_list.pk}&amp;leaves=1"
    assert f'<a class="sum-figure" href="{ledger}">4项</a>' in html
    closed = f"/tasks/?task_list={task_list.pk}&amp;status=closed&amp;leaves=1"
    assert f'<a class="sum-figure" href="{closed}">已完成1项</a>' in html
    assert 'value="bureau" selected' in html


def test_a_past_day_and_a_county(world, login):
    make_beef(world)
    client = login(world.zhuozi_liaison)
    page = client.get(URL, {"as_of": JUNE_END.isoformat(), "scope": world.zhuozi.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "6.8万头" in html
    assert "居全市第1位" in html
    assert 'value="bureau"' not in html
    assert "化德县" not in html


def test_a_county_liaison_cannot_choose_another_county(world, login):
    make_beef(world)
    page = login(world.zhuozi_liaison).get(
        URL, {"as_of": JUNE_END.isoformat(), "scope": world.huade.pk}
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert 'class="sum-field field-scope has-errors"' in html
    assert "1万头" not in html
    assert 'id="summary-text"' not in html


def test_every_problem_is_reported_at_once(world, login):
    future = timezone.localdate() + datetime.timedelta(days=1)
    page = login(world.leader).get(URL, {"as_of": future.isoformat(), "scope": "nowhere"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "field-as_of has-errors" in html
    assert "field-scope has-errors" in html


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor", "outsider"])
def test_who_sees_no_summary_gets_404(world, login, persona):
    assert login(getattr(world, persona)).get(URL).status_code == 404


def test_wrong_method(world, login):
    assert login(world.leader).put(URL).status_code == 405


def test_a_leader_drafts_an_issue_from_the_summary(rep, login):
    world = rep.world
    make_beef(world)
    client = login(world.leader)
    page = client.get(URL, {"as_of": JUNE_END.isoformat(), "scope": "bureau"})
    assert 'id="summary-issue"' in page.content.decode()
    answer = client.post(
        URL,
        {
            "as_of": JUNE_END.isoformat(),
            "scope": "bureau",
            "series": rep.news.pk,
            "title": "2023年上半年工作总结",
        },
    )
    bulletin = Bulletin.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("reports:bulletin_edit", args=[bulletin.pk])
    assert (bulletin.series, bulletin.title, bulletin.is_published) == (
        rep.news,
        "2023年上半年工作总结",
        False,
    )
    (section,) = bulletin.sections.all()
    assert section.source == "work_summary"
    assert section.params == {"unit": None, "as_of": "2023-06-30"}
    assert "7.8万头" in section.body
    assert {
        "label": "7.8万头",
        "url": "/dispatch/indicators/beef_increase/?year=2023&as_of=2023-06-30",
    } in section.links


def test_who_composes_no_series_cannot_draft_an_issue(rep, login):
    world = rep.world
    data = {
        "as_of": JUNE_END.isoformat(),
        "scope": world.zhuozi.pk,
        "series": rep.news.pk,
        "title": "x",
    }
    client = login(world.zhuozi_liaison)
    assert 'id="summary-issue"' not in client.get(URL).content.decode()
    assert client.post(URL, data).status_code == 403
    # The potato office composes its own series, not the bureau's.
    data = {**data, "scope": world.potato.pk}
    answer = login(world.office).post(URL, data)
    assert answer.status_code == 422
    assert "field-series has-errors" in answer.content.decode()
    answer = login(world.office).post(URL, {**data, "series": rep.potato_news.pk, "title": ""})
    assert answer.status_code == 422
    assert "field-title has-errors" in answer.content.decode()
    assert not Bulletin.objects.exists()


def test_the_text_is_escaped_and_links_only_to_this_site():
    body = "截至6月30日，<b>全市</b>措施2项已完成2项；另有说明。\n\n第二段2项"
    links = [
        Link("2项", "/tasks/?a=1&b=2"),
        Link("已完成2项", "/tasks/?status=closed"),
        Link("2项", "//evil.example/"),
        Link("2项", "/second/"),
    ]
    first, second = linked_paragraphs(body, links)
    assert "&lt;b&gt;全市&lt;/b&gt;" in first
    assert '措施<a class="sum-figure" href="/tasks/?a=1&amp;b=2">2项</a>' in first
    assert '<a class="sum-figure" href="/tasks/?status=closed">已完成2项</a>' in first
    assert "另有说明" in first
    assert "evil" not in first
    assert second == '第二段<a class="sum-figure" href="/second/">2项</a>'


def test_the_pages_queries_stay_flat(world, login):
    task_list = make_tasks(world, zhuozi=2, huade=0)
    client = login(world.leader)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    make_measures(world, task_list, 10, world.huade)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL)
    assert "12项" in page.content.decode()
    assert len(many) == len(few)
