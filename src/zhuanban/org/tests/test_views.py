import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import ChainFactory, OrgUnitFactory, person


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for url in [
        reverse("home"),
        reverse("org:unit", args=[world.zhuozi.pk]),
        reverse("org:office", args=[world.potato.pk]),
        reverse("org:chains"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_home_shows_offices_with_their_staff_and_the_counties(login, world):
    response = login(world.zhuozi_liaison).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "乌兰察布市农牧局" in html
    assert html.count('class="card office"') == 2
    assert "马铃薯产业办" in html
    assert "张海龙" in html  # director
    assert "马晓静" in html  # member
    assert "卓资县" in html
    assert "150921" in html
    assert "化德县" in html
    assert "150922" in html


def test_home_page_queries_stay_flat_as_the_bureau_grows(login, world):
    # Leaders land on the dashboard (reports); the inspector sees the bureau's home page.
    client = login(world.inspector)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    for n in range(6):
        office = OrgUnitFactory(code=f"office-{n}", kind=UnitKind.OFFICE, parent=world.bureau)
        person(f"dir-{n}", world.crops, (Role.OFFICE_DIRECTOR, office))
        person(f"mem-{n}", world.crops, (Role.OFFICE_MEMBER, office))
        OrgUnitFactory(code=f"sec-{n}", kind=UnitKind.SECTION, parent=world.bureau)
        ChainFactory(code=f"chain-{n}")
    assert count_queries() == before


def test_home_accepts_only_get(login, world):
    assert login(world.leader).post(reverse("home")).status_code == 405


def test_a_county_liaison_sees_their_county_but_not_another(login, world):
    client = login(world.zhuozi_liaison)
    own = client.get(reverse("org:unit", args=[world.zhuozi.pk]))
    assert own.status_code == 200
    assert "郭晓军" in own.content.decode()
    assert "卓资镇" in own.content.decode()  # sub-unit
    assert client.get(reverse("org:unit", args=[world.huade.pk])).status_code == 404


def test_a_leader_sees_every_county(login, world):
    client = login(world.leader)
    response = client.get(reverse("org:unit", args=[world.huade.pk]))
    assert "乔文慧" in response.content.decode()


def test_office_page_offers_editing_only_to_its_own_staff(login, world):
    url = reverse("org:office", args=[world.potato.pk])
    edit_url = reverse("org:office_edit", args=[world.potato.pk])
    assert edit_url in login(world.office).get(url).content.decode()
    brand_view = login(world.brand_staff).get(url).content.decode()
    assert "马铃薯产业办" in brand_view
    assert edit_url not in brand_view


def test_office_staff_update_their_office_and_it_is_audited(login, world):
    response = login(world.office).post(
        reverse("org:office_edit", args=[world.potato.pk]),
        {"duties": "推进马铃薯全产业链建设。", "phone": "0474-1234567"},
    )
    assert response.status_code == 302
    office = OrgUnit.objects.get(pk=world.potato.pk)
    assert (office.duties, office.phone) == ("推进马铃薯全产业链建设。", "0474-1234567")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(office.pk))
    assert event.actor == world.office
    assert event.before["duties"] == ""
    assert event.after["phone"] == "0474-1234567"


@pytest.mark.parametrize(
    "persona", ["brand_staff", "leader", "auditor", "sysadmin", "zhuozi_liaison"]
)
def test_nobody_else_changes_an_office(login, world, persona):
    client = login(getattr(world, persona))
    url = reverse("org:office_edit", args=[world.potato.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"duties": "篡改", "phone": ""}).status_code == 403
    assert OrgUnit.objects.get(pk=world.potato.pk).duties == ""
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_office_edit_rejects_other_methods_and_non_offices(login, world):
    client = login(world.office)
    assert client.put(reverse("org:office_edit", args=[world.potato.pk])).status_code == 405
    assert client.get(reverse("org:office", args=[world.zhuozi.pk])).status_code == 404


def test_chains_page_shows_what_is_missing(login, world):
    complete = ChainFactory(
        code="potato",
        name="马铃薯产业链",
        short_name="薯",
        leader=world.leader,
        lead_section=world.crops,
        work_plan_title="《马铃薯产业发展示范区建设方案》",
    )
    complete.experts.create(name="金黎平")
    complete.working_group.create(user=world.office)
    ChainFactory(code="sheep", name="肉羊产业链", short_name="羊", leader=world.leader)

    html = login(world.huade_liaison).get(reverse("org:chains")).content.decode()
    potato = html[html.index('id="chain-potato"') : html.index('id="chain-sheep"')]
    sheep = html[html.index('id="chain-sheep"') :]
    assert "missing-summary" not in potato
    assert "《马铃薯产业发展示范区建设方案》" in potato
    assert "missing-summary" in sheep
    assert sheep.count('class="tag missing"') == 4  # section, experts, plan, group


def test_chain_detail_lists_experts_and_working_group(login, world):
    chain = ChainFactory(code="dairy", name="奶业产业链", short_name="乳")
    chain.experts.create(name="王加启", affiliation="中国农业科学院")
    chain.working_group.create(user=world.office, duty="联络员")
    html = login(world.zhuozi_liaison).get(reverse("org:chain", args=["dairy"])).content.decode()
    assert "王加启" in html
    assert "中国农业科学院" in html
    assert "马晓静" in html
    assert "联络员" in html
    assert login(world.zhuozi_liaison).get(reverse("org:chain", args=["nope"])).status_code == 404


@pytest.mark.parametrize("url", ["/", "/api/v1/docs", "/tasks/"])
def test_every_asset_comes_from_the_app_itself(login, world, url):
    """Bureaus run on intranets: no page may load anything from another host (no CDN)."""
    import re

    # follow: the leader's home is the dashboard, with its charts' plotly.js.
    html = login(world.leader).get(url, follow=True).content.decode()
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets
    assert [a for a in assets if not a.startswith("/")] == []
