"""/api/v1/investment: the same scoping and figures as the screens, read-only."""

import datetime

import pytest

from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.tests.conftest import days_ago, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(inv):
    w = inv.world
    return {
        "planned": make_project(inv, "燕麦米加工项目", on=days_ago(3), is_key=True),
        "stalled": make_project(
            inv, "肉牛养殖小区项目", chain=inv.beef, stage=Stage.SIGNED, on=days_ago(120)
        ),
        "huade": make_project(
            inv,
            "奶食品加工项目",
            chain=inv.dairy,
            county=w.huade,
            stage=Stage.PRODUCING,
            on=days_ago(30),
        ),
    }


def test_projects_carry_their_light_and_the_county_sees_its_own(login, inv, pipeline):
    client = login(inv.world.leader)
    rows = client.get("/api/v1/investment/projects").json()["items"]
    lights = {row["name"]: row["light"] for row in rows}
    assert lights == {
        "燕麦米加工项目": "green",
        "肉牛养殖小区项目": "red",
        "奶食品加工项目": "grey",
    }
    stalled = next(row for row in rows if row["name"] == "肉牛养殖小区项目")
    assert stalled["due_on"] == (days_ago(120) + datetime.timedelta(days=90)).isoformat()
    assert client.get("/api/v1/investment/projects?light=red").json()["count"] == 1

    county = login(inv.world.zhuozi_liaison)
    names = {row["name"] for row in county.get("/api/v1/investment/projects").json()["items"]}
    assert names == {"燕麦米加工项目", "肉牛养殖小区项目"}
    hidden = county.get(f"/api/v1/investment/projects/{pipeline['huade'].pk}")
    assert hidden.status_code == 404


def test_the_funnel_counts_by_stage_chain_and_county(login, inv, pipeline):
    body = login(inv.world.leader).get("/api/v1/investment/funnel").json()
    assert body["stages"] == {"planned": 1, "signed": 1, "producing": 1}
    assert body["reached"]["signed"] == 2
    assert body["lights"] == {"green": 1, "yellow": 0, "red": 1, "grey": 1}
    by_county = {row["name"]: row["counts"] for row in body["by_county"]}
    assert by_county == {"卓资县": {"planned": 1, "signed": 1}, "化德县": {"producing": 1}}
    key = login(inv.world.leader).get("/api/v1/investment/funnel?key=true").json()
    assert key["stages"] == {"planned": 1}


def test_list_queries_do_not_grow_with_projects(login, inv, django_assert_max_num_queries):
    client = login(inv.world.leader)
    for n in range(2):
        make_project(inv, f"项目{n}", on=days_ago(1))
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/investment/projects")
    for n in range(2, 12):
        make_project(inv, f"项目{n}", on=days_ago(1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/investment/projects").json()["count"] == 12


@pytest.mark.parametrize("persona", ["sysadmin", "auditor"])
def test_the_administrators_read_no_pipeline(login, inv, pipeline, persona):
    client = login(getattr(inv.world, persona))
    assert client.get("/api/v1/investment/projects").status_code == 403
    assert client.get(f"/api/v1/investment/projects/{pipeline['planned'].pk}").status_code == 403


def test_an_outsider_sees_nothing_and_upward_totals_are_the_bureaus(login, inv, pipeline):
    outsider = login(inv.world.outsider)
    assert outsider.get("/api/v1/investment/projects").json()["count"] == 0
    assert outsider.get("/api/v1/investment/upward/totals").json() == []
