"""The pipeline (招商引资项目库 overview): the year's figures, lights, the funnel, the
chain × stage and county × stage tables and the key projects, all checked against counts
worked out by hand from the projects entered here; the activity and upward-funding cards;
who finds the screen; and queries that do not grow with the projects.

The helpers at the top (pages read with lxml, a small Ulanqab pipeline, the enterprise
login) are shared with test_views_projects.py and test_views_clocks.py."""

import datetime
from decimal import Decimal

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhuanban.investment import services
from zhuanban.investment.lifecycle import Stage, UpwardAction
from zhuanban.investment.models import ActivityKind, UpwardKind
from zhuanban.investment.templatetags.investment_tags import wan, yi
from zhuanban.investment.tests.conftest import days_ago, make_project
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

THIS = timezone.localdate().year


@pytest.fixture(autouse=True)
def _chinese():
    """Pages render in the site's language (zh-hans); the test reads its messages in it."""
    with translation.override("zh-hans"):
        yield


# --- helpers shared by the three screen test files --------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"investment:{name}", args=args)


def doc_of(response, status: int = 200):
    assert response.status_code == status, response.status_code
    return lxml.html.fromstring(response.content.decode())


def text_of(element) -> str:
    """An element's text, its white space collapsed."""
    return " ".join(element.text_content().split())


def by_id(doc, anchor: str) -> str:
    return text_of(doc.get_element_by_id(anchor))


def table(doc, anchor: str) -> dict[str, list[str]]:
    """A table with row headings (`<th scope="row">`) as {heading: [cell texts]}."""
    rows = {}
    for tr in doc.get_element_by_id(anchor).xpath(".//tbody/tr | .//tfoot/tr"):
        heading = tr.xpath("./th")
        if heading:
            rows[text_of(heading[0])] = [text_of(td) for td in tr.xpath("./td")]
    return rows


def errors_of(doc, field: str, within: str = "") -> str:
    """The errors shown beside a form field (its wrapper carries `field-<name>`), in the
    element `within` (an id) when the page has several forms."""
    scope = doc.get_element_by_id(within) if within else doc
    found = scope.xpath(f'.//*[contains(concat(" ", @class, " "), " field-{field} ")]')
    assert found, field
    return " ".join(text_of(ul) for ul in found[0].xpath('.//ul[@class="errorlist"]'))


def enterprise_login(world):
    """An enterprise's own login (the brand register's applicant): no role, its unit an
    enterprise of 卓资县."""
    unit = OrgUnitFactory(
        code="ent-yinshan",
        name="内蒙古阴山优麦食品有限公司",
        kind=UnitKind.ENTERPRISE,
        parent=world.zhuozi,
    )
    return person("yinshan", unit, name="阴山优麦申报员")


