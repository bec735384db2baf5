"""The dashboard pages: who lands where, who may NOT open which, what the page shows and
links to, as of a past month end, the charts under the Content Security Policy, and the
page's queries (constant, and few once cached)."""

import datetime
import json
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from zhuanban.brand.tests.conftest import brand  # noqa: F401
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.tests.conftest import inv, make_project  # noqa: F401
from zhuanban.reports.tests.test_dashboard_selectors import _assign, _close, indicator  # noqa: F401
from zhuanban.reports.views import PLOTLY_STYLE_HASHES
from zhuanban.tasks.tests.conftest import make_task, task_list, today  # noqa: F401

DASHBOARD = reverse("reports:dashboard")


def office_url(unit):
    return reverse("reports:office_dashboard", args=[unit.pk])


def county_url(unit):
    return reverse("reports:county_dashboard", args=[unit.pk])


def _text(response) -> str:
    return unescape(response.content.decode())


def test_the_leader_lands_on_the_dashboard(world, login):
    response = login(world.leader).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == DASHBOARD


def test_others_keep_the_home_page(world, login):
    response = login(world.office).get(reverse("home"))
    assert response.status_code == 200
    assert "org/home.html" in [t.name for t in response.templates]


def test_office_staff_and_county_people_go_to_their_own_dashboard(world, login):
    assert login(world.office).get(DASHBOARD).url == office_url(world.potato)
    assert login(world.zhuozi_liaison).get(DASHBOARD).url == county_url(world.zhuozi)


def test_the_bureau_dashboard_shows_the_figures_and_drills_down(world, login, make_task):  # noqa: F811
    _close(world, _assign(world, make_task(lead=world.zhuozi)))
    _assign(world, make_task(lead=world.huade))
    _assign(world, make_task(lead=world.huade))

    response = login(world.leader).get(DASHBOARD)

    html = _text(response)
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.tasks.counts["total"] == 3
    assert dash.tasks.counts["closed"] == 1
    assert 'id="tasks-total">3</a>' in html
    assert 'id="tasks-closed">1</a>' in html
    assert f'href="/tasks/?leaves=1&county={world.huade.pk}&light=' in html
    assert f'href="{county_url(world.huade)}"' in html  # the county's own dashboard
    assert f'href="{office_url(world.potato)}"' in html
    assert "化德县" in html
    assert "卓资县" in html


def test_the_charts_are_drawn_from_attributes_under_the_csp(world, login, make_task):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))
    _assign(world, make_task(lead=world.huade))

    response = login(world.leader).get(DASHBOARD)

    html = response.content.decode()
    assert 'src="/static/vendor/plotly.min.js"' in html
    assert 'src="/static/reports/charts.js"' in html
    assert "<style" not in html
    assert 'style="' not in html
    assert "<script>" not in html  # no inline script: every one has a src
    figure = json.loads(unescape(html.split('data-figure="', 1)[1].split('"', 1)[0]))
    assert figure["data"][0]["x"] == ["卓资县", "化德县"]
    policy = response["Content-Security-Policy"]
    for digest in PLOTLY_STYLE_HASHES["style-src"]:
        assert digest in policy
    assert "'unsafe-inline'" not in policy


def test_a_county_sees_its_rank_but_no_other_countys_figures(
    world,
    login,
    make_task,  # noqa: F811
    indicator,  # noqa: F811
):
    _assign(world, make_task(lead=world.zhuozi))
    _assign(world, make_task(lead=world.huade, content="化德县的独有措施"))

    response = login(world.zhuozi_liaison).get(county_url(world.zhuozi))

    html = _text(response)
    (line,) = response.context["dash"].indicators
    assert (line.rank, line.ranked) == (2, 2)
    with translation.override("zh-hans"):
        rank = translation.gettext("Rank %(rank)s of %(count)s") % {"rank": 2, "count": 2}
    assert rank in html
    assert "化德县" not in html  # neither its name, its figures nor its dashboard
    assert county_url(world.huade) not in html


def test_an_office_dashboard_keeps_to_the_office(world, login, make_task):  # noqa: F811
    _assign(world, make_task(lead=world.zhuozi))

    response = login(world.brand_staff).get(office_url(world.brand))

    assert response.context["dash"].tasks.counts["total"] == 0
    assert response.context["dash"].brand is not None
    assert 'id="brand-licensed"' in response.content.decode()


