import pytest

from zhuanban.core.models import ApiToken
from zhuanban.org import services
from zhuanban.org.tests.factories import ChainFactory

API = "/api/v1"


@pytest.fixture
def token(world):
    _, raw = services.api_token_issue(
        actor=world.sysadmin, user=world.zhuozi_liaison, name="报表工具"
    )
    return raw


def test_the_api_requires_authentication(client, world):
    assert client.get(f"{API}/org/units").status_code == 401


def test_units_list_the_tree_with_codes(login, world):
    response = login(world.zhuozi_liaison).get(f"{API}/org/units", {"kind": "county"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {(u["name"], u["division_code"]) for u in body["items"]} == {
        ("卓资县", "150921"),
        ("化德县", "150922"),
    }


def test_unit_detail_is_scoped_like_the_screens(login, world):
    client = login(world.zhuozi_liaison)
    own = client.get(f"{API}/org/units/{world.zhuozi.pk}")
    assert own.status_code == 200
    people = own.json()["people"]
    assert [p["user"]["name"] for p in people] == ["郭晓军"]
    assert people[0]["roles"] == ["county_liaison"]
    assert client.get(f"{API}/org/units/{world.huade.pk}").status_code == 404
    assert login(world.leader).get(f"{API}/org/units/{world.huade.pk}").status_code == 200


def test_bearer_tokens_authenticate_and_can_be_revoked(client, world, token):
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/org/units/{world.zhuozi.pk}", headers=headers).status_code == 200
    assert client.get(f"{API}/org/units/{world.huade.pk}", headers=headers).status_code == 404
    stored = ApiToken.objects.get()
    assert token not in stored.digest  # only the digest is stored
    assert stored.last_used_at is not None

    services.api_token_revoke(actor=world.sysadmin, token=stored)
    assert client.get(f"{API}/org/units", headers=headers).status_code == 401
    assert (
        client.get(f"{API}/org/units", headers={"Authorization": "Bearer zb_wrong"}).status_code
        == 401
    )


def test_session_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    # No unsafe endpoints exist yet; a POST to a GET-only path must not succeed either way.
    assert client.post(f"{API}/org/units").status_code in (401, 403, 405)


def test_offices_list_their_staff(login, world):
    offices = login(world.huade_liaison).get(f"{API}/org/offices").json()
    potato = next(o for o in offices if o["code"] == "office-potato")
    assert [p["name"] for p in potato["director"]] == ["张海龙"]
    assert [p["name"] for p in potato["members"]] == ["马晓静"]
    assert potato["deputies"] == []


def test_chains_report_missing_items(login, world):
    ChainFactory(code="sheep", name="肉羊产业链", leader=world.leader, lead_section=world.crops)
    client = login(world.office)
    chains = client.get(f"{API}/org/chains").json()
    assert len(chains) == 1
    assert chains[0]["leader"]["name"] == "王振华"
    assert len(chains[0]["missing"]) == 3
    assert client.get(f"{API}/org/chains/sheep").json()["code"] == "sheep"
    assert client.get(f"{API}/org/chains/none").status_code == 404


def test_openapi_schema_describes_the_endpoints(login, world):
    schema = login(world.leader).get(f"{API}/openapi.json").json()
    assert {"/api/v1/org/units", "/api/v1/org/units/{unit_id}", "/api/v1/org/chains"} <= set(
        schema["paths"]
    )
    responses = schema["paths"]["/api/v1/org/units/{unit_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(responses)


def test_the_apitoken_command_prints_a_working_token(client, world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("apitoken", "huade", "--name", "统计脚本", stdout=out)
    raw = out.getvalue().split(": ", 1)[1].split()[0]
    response = client.get(
        f"{API}/org/units/{world.huade.pk}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().name == "统计脚本"