def small_pipeline(inv):
    """Six projects of this year and one of last year (the numbers the tests compute):

    | name | county | chain | stage (since) | key | planned 万元 | light |
    | 甲 | 卓资县 | potato | planned (5 days) | key | 1000 | green |
    | 乙 | 卓资县 | potato | negotiating (70 days) | | 2000 | red (limit 60) |
    | 丙 | 卓资县 | beef | signed (10 days) | key | 32000 | green; 500 万元 in place |
    | 丁 | 化德县 | beef | landed (80 days) | key | 5000 | yellow (75 days in) |
    | 戊 | 化德县 | dairy | producing (3 days) | | 8000 | grey |
    | 己 | 化德县 | dairy | dropped (2 days) | | 600 | grey |
    | 庚 (last year) | 卓资县 | potato | planned | key | 700 | — |
    """
    w = inv.world
    p = {}
    p["甲"] = make_project(
        inv,
        "甲薯业加工项目",
        stage=Stage.PLANNED,
        on=days_ago(5),
        is_key=True,
        planned="1000",
        year=THIS,
    )
    p["乙"] = make_project(
        inv, "乙种薯繁育项目", stage=Stage.NEGOTIATING, on=days_ago(70), planned="2000", year=THIS
    )
    p["丙"] = make_project(
        inv,
        "丙肉牛养殖项目",
        stage=Stage.SIGNED,
        on=days_ago(10),
        chain=inv.beef,
        is_key=True,
        planned="32000",
        year=THIS,
        investor_origin="北京市",
    )
    p["丁"] = make_project(
        inv,
        "丁肉牛屠宰项目",
        stage=Stage.LANDED,
        on=days_ago(80),
        chain=inv.beef,
        county=w.huade,
        is_key=True,
        planned="5000",
        year=THIS,
        investor="科尔沁牛业股份有限公司",
    )
    p["戊"] = make_project(
        inv,
        "戊乳品加工项目",
        stage=Stage.PRODUCING,
        on=days_ago(3),
        chain=inv.dairy,
        county=w.huade,
        planned="8000",
        year=THIS,
    )
    dropped = make_project(
        inv,
        "己奶牛牧场项目",
        stage=Stage.PLANNED,
        on=days_ago(20),
        chain=inv.dairy,
        county=w.huade,
        planned="600",
        year=THIS,
    )
    p["己"] = services.project_move(
        actor=None, project=dropped, to_stage=Stage.DROPPED, on=days_ago(2), reason="投资方撤资"
    )
    p["庚"] = make_project(
        inv,
        "庚往年项目",
        stage=Stage.PLANNED,
        on=days_ago(5),
        is_key=True,
        planned="700",
        year=THIS - 1,
    )
    services.project_report(
        actor=None, project=p["丙"], on=days_ago(1), text="首批设备款到位", received=Decimal("500")
    )
    return p


@pytest.fixture
def pipeline(inv):
    return small_pipeline(inv)


# --- the figures, lights and funnel -----------------------------------------------------------


def test_the_year_figures_and_lights_are_counted_by_hand(inv, login, pipeline):
    doc = doc_of(login(inv.world.leader).get(url("home")))
    figures = by_id(doc, "figures")
    # 6 projects this year (庚 is last year's); key: 甲 丙 丁; signed or further: 丙 丁 戊.
    dds = [text_of(dd) for dd in doc.get_element_by_id("figures").xpath(".//dd")]
    assert dds[:3] == ["6", "3", "3"]
    planned = Decimal(1000 + 2000 + 32000 + 5000 + 8000 + 600)
    assert wan(planned) in figures  # 48,600.00 万元
    assert yi(planned) in figures  # 4.86 亿元
    assert "4.86" in yi(planned)
    assert wan(Decimal("500")) in dds[4]
    lights = {
        li.xpath(".//span/@class")[0].split()[-1]: text_of(li.xpath(".//strong")[0])
        for li in doc.get_element_by_id("lights").xpath("./li")
    }
    assert lights == {"light-red": "1", "light-yellow": "1", "light-green": "2", "light-grey": "2"}
    red_link = doc.get_element_by_id("lights").xpath(".//a/@href")[0]
    assert red_link == f"{url('projects')}?year={THIS}&light=red"


def test_the_funnel_counts_who_reached_each_stage(inv, login, pipeline):
    doc = doc_of(login(inv.world.leader).get(url("home")))
    funnel = {}
    for li in doc.get_element_by_id("funnel").xpath(".//li"):
        stage = li.get("class").split("stage-")[1]
        funnel[stage] = (
            text_of(li.xpath('.//strong[@class="pj-reached"]')[0]),
            text_of(li.xpath('.//a[@class="pj-now"]')[0]),
            li.xpath('.//span[contains(@class, "pj-bar")]/@class')[0],
        )
    # Five live projects reached 谋划; 乙 丙 丁 戊 洽谈; 丙 丁 戊 签约; 丁 戊 落地; 戊 开工 and 投产.
    assert funnel == {
        "planned": ("5", "1", "pj-bar w-100"),
        "negotiating": ("4", "1", "pj-bar w-80"),
        "signed": ("3", "1", "pj-bar w-60"),
        "landed": ("2", "1", "pj-bar w-40"),
        "started": ("1", "0", "pj-bar w-20"),
        "producing": ("1", "1", "pj-bar w-20"),
    }
    dropped = doc.get_element_by_id("dropped")
    assert text_of(dropped.xpath(".//a")[0]) == "1"
    assert dropped.xpath(".//a/@href")[0] == f"{url('projects')}?year={THIS}&stage=dropped"