def test_the_investment_funnel_links_to_the_projects(world, login, inv):  # noqa: F811
    make_project(inv, "甲", county=world.zhuozi, stage=Stage.SIGNED, on=timezone.localdate())

    html = _text(login(world.leader).get(DASHBOARD))

    year = timezone.localdate().year
    assert f'href="/investment/projects/?stage=signed&year={year}"' in html
    assert "data-figure" in html
    assert "funnel" in html


def test_as_of_a_month_end(world, login, indicator):  # noqa: F811
    year = timezone.localdate().year
    day = datetime.date(year - 1, 1, 31)

    response = login(world.leader).get(DASHBOARD, {"as_of": day.isoformat()})

    assert response.context["dash"].as_of == day
    (line,) = response.context["dash"].indicators
    assert line.actual == 5  # last year's January: 2 + 3
    html = _text(response)
    assert f"{day.year}年1月31日" in html.split('id="as-of"', 1)[1].split("</p>", 1)[0]
    assert f'<option value="{day.isoformat()}" selected>' in html


@pytest.mark.parametrize("value", ["2020-02-15", "not-a-date", "2999-12-31"])
def test_an_as_of_not_offered_shows_today(world, login, indicator, value):  # noqa: F811
    response = login(world.leader).get(DASHBOARD, {"as_of": value})
    assert response.status_code == 200
    assert response.context["dash"].as_of is None


def test_a_county_liaison_may_not_open_another_county(world, login):
    client = login(world.zhuozi_liaison)
    assert client.get(county_url(world.huade)).status_code == 404
    assert client.get(office_url(world.potato)).status_code == 404
    assert client.get(county_url(world.zhuozi)).status_code == 200


def test_an_office_member_may_not_open_another_office(world, login):
    client = login(world.office)
    assert client.get(office_url(world.brand)).status_code == 404
    assert client.get(office_url(world.potato)).status_code == 200
    assert client.get(county_url(world.huade)).status_code == 200  # office staff see every unit


def test_not_an_office_or_county_page_by_a_wrong_pk(world, login):
    client = login(world.leader)
    assert client.get(office_url(world.zhuozi)).status_code == 404
    assert client.get(county_url(world.potato)).status_code == 404
    assert client.get(county_url(world.city)).status_code == 404


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor", "outsider"])
def test_administrators_and_outsiders_see_no_dashboard(world, login, persona):
    client = login(getattr(world, persona))
    for url in (DASHBOARD, office_url(world.potato), county_url(world.zhuozi)):
        assert client.get(url).status_code == 404


def test_an_enterprise_login_sees_no_dashboard(world, login, brand):  # noqa: F811
    client = login(brand.applicant)
    for url in (DASHBOARD, office_url(world.potato), county_url(world.zhuozi)):
        assert client.get(url).status_code == 404


def test_anonymous_goes_to_login_and_post_is_refused(world, client, login):
    assert client.get(DASHBOARD).url.startswith(reverse("login"))
    assert login(world.leader).post(DASHBOARD).status_code == 405
    assert login(world.leader).post(county_url(world.zhuozi)).status_code == 405


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["leader", "office", "zhuozi_liaison"])
def test_page_queries_are_constant_and_few_once_cached(world, login, make_task, inv, who):  # noqa: F811
    url = {
        "leader": DASHBOARD,
        "office": office_url(world.potato),
        "zhuozi_liaison": county_url(world.zhuozi),
    }[who]
    client = login(getattr(world, who))

    def add(n, batch):
        for i in range(n):
            for unit in (world.zhuozi, world.huade):
                _assign(world, make_task(lead=unit))
                make_project(inv, f"{unit.name}{batch}-{i}", county=unit, on=timezone.localdate())

    add(1, "a")
    client.get(url)  # the session's first page notes what it notes once
    from django.core.cache import cache

    cache.clear()
    cold_few = _page_queries(client, url)
    warm_few = _page_queries(client, url)
    add(5, "b")
    cache.clear()
    cold_many = _page_queries(client, url)
    warm_many = _page_queries(client, url)

    assert cold_many == cold_few
    assert warm_many == warm_few
    # The cached page: the session, the user, its two-factor device, its scope (two), the
    # month ends (two), the unread notifications, the session's save (three with its
    # savepoint), the cache's generation and entry when the cache is the database's.
    assert warm_few <= 13
    assert warm_few < cold_few
