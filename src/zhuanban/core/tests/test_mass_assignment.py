"""No mass assignment through the API: a request body names only what the caller decides.
Who did it, which unit, the status and the timestamps are set by the services, and a
body that names anything else is refused (422), not partly applied.

The first tests read every operation's request body in the OpenAPI schema, so a new
endpoint is held to the rule as soon as it exists."""

import pytest

from zhuanban.api import api
from zhuanban.core.tests.hardening import bearer, business_data
from zhuanban.dispatch.models import SubmissionStatus
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action, Status
from zhuanban.tasks.models import ProgressReport

# Fields the server decides. A body may carry none of them (also as `<name>_id`).
FORBIDDEN = {
    # lifecycle state: changed only by the actions of the transition tables
    "status",
    "state",
    "light",
    "allowed_actions",
    "locked_at",
    "closed_at",
    "approved_at",
    "submitted_at",
    "first_submitted_at",
    "revision",
    "version",
    # who: always the authenticated caller
    "owner",
    "user",
    "actor",
    "author",
    "reporter",
    "created_by",
    "updated_by",
    "approver",
    "approved_by",
    "reviewed_by",
    "submitted_by",
    "returned_by",
    # where: the caller's own unit, or the object's
    "unit",
    "office",
    "county",
    "task_list",
    "round",
    "submission",
    "task",
    # accounts and secrets
    "is_staff",
    "is_superuser",
    "is_active",
    "password",
    "roles",
    "token",
    "digest",
    # the audit chain
    "hash",
    "prev_hash",
    "seq",
    "created_at",
    "updated_at",
}
# (operation id, field) pairs that legitimately name one of them, each with its reason.
ALLOWED = {
    # none yet; e.g. ("tasks_create", "lead_unit"): the office picks the lead unit.
}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _fields(schema: dict, node: dict, prefix: str = ""):
    """Every property name in a body schema, through nested objects and arrays (the
    free-form dicts of table rows and row comments have no named properties)."""
    node = _resolve(schema, node)
    for option in node.get("anyOf", []) + node.get("allOf", []) + node.get("oneOf", []):
        yield from _fields(schema, option, prefix)
    if node.get("type") == "array" and "items" in node:
        yield from _fields(schema, node["items"], prefix)
    for name, child in node.get("properties", {}).items():
        yield prefix + name, name, _resolve(schema, child)
        yield from _fields(schema, child, prefix + name + ".")


def request_bodies():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                yield f"{method.upper()} {path}", operation["operationId"], schema, media["schema"]


BODIES = list(request_bodies())


def test_the_api_has_request_bodies_to_check():
    names = {name for name, *_ in BODIES}
    assert "POST /api/v1/tasks/{task_id}/reports" in names
    assert "PUT /api/v1/dispatch/rounds/{round_id}/submissions/{unit_code}" in names


@pytest.mark.parametrize(("name", "operation_id", "schema", "body"), BODIES, ids=lambda v: "")
def test_no_request_body_names_a_field_the_server_decides(name, operation_id, schema, body):
    for path, field, _node in _fields(schema, body):
        base = field.removesuffix("_id")
        if (operation_id, field) in ALLOWED:
            continue
        assert base not in FORBIDDEN, f"{name}: the body accepts {path!r}"


@pytest.mark.parametrize(("name", "operation_id", "schema", "body"), BODIES, ids=lambda v: "")
def test_every_request_body_refuses_unknown_fields(name, operation_id, schema, body):
    """additionalProperties: false on the body (and every named object inside it), so
    that a client learns about a typo, or an attempt, with a 422."""
    top = _resolve(schema, body)
    assert top.get("additionalProperties") is False, name
    for path, _field, node in _fields(schema, body):
        if node.get("type") == "object" and node.get("properties"):
            assert node.get("additionalProperties") is False, f"{name}: {path}"


# --- behaviour -------------------------------------------------------------------------


@pytest.fixture
def started(world):
    data = business_data(world)
    data.task = task_services.task_act(
        actor=world.zhuozi_liaison, task=data.task, action=Action.ACCEPT
    )
    return data


def test_a_progress_report_naming_its_status_or_author_is_refused(world, client, started):
    url = f"/api/v1/tasks/{started.task.pk}/reports"
    liaison = bearer(world.zhuozi_liaison)
    for extra in (
        {"status": Status.CLOSED},
        {"reporter": world.leader.pk},
        {"created_by": world.leader.pk},
        {"task_id": 1},
    ):
        body = {"text": "完成种薯扩繁200亩", "progress": 40, **extra}
        response = client.post(url, body, content_type="application/json", **liaison)
        assert response.status_code == 422, extra
        assert next(iter(extra)) in str(response.json()["detail"])
    started.task.refresh_from_db()
    assert started.task.status == Status.IN_PROGRESS
    assert started.task.progress == 0
    assert not ProgressReport.objects.exists()

    # Without them: recorded, with the caller as the reporter and the service's status.
    body = {"text": "完成种薯扩繁200亩", "progress": 40}
    response = client.post(url, body, content_type="application/json", **liaison)
    assert response.status_code == 200
    assert response.json()["status"] == Status.IN_PROGRESS
    report = ProgressReport.objects.get()
    assert report.reporter == world.zhuozi_liaison
    assert report.task == started.task


def test_a_lifecycle_action_cannot_carry_a_target_status(world, client, started):
    url = f"/api/v1/tasks/{started.task.pk}/actions/request_close"
    response = client.post(
        url,
        {"comment": "已完成", "status": Status.CLOSED},
        content_type="application/json",
        **bearer(world.zhuozi_liaison),
    )
    assert response.status_code == 422
    started.task.refresh_from_db()
    assert started.task.status == Status.IN_PROGRESS


def test_a_submission_cannot_approve_itself_or_change_its_unit(world, client, started):
    round_ = started.round
    url = f"/api/v1/dispatch/rounds/{round_.pk}/submissions/{world.zhuozi.code}"
    liaison = bearer(world.zhuozi_liaison)
    current = client.get(url, **liaison).json()
    rows = [{"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": 12, "note": "正常"}]
    for extra in (
        {"status": SubmissionStatus.APPROVED},
        {"unit_id": world.huade.pk},
        {"approved_by": world.office.pk},
        {"revision": 9},
    ):
        body = {"rows": rows, "lock_version": current["lock_version"], "submit": True, **extra}
        response = client.put(url, body, content_type="application/json", **liaison)
        assert response.status_code == 422, extra
    submission = round_.submissions.get(unit=world.zhuozi)
    assert submission.status == current["status"]
    assert submission.revision == current["revision"]
    assert round_.submissions.get(unit=world.huade).status == current["status"]

    body = {"rows": rows, "lock_version": current["lock_version"], "submit": True}
    response = client.put(url, body, content_type="application/json", **liaison)
    assert response.status_code == 200
    # Submitted, not approved: approval is the office's decision.
    assert response.json()["status"] == SubmissionStatus.SUBMITTED


def test_a_decision_cannot_name_the_reviewer(world, client, started):
    round_ = started.round
    url = f"/api/v1/dispatch/rounds/{round_.pk}/submissions/{world.zhuozi.code}/actions/approve"
    response = client.post(
        url,
        {"comment": "", "reviewed_by": world.leader.pk},
        content_type="application/json",
        **bearer(world.office),
    )
    assert response.status_code == 422