def test_chain_and_county_tables_count_by_stage_and_link_to_the_list(inv, login, pipeline):
    w = inv.world
    doc = doc_of(login(w.leader).get(url("home")))
    # Columns: 谋划 洽谈 签约 落地 开工 投产 终止, total.
    chains = table(doc, "chain-table")
    assert chains[inv.potato.name] == ["1", "1", "0", "0", "0", "0", "0", "2"]
    assert chains[inv.beef.name] == ["0", "0", "1", "1", "0", "0", "0", "2"]
    assert chains[inv.dairy.name] == ["0", "0", "0", "0", "0", "1", "1", "2"]
    assert chains[gettext("Total")] == ["1", "1", "1", "1", "0", "1", "1", "6"]
    counties = table(doc, "county-table")
    assert counties[w.zhuozi.name] == ["1", "1", "1", "0", "0", "0", "0", "3"]
    assert counties[w.huade.name] == ["0", "0", "0", "1", "0", "1", "1", "3"]
    links = doc.get_element_by_id("chain-table").xpath(".//a/@href")
    assert f"{url('projects')}?year={THIS}&chain={inv.beef.pk}&stage=landed" in links
    links = doc.get_element_by_id("county-table").xpath(".//a/@href")
    assert f"{url('projects')}?year={THIS}&county={w.huade.pk}&stage=dropped" in links
    # The link leads to exactly the projects counted.
    listed = doc_of(login(w.leader).get(f"{url('projects')}?year={THIS}&county={w.huade.pk}"))
    names = listed.xpath('//table[@id="projects"]//td[@class="pj-name"]/a/text()')
    assert sorted(names) == sorted([pipeline["丁"].name, pipeline["戊"].name, pipeline["己"].name])


def test_key_projects_by_chain_and_stage(inv, login, pipeline):
    doc = doc_of(login(inv.world.leader).get(url("home")))
    heading = text_of(doc.get_element_by_id("key-projects").xpath(".//h2")[0])
    assert "3" in heading
    key = table(doc, "key-by-chain")
    assert key[inv.potato.name] == ["1", "0", "0", "0", "0", "0", "0", "1"]
    assert key[inv.beef.name] == ["0", "0", "1", "1", "0", "0", "0", "2"]
    assert key[inv.dairy.name] == ["0"] * 8
    assert key[gettext("Total")][-1] == "3"
    assert f"{url('projects')}?year={THIS}&chain={inv.beef.pk}&stage=signed&key=on" in (
        doc.get_element_by_id("key-by-chain").xpath(".//a/@href")
    )


def test_another_year_shows_its_own_projects(inv, login, pipeline):
    doc = doc_of(login(inv.world.leader).get(url("home"), {"year": THIS - 1}))
    assert [text_of(dd) for dd in doc.get_element_by_id("figures").xpath(".//dd")][:2] == [
        "1",
        "1",
    ]
    assert table(doc, "chain-table")[inv.potato.name][0] == "1"
    assert str(THIS - 1) in doc.xpath('//select[@name="year"]/option[@selected]/text()')


def test_a_county_liaison_counts_only_the_county(inv, login, pipeline):
    w = inv.world
    doc = doc_of(login(w.zhuozi_liaison).get(url("home")))
    dds = [text_of(dd) for dd in doc.get_element_by_id("figures").xpath(".//dd")]
    assert dds[:3] == ["3", "2", "1"]  # 甲 乙 丙; key 甲 丙; signed 丙
    assert wan(Decimal(35000)) in dds[3]
    counties = table(doc, "county-table")
    assert w.zhuozi.name in counties
    assert w.huade.name not in counties
    funnel = doc.get_element_by_id("funnel")
    assert [text_of(s) for s in funnel.xpath('.//strong[@class="pj-reached"]')] == [
        "3",
        "2",
        "1",
        "0",
        "0",
        "0",
    ]
    assert "upward-card" not in doc.text_content()  # upward funding is the offices' own
    assert not doc.xpath('//*[@id="upward-card"]')


