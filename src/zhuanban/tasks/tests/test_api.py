import pytest

from zhuanban.tasks.lifecycle import Action, Status
from zhuanban.tasks.models import Task

API = "/api/v1/tasks"


def test_the_api_walks_the_lifecycle_with_the_same_rules(login, world, make_task):
    task = make_task(content="建设种薯基地")
    office = login(world.office)
    response = office.post(
        f"{API}/{task.pk}/actions/assign", {"comment": ""}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.ASSIGNED

    liaison = login(world.zhuozi_liaison)
    assert liaison.get(f"{API}/{task.pk}").json()["allowed_actions"] == [
        Action.ACCEPT,
        Action.RETURN,
        Action.COMMENT,
    ]
    liaison.post(f"{API}/{task.pk}/actions/accept", {}, content_type="application/json")
    response = liaison.post(
        f"{API}/{task.pk}/reports",
        {"text": "完成60%", "progress": 60},
        content_type="application/json",
    )
    assert response.json()["progress"] == 60
    assert Task.objects.get(pk=task.pk).reports.get().text == "完成60%"


def test_the_api_refuses_what_the_table_refuses(login, world, make_task):
    task = make_task()
    liaison = login(world.zhuozi_liaison)
    # A draft is invisible to the county.
    assert (
        liaison.post(
            f"{API}/{task.pk}/actions/accept", {}, content_type="application/json"
        ).status_code
        == 404
    )
    office = login(world.office)
    response = office.post(f"{API}/{task.pk}/actions/close", {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    office.post(f"{API}/{task.pk}/actions/assign", {}, content_type="application/json")
    response = office.post(f"{API}/{task.pk}/actions/accept", {}, content_type="application/json")
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).status == Status.ASSIGNED
    bad = login(world.zhuozi_liaison).post(
        f"{API}/{task.pk}/reports", {"text": "x", "progress": 150}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_the_api_ledger_is_scoped_and_counted(login, world, make_task):
    from zhuanban.tasks import services

    for lead in (world.zhuozi, world.huade):
        services.task_act(actor=world.office, task=make_task(lead=lead), action=Action.ASSIGN)
    body = login(world.huade_liaison).get(API).json()
    assert body["count"] == 1
    assert body["items"][0]["lead_unit"]["name"] == "化德县"
    counts = login(world.leader).get(f"{API}/counts").json()
    assert counts["total"] == 2
    assert login(world.leader).get(API, {"county": world.zhuozi.pk}).json()["count"] == 1


def test_an_absurd_offset_is_refused_not_a_server_error(login, world):
    client = login(world.leader)
    for url in ("/api/v1/tasks", "/api/v1/org/units", "/api/v1/dispatch/rounds"):
        assert client.get(url, {"offset": 10**30}).status_code == 422, url
        assert client.get(url, {"offset": 2**31}).status_code == 200, url


@pytest.mark.parametrize("field", ["county", "office", "lead_unit", "task_list"])
@pytest.mark.parametrize("path", ["", "/counts"])
def test_an_id_beyond_64_bits_is_refused_not_a_server_error(login, world, field, path):
    response = login(world.office).get(f"{API}{path}", {field: str(10**30)})
    assert response.status_code == 422