def test_activity_and_upward_cards(inv, login, pipeline):
    w = inv.world
    first_day = datetime.date(THIS, 1, 1)
    for title, projects in (("京蒙协作推介会", ["甲", "乙"]), ("赴京招商", ["乙"])):
        services.activity_save(
            actor=None,
            kind=ActivityKind.PROMOTION,
            title=title,
            date=first_day,
            place="北京",
            organiser=inv.office,
            county=w.zhuozi,
            projects=[pipeline[name] for name in projects],
        )
    for year, granted in ((THIS - 1, "1000"), (THIS, "1250")):
        app = services.upward_save(
            actor=None,
            title=f"{year}年马铃薯产业集群资金",
            kind=UpwardKind.FUNDS,
            authority="农业农村部",
            chain=inv.potato,
            office=inv.office,
            year=year,
            amount_requested=Decimal("3000"),
        )
        day = datetime.date(year, 1, 1)
        app = services.upward_act(actor=None, application=app, action=UpwardAction.SUBMIT, on=day)
        services.upward_act(
            actor=None,
            application=app,
            action=UpwardAction.APPROVE,
            on=day,
            granted=Decimal(granted),
        )
    doc = doc_of(login(w.leader).get(url("home")))
    activities = by_id(doc, "activities-card")
    assert (
        gettext("%(activities)s promotion activities held, %(projects)s projects attracted")
        % {"activities": 2, "projects": 2}
        in activities
    )
    assert doc.get_element_by_id("activities-card").get("href") == url("activities")
    upward = by_id(doc, "upward-card")
    assert wan(Decimal("1250")) in upward
    assert gettext("Up %(percent)s%% year on year") % {"percent": "25.0"} in upward
    assert doc.get_element_by_id("upward-card").get("href") == url("upward_list")


# --- who finds it -----------------------------------------------------------------------------


def test_who_finds_the_pipeline(inv, login, pipeline):
    w = inv.world
    for user in (w.leader, w.inspector, w.office, inv.staff, w.zhuozi_liaison, w.huade_liaison):
        assert login(user).get(url("home")).status_code == 200
    for user in (w.sysadmin, w.secadmin, w.auditor, w.outsider, enterprise_login(w)):
        assert login(user).get(url("home")).status_code == 404
    assert login(w.leader).post(url("home")).status_code == 405


def test_an_empty_pipeline_shows_zeros(inv, login):
    doc = doc_of(login(inv.world.huade_liaison).get(url("home")))
    assert [text_of(dd) for dd in doc.get_element_by_id("figures").xpath(".//dd")][:3] == [
        "0",
        "0",
        "0",
    ]
    assert doc.xpath('//span[contains(@class, "pj-bar")]/@class') == ["pj-bar w-0"] * 6
    assert table(doc, "county-table") == {gettext("Total"): ["0"] * 8}


def test_the_pipeline_runs_the_same_queries_for_2_or_10_projects(inv, login):
    w = inv.world
    client = login(w.leader)

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            make_project(
                inv,
                f"项目{n}",
                stage=list(Stage)[n % 6],
                on=days_ago(n * 7),
                county=w.zhuozi if n % 2 else w.huade,
                chain=(inv.potato, inv.beef, inv.dairy)[n % 3],
                is_key=bool(n % 2),
                year=THIS,
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("home"))
        assert response.status_code == 200
        return len(captured)

    add(0, 2)
    client.get(url("home"))  # the session's first page notes what it notes once
    few = count()
    add(2, 8)
    assert count() == few
