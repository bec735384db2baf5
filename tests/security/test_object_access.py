"""Object-level authorization on every view, export and API endpoint, generated from the
URL configuration: for each pattern, 卓资县's county liaison asks for 化德县's objects and
is refused (403/404) without anything changing, while the owner gets in on the same URL.

A pattern without an entry in registry.py fails: a new endpoint must say whose objects it
serves, or why it serves none.
"""

import io
import json

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse
from django.utils.http import urlencode

from zhuanban.core.models import Notification, StoredFile
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action

from .registry import NAMESPACES, REGISTRY, Case, Check, Entry, entry_for
from .scene import (
    HUADE_DRAFT_DOC,
    HUADE_PROJECT,
    HUADE_SHARED_OPINION,
    HUADE_SHARED_REPLY,
    HUADE_TASK,
    ISSUE_NUMBER,
    ISSUED_DOC,
    ISSUED_TEXT,
    SHARED_DOC,
    SHARED_DOC_TEXT,
    SHARED_NOTICE_TITLE,
    ZHUOZI_ACTIVITY,
    ZHUOZI_GROUP,
    ZHUOZI_OPINION,
    ZHUOZI_PROBLEM,
    ZHUOZI_PROJECT,
    ZHUOZI_TASK,
    found_secrets,
)
from .urlconf import Route, collect_routes

ROUTES = collect_routes()
DENIED = (403, 404)
# The owner's write may be refused for what it says (an empty form, a state that does not
# allow it: 400, a stale version: 409) — after the access check, which is what the positive
# control is about. Not 422: django-ninja answers that before the endpoint runs.
OWNER_WRITE_OK = (200, 201, 204, 302, 400, 409)
LOGIN_PATH = "/accounts/login/"


# --- helpers ---------------------------------------------------------------------------------


def fingerprint() -> dict:
    """Every business row (tasks, dispatch, supervision, rectification, assessment,
    documents and meetings, the brand register, the investment pipeline, org,
    bulletins, notifications, files, users): what a refused request must leave exactly as it was.
    The many-to-many tables count too (a visit's photos, a report's evidence). The audit
    trail is left out: recording a refusal there is allowed."""
    models = [
        *apps.get_app_config("tasks").get_models(include_auto_created=True),
        *apps.get_app_config("dispatch").get_models(include_auto_created=True),
        *apps.get_app_config("supervision").get_models(include_auto_created=True),
        *apps.get_app_config("rectification").get_models(include_auto_created=True),
        *apps.get_app_config("assessment").get_models(include_auto_created=True),
        *apps.get_app_config("documents").get_models(include_auto_created=True),
        *apps.get_app_config("brand").get_models(include_auto_created=True),
        *apps.get_app_config("investment").get_models(include_auto_created=True),
        *apps.get_app_config("reports").get_models(include_auto_created=True),
        *apps.get_app_config("org").get_models(include_auto_created=True),
        *apps.get_app_config("ops").get_models(include_auto_created=True),
        Notification,
        StoredFile,
        get_user_model(),
    ]
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in model.objects.order_by("pk").values()
        ]
        for model in models
    }


def text_of(response) -> str:
    """What the response tells its reader: HTML, JSON (with Chinese unescaped) or the
    cells of an .xlsx file."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type and text:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def send(client, method: str, url: str, body=None, *, api: bool, headers=None):
    headers = headers or {}
    if method == "GET":
        return client.get(url, headers=headers)
    if api:
        return client.generic(
            method, url, json.dumps(body or {}), content_type="application/json", headers=headers
        )
    if method == "POST":
        return client.post(url, body or {}, headers=headers)
    return client.generic(
        method,
        url,
        urlencode(body or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def where(route: Route, case: Case | None, via: str, method: str, url: str) -> str:
    label = f" ({case.label})" if case and case.label else ""
    return f"{route.key}{label}: {method} {url} via {via}"


def assert_denied(response, context: str) -> None:
    assert response.status_code in DENIED, (
        f"{context} answered {response.status_code} to 卓资县's liaison; expected 403 or 404"
    )
    leaked = found_secrets(text_of(response))
    assert not leaked, f"{context}: the refusal shows 化德县's data {leaked}"


def assert_no_secrets(response, context: str) -> None:
    leaked = found_secrets(text_of(response))
    assert not leaked, f"{context} shows 卓资县's liaison 化德县's private data: {leaked}"


def liaison_clients(route: Route, login, bearer, world) -> list[tuple[str, object, dict]]:
    clients = [("session", login(world.zhuozi_liaison), {})]
    if route.is_api:
        clients.append(("bearer token", *bearer(world.zhuozi_liaison)))
    return clients


def owner_client(route: Route, login, bearer, user) -> tuple[str, object, dict]:
    if route.is_api:
        return ("bearer token", *bearer(user))
    return "session", login(user), {}


def check_shape(route: Route, entry: Entry) -> None:
    with_params = {Check.FOREIGN, Check.SHARED}
    if route.params and entry.check not in {*with_params, Check.ADMIN, Check.NO_DATA}:
        pytest.fail(
            f"{route.key} takes {list(route.params)}: its registry entry must say whose "
            f"object to ask for (FOREIGN or SHARED with cases), not {entry.check}"
        )
    if entry.check in with_params and not (route.params and entry.cases):
        pytest.fail(f"{route.key}: a {entry.check} entry needs parameters and cases")
    if entry.check == Check.NO_DATA and route.params:
        pytest.fail(f"{route.key} takes {list(route.params)}: it is not a page without data")


# --- the checks ------------------------------------------------------------------------------


def check_foreign(route, entry, scene, login, bearer):
    world = scene.world
    for case in entry.cases(scene):
        url = route.url(case.kwargs)
        assert resolve(url).route == route.route, f"{url} does not reach {route.route}"
        before = fingerprint()
        post_only = False
        for via, client, headers in liaison_clients(route, login, bearer, world):
            response = send(client, "GET", url, api=route.is_api, headers=headers)
            if entry.method is None and response.status_code == 405:
                assert entry.body is not None, (
                    f"{route.key} is POST-only: give its registry entry a plausible `body`"
                )
                post_only, writes = True, ["POST"]
            else:
                if response.status_code != 405:  # e.g. PUT-only on a path that has a GET
                    assert_denied(response, where(route, case, via, "GET", url))
                writes = [entry.method] if entry.method else (["POST"] if entry.body else [])
            for method in writes:
                body = entry.body(scene) if entry.body else {}
                response = send(client, method, url, body, api=route.is_api, headers=headers)
                assert_denied(response, where(route, case, via, method, url))
        assert fingerprint() == before, f"{route.key} ({case.label}): the refusal changed data"
        if case.owner is None:
            continue
        # The positive control: the same URL works for the object's owner.
        via, client, headers = owner_client(route, login, bearer, getattr(world, case.owner))
        context = where(route, case, f"{via} of {case.owner}", "", url)
        if post_only or entry.method:
            method = entry.method or "POST"
            make = entry.owner_body or entry.body
            response = send(
                client, method, url, make(scene) if make else {}, api=route.is_api, headers=headers
            )
            assert response.status_code in OWNER_WRITE_OK, (
                f"positive control {context} {method}: {response.status_code}"
            )
        else:
            response = send(client, "GET", url, api=route.is_api, headers=headers)
            assert response.status_code in (200, 302), (
                f"positive control {context} GET: {response.status_code} — is the id real?"
            )
        if response.status_code == 302:
            assert not response.url.startswith(LOGIN_PATH), f"{context}: sent to sign in"


def check_shared(route, entry, scene, login, bearer):
    for case in entry.cases(scene):
        url = route.url(case.kwargs)
        assert resolve(url).route == route.route, f"{url} does not reach {route.route}"
        for via, client, headers in liaison_clients(route, login, bearer, scene.world):
            response = send(client, "GET", url, api=route.is_api, headers=headers)
            context = where(route, case, via, "GET", url)
            assert response.status_code == 200, f"{context}: {response.status_code}"
            assert_no_secrets(response, context)
            if entry.verify:
                entry.verify(scene, response)


def check_own_data(route, entry, scene, login, bearer):
    url = route.url({})
    urls = [url]
    if entry.query:
        urls.append(f"{url}?{urlencode(entry.query(scene))}")
    before = fingerprint()
    for via, client, headers in liaison_clients(route, login, bearer, scene.world):
        for asked in urls:
            response = send(client, "GET", asked, api=route.is_api, headers=headers)
            context = where(route, None, via, "GET", asked)
            assert response.status_code == 200, f"{context}: {response.status_code}"
            assert_no_secrets(response, context)
            if entry.verify:
                entry.verify(scene, response)
    assert fingerprint() == before, f"{route.key}: reading the page changed data"
    if entry.owner_sees:
        # The same page shows 化德县's liaison their data: the text check has teeth.
        via, client, headers = owner_client(route, login, bearer, scene.world.huade_liaison)
        response = send(client, "GET", url, api=route.is_api, headers=headers)
        assert response.status_code == 200
        assert found_secrets(text_of(response)), f"{route.key}: 化德县 does not see its own data"


def check_own_action(route, entry, scene, login, bearer):
    url = route.url({})
    client = login(scene.world.zhuozi_liaison)
    response = send(client, "POST", url, entry.body(scene), api=route.is_api)
    assert response.status_code in (200, 302), f"{route.key}: {response.status_code}"
    entry.after(scene)


def check_forbidden(route, entry, scene, login, bearer):
    url = route.url({})
    before = fingerprint()
    for via, client, headers in liaison_clients(route, login, bearer, scene.world):
        statuses = {
            method: send(client, method, url, {}, api=route.is_api, headers=headers).status_code
            for method in ("GET", "POST")
        }
        # 405: the wrong method, refused before the role is looked at; the other is 403.
        context = where(route, None, via, "GET/POST", url)
        assert set(statuses.values()) <= {403, 405}, f"{context}: {statuses}"
        assert 403 in statuses.values(), f"{context}: {statuses}"
    assert fingerprint() == before


def check_hidden(route, entry, scene, login, bearer):
    url = route.url({})
    before = fingerprint()
    for via, client, headers in liaison_clients(route, login, bearer, scene.world):
        statuses = {}
        for method in ("GET", "POST"):
            response = send(client, method, url, {}, api=route.is_api, headers=headers)
            statuses[method] = response.status_code
            assert_no_secrets(response, where(route, None, via, method, url))
        # 405: the wrong method, refused before anything is looked at; the other is 404.
        context = where(route, None, via, "GET/POST", url)
        assert set(statuses.values()) <= {404, 405}, f"{context}: {statuses}"
        assert 404 in statuses.values(), f"{context}: {statuses}"
    assert fingerprint() == before
    for case in entry.cases(scene) if entry.cases else ():
        # The positive control: the page is there for the bureau.
        via, client, headers = owner_client(route, login, bearer, getattr(scene.world, case.owner))
        response = send(client, "GET", url, api=route.is_api, headers=headers)
        assert response.status_code == 200, f"positive control {route.key} via {via}"


def check_admin(route, entry, world, login, bearer):
    client = login(world.zhuozi_liaison)
    before = fingerprint()
    for case in entry.cases(world):
        url = route.url(case.kwargs)
        assert resolve(url).route == route.route, f"{url} does not reach {route.route}"
        for method in ("GET", "POST"):
            response = send(client, method, url, {}, api=False)
            context = where(route, case, "session", method, url)
            assert response.status_code == 403, f"{context}: {response.status_code}"
    assert fingerprint() == before


def check_no_data(route, entry, scene, login, bearer):
    url = route.url({})
    for via, client, headers in liaison_clients(route, login, bearer, scene.world):
        response = send(client, "GET", url, api=route.is_api, headers=headers)
        context = where(route, None, via, "GET", url)
        assert response.status_code < 500, f"{context}: {response.status_code}"
        assert_no_secrets(response, context)


CHECKS = {
    Check.FOREIGN: check_foreign,
    Check.SHARED: check_shared,
    Check.OWN_DATA: check_own_data,
    Check.OWN_ACTION: check_own_action,
    Check.FORBIDDEN: check_forbidden,
    Check.HIDDEN: check_hidden,
    Check.ADMIN: check_admin,
    Check.NO_DATA: check_no_data,
}


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_a_county_liaison_reaches_no_other_countys_objects(route, request, login, bearer):
    entry = entry_for(route)
    if entry is None:
        pytest.fail(
            f"No authorization entry for the URL pattern {route.route!r} (key {route.key!r}). "
            f"Add one to tests/security/registry.py REGISTRY: how to build another county's "
            f"object for it (FOREIGN), or why it has none (SHARED, OWN_DATA, FORBIDDEN, "
            f"NO_DATA with a reason)."
        )
    check_shape(route, entry)
    # The admin site refuses by role, before any object is looked up: the personas do.
    data = request.getfixturevalue("world" if entry.check == Check.ADMIN else "scene")
    CHECKS[entry.check](route, entry, data, login, bearer)


def test_the_walk_finds_screens_exports_api_and_admin():
    keys = {route.key for route in ROUTES}
    assert {"tasks:detail", "tasks:export", "dispatch:submission_download"} <= keys
    assert {"api:get_task", "api:put_submission", "admin:index"} <= keys
    # Patterns without a name (the admin's redirects, its catch-all) are walked too.
    assert any(route.name is None and route.namespace == "admin" for route in ROUTES)


def test_the_registry_names_only_live_patterns():
    keys = {route.key for route in ROUTES}
    stale = sorted(set(REGISTRY) - keys)
    assert not stale, f"registry entries for URL patterns that no longer exist: {stale}"
    namespaces = {route.namespace for route in ROUTES}
    assert set(NAMESPACES) <= namespaces


def test_every_entry_has_a_positive_control_or_a_reason(scene):
    for key, entry in [*REGISTRY.items(), *NAMESPACES.items()]:
        if entry.check == Check.FOREIGN:
            for case in entry.cases(scene):
                assert case.owner or case.label, f"{key}: a case without an owner must say why"
            assert any(case.owner for case in entry.cases(scene)), f"{key}: no positive control"
        elif entry.check == Check.OWN_DATA:
            assert entry.reason or entry.owner_sees or entry.verify, (
                f"{key}: show that the owner sees their data there, or say why it is shared"
            )
        else:
            assert entry.reason, f"{key}: a {entry.check} entry says why"


def test_the_admin_site_opens_for_the_administrators(scene, login):
    assert login(scene.world.sysadmin).get("/admin/").status_code == 200
    assert login(scene.world.zhuozi_liaison).get("/admin/").status_code == 403


# --- holes this suite found, each pinned down ---------------------------------------------------


def test_a_task_page_lists_only_the_subtasks_the_user_may_see(scene, login):
    """A task 卓资县 leads with a subtask led by 化德县: 卓资县's liaison sees the task, not
    化德县's subtask (which was listed under "Subtasks" with its content and lead unit)."""
    world = scene.world
    child = task_services.task_create(
        actor=world.office,
        task_list=scene.shared_list,
        parent=scene.zhuozi_task,
        content=HUADE_TASK + "（子任务）",
        lead_unit=world.huade,
        due_date=scene.huade_task.due_date,
    )
    task_services.task_act(actor=world.office, task=child, action=Action.ASSIGN)
    url = f"/tasks/{scene.zhuozi_task.pk}/"
    html = login(world.zhuozi_liaison).get(url).content.decode()
    assert ZHUOZI_TASK in html
    assert not found_secrets(html)
    assert HUADE_TASK in login(world.office).get(url).content.decode()


def test_a_county_reads_the_completeness_of_its_own_submissions_only(scene, login):
    """化德县 has submitted in the shared round, 卓资县 has not: the table's page tells
    卓资县's liaison about its own line (0 of 1), not 化德县's (1 of 2) — as the API does."""
    url = f"/dispatch/tables/{scene.livestock.pk}/"
    rounds = dict(login(scene.world.zhuozi_liaison).get(url).context["rounds"])
    counts = rounds[scene.shared_round]
    assert (counts.expected, counts.submitted) == (1, 0)
    rounds = dict(login(scene.world.office).get(url).context["rounds"])
    assert (rounds[scene.shared_round].expected, rounds[scene.shared_round].submitted) == (2, 1)


def test_a_county_reads_its_own_supervision_pages_without_another_countys_data(scene, login):
    """The pages 卓资县's liaison may open about its own supervision (its group, visit and
    items, the notice issued to both counties) show nothing of 化德县's: on the shared
    notice the printed reasons are every unit's, but 化德县's reply is not."""
    world = scene.world
    shared_item = scene.shared_notice.rectifications.get(unit=world.zhuozi)
    pages = {
        reverse("supervision:group", args=[scene.zhuozi_group.pk]): ZHUOZI_GROUP,
        reverse("supervision:visit", args=[scene.zhuozi_visit.pk]): ZHUOZI_PROBLEM,
        reverse("rectification:detail", args=[scene.zhuozi_item.pk]): ZHUOZI_PROBLEM,
        reverse("rectification:detail", args=[shared_item.pk]): SHARED_NOTICE_TITLE,
        reverse("supervision:notice", args=[scene.shared_notice.pk]): SHARED_NOTICE_TITLE,
    }
    client = login(world.zhuozi_liaison)
    for url, own in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert own in html, url
        assert not found_secrets(html), f"{url}: {found_secrets(html)}"
    notice_url = reverse("supervision:notice", args=[scene.shared_notice.pk])
    assert HUADE_SHARED_REPLY in login(world.office).get(notice_url).content.decode()


# --- the suite's own teeth -----------------------------------------------------------------------


def test_a_new_endpoint_without_an_access_check_fails_the_suite(scene, login, bearer, settings):
    settings.ROOT_URLCONF = f"{__package__}.leaky_urls"
    routes = {route.key: route for route in collect_routes()}
    leaky = routes["leaky"]
    # Not in the registry: the parametrised test fails for it, asking for an entry ...
    assert entry_for(leaky) is None
    # ... and once registered as what it is, the check catches the missing access helper.
    entry = Entry(Check.FOREIGN, cases=lambda s: [Case({"pk": s.huade_task.pk})])
    with pytest.raises(AssertionError, match="answered 200 to 卓资县's liaison"):
        check_foreign(leaky, entry, scene, login, bearer)


# --- documents and meetings: what the registry's one attacker does not cover ----------------------


def test_a_county_reads_the_documents_it_may_open_without_another_countys_data(scene, login):
    """卓资县's liaison opens the document it is consulted on (its version, the round, its
    own answer) and the issued one (its issued text): 卓资县's own answer is there,
    化德县's answer to the same round is not, nor the issued document's undisclosed first
    draft — on the screens and through the API."""
    world = scene.world
    shared, issued, round_ = scene.shared_doc, scene.issued_doc, scene.shared_doc_round
    pages = {
        reverse("documents:document", args=[shared.pk]): SHARED_DOC,
        reverse("documents:version", args=[scene.shared_v1.pk]): SHARED_DOC_TEXT,
        reverse("documents:round", args=[round_.pk]): ZHUOZI_OPINION,
        reverse("documents:answer", args=[scene.shared_zhuozi_request.pk]): ZHUOZI_OPINION,
        reverse("documents:inbox"): SHARED_DOC,
        reverse("documents:document", args=[issued.pk]): ISSUE_NUMBER,
        reverse("documents:version", args=[scene.issued_v2.pk]): ISSUED_TEXT,
        reverse("documents:compare", args=[issued.pk]): ISSUED_DOC,
        f"/api/v1/documents/{shared.pk}": SHARED_DOC,
        f"/api/v1/documents/{issued.pk}": ISSUE_NUMBER,
        f"/api/v1/documents/rounds/{round_.pk}": ZHUOZI_OPINION,
        f"/api/v1/documents/{issued.pk}/versions/{scene.issued_v2.number}/text": ISSUED_TEXT,
    }
    client = login(world.zhuozi_liaison)
    for url, own in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        assert own in text, url
        assert not found_secrets(text), f"{url}: {found_secrets(text)}"
    # The API counts the answers 卓资县 may read: its own.
    api_round = client.get(f"/api/v1/documents/rounds/{round_.pk}").json()
    assert (api_round["answered"], api_round["total"]) == (1, 1)
    assert [r["unit"]["code"] for r in api_round["requests"]] == [world.zhuozi.code]
    api_issued = client.get(f"/api/v1/documents/{issued.pk}").json()
    assert [v["number"] for v in api_issued["versions"]] == [scene.issued_v2.number]
    # The undisclosed draft is not found, asked for beside the issued text.
    compare = reverse("documents:compare", args=[issued.pk])
    asked = f"{compare}?a={scene.undisclosed_v1.pk}&b={scene.issued_v2.pk}"
    assert client.get(asked).status_code == 404
    # The same round page tells the drafting office every answer: the check has teeth.
    office_page = login(world.office).get(reverse("documents:round", args=[round_.pk]))
    assert HUADE_SHARED_OPINION in office_page.content.decode()


def _post(client, name: str, pk: int, body: dict | None = None):
    return client.post(reverse(f"documents:{name}", args=[pk]), body or {})


def test_another_offices_staff_read_but_do_not_change_the_potato_offices_work(scene, login):
    """The brand office's member sees the bureau's documents and meetings, but neither the
    page offers them the potato office's actions nor does any write go through (403);
    nor may the potato office's own member run the bureau's meetings."""
    world = scene.world
    draft = scene.huade_draft
    page = reverse("documents:document", args=[draft.pk])
    actions = [
        reverse(name, args=[draft.pk])
        for name in (
            "documents:document_edit",
            "documents:version_add",
            "documents:round_open",
            "documents:document_act",
        )
    ]
    office_html = login(world.office).get(page).content.decode()
    assert all(url in office_html for url in actions)
    brand = login(world.brand_staff)
    html = brand.get(page).content.decode()
    assert HUADE_DRAFT_DOC in html
    assert not [url for url in actions if url in html]
    round_url = reverse("documents:round", args=[scene.shared_doc_round.pk])
    round_html = brand.get(round_url).content.decode()
    assert ZHUOZI_OPINION in round_html
    assert reverse("documents:round_urge", args=[scene.shared_doc_round.pk]) not in round_html
    assert reverse("documents:round_close", args=[scene.shared_doc_round.pk]) not in round_html
    assert reverse("documents:opinion_decide", args=[scene.zhuozi_opinion.pk]) not in round_html

    before = fingerprint()
    writes = [
        ("document_edit", draft.pk, {"title": "越权修改", "kind": "plan"}),
        ("document_act", draft.pk, {"action": "submit"}),
        ("document_act", scene.issued_doc.pk, {"action": "repeal", "repeal-comment": "越权"}),
        ("version_add", draft.pk, {"text": "越权写入的版本"}),
        ("version_edit", scene.huade_draft_v1.pk, {"label": "越权"}),
        ("round_open", draft.pk, {"deadline": "2099-01-01", "units": [world.zhuozi.pk]}),
        ("round_urge", scene.shared_doc_round.pk, {}),
        ("round_close", scene.shared_doc_round.pk, {}),
        ("opinion_decide", scene.zhuozi_opinion.pk, {"disposition": "adopted", "version": 1}),
        ("topic_edit", scene.pending_topic.pk, {"title": "越权修改的议题"}),
        ("topic_act", scene.pending_topic.pk, {"action": "withdraw"}),
        ("topic_act", scene.pending_topic.pk, {"action": "approve"}),
        ("topic_decide", scene.decided_topic.pk, {"outcome": "approved", "decision": "越权"}),
        ("decision_task", scene.decided_topic.pk, {"content": "越权创建的任务"}),
        ("meeting_act", scene.planned_meeting.pk, {"action": "cancel", "reason": "越权"}),
    ]
    for name, pk, body in writes:
        assert _post(brand, name, pk, body).status_code == 403, name
    # The potato office submits topics to the bureau's meetings; it does not run them.
    office = login(world.office)
    running = [
        ("topic_act", scene.pending_topic.pk, {"action": "approve"}),
        ("topic_decide", scene.decided_topic.pk, {"outcome": "approved", "decision": "越权"}),
        ("meeting_act", scene.planned_meeting.pk, {"action": "cancel", "reason": "越权"}),
    ]
    for name, pk, body in running:
        assert _post(office, name, pk, body).status_code == 403, name
    assert fingerprint() == before


def test_a_consulted_county_cannot_move_the_document_it_reads(scene, login):
    """化德县 is consulted on the document, 卓资县 on the shared one, and both read the
    issued one: neither submits, approves, issues, sends back or repeals any of them, adds
    or labels a version, runs the round or adopts an opinion (403: they see it); a
    meeting's decision they cannot even reach (404)."""
    world = scene.world
    before = fingerprint()
    for liaison, document, round_, opinion in (
        (world.huade_liaison, scene.consulted_doc, scene.huade_doc_round, scene.huade_opinion),
        (world.zhuozi_liaison, scene.shared_doc, scene.shared_doc_round, scene.zhuozi_opinion),
        (world.zhuozi_liaison, scene.issued_doc, None, None),
    ):
        client = login(liaison)
        for action in ("submit", "approve", "issue", "send_back", "revise", "repeal"):
            body = {
                "action": action,
                f"{action}-comment": "越权",
                f"{action}-issue_number": "乌农牧发〔2023〕98号",
                f"{action}-issued_on": scene.today.isoformat(),
            }
            response = _post(client, "document_act", document.pk, body)
            assert response.status_code == 403, (liaison, document, action)
        assert _post(client, "version_add", document.pk, {"text": "越权"}).status_code == 403
        version = document.versions.order_by("-number").first()
        assert _post(client, "version_edit", version.pk, {"label": "越权"}).status_code == 403
        if round_ is not None:
            for name in ("round_urge", "round_close"):
                assert _post(client, name, round_.pk).status_code == 403, name
            body = {"disposition": "adopted", "version": 1}
            assert _post(client, "opinion_decide", opinion.pk, body).status_code == 403
        body = {"outcome": "approved", "decision": "越权", "version": 1}
        assert _post(client, "topic_decide", scene.decided_topic.pk, body).status_code == 404
        body = {"action": "close"}
        assert _post(client, "meeting_act", scene.held_meeting.pk, body).status_code == 404
    assert fingerprint() == before


def _documents_writes(scene):
    """Every write of the documents app, with the body its owner sends and the owner."""
    for route in ROUTES:
        if route.namespace != "documents":
            continue
        entry = entry_for(route)
        if entry.check == Check.FOREIGN and entry.body:
            case = next(c for c in entry.cases(scene) if c.owner)
            make = entry.owner_body or entry.body
            yield route.url(case.kwargs), case.owner, make(scene)
    yield reverse("documents:document_create"), "office", {"title": "跨站伪造的文件"}
    yield reverse("documents:meeting_create"), "leader", {"kind": "bureau"}


def test_every_write_of_the_documents_app_needs_the_csrf_token(scene, login):
    """A forged cross-site form, sent with the session of the one who may make the write,
    is refused before the view runs (403, CSRF) and changes nothing."""
    world = scene.world
    writes = list(_documents_writes(scene))
    assert len(writes) >= 18
    before = fingerprint()
    for url, owner, body in writes:
        client = login(getattr(world, owner))
        client.handler.enforce_csrf_checks = True
        response = client.post(url, body)
        client.handler.enforce_csrf_checks = False
        assert response.status_code == 403, f"{url} by {owner}: {response.status_code}"
        assert b"CSRF" in response.content, f"{url}: refused, but not for the missing token"
    assert fingerprint() == before


# --- the investment pipeline: what the registry's one attacker does not cover ---------------------

INVESTMENT_API = {"api:list_projects", "api:get_project", "api:funnel", "api:upward_totals"}


def _investment_requests(scene):
    """Every investment screen, export and API route with the registry's first object
    (化德县's, or the bureau's) and the write its entry sends."""
    for route in ROUTES:
        if route.namespace != "investment" and route.key not in INVESTMENT_API:
            continue
        entry = entry_for(route)
        cases = entry.cases(scene) if entry.cases and route.params else [Case({})]
        yield route, route.url(cases[0].kwargs), entry.body


def test_no_administrator_enterprise_or_outsider_reaches_the_investment_pipeline(
    scene, login, bearer
):
    """The three administrators, 化德县's own enterprise login and a login without unit
    or role find none of the pipeline's screens (404; 405 for the wrong method), by
    reading or by writing; the API refuses them or answers with nothing; no text of
    化德县's or the bureau's anywhere, nothing changed."""
    world = scene.world
    requests = list(_investment_requests(scene))
    assert len(requests) == 27
    before = fingerprint()
    for persona in ("sysadmin", "secadmin", "auditor", "huade_applicant", "outsider"):
        user = getattr(world, persona)
        session = login(user)
        for route, url, body in requests:
            if route.is_api:
                for via, client, headers in [("session", session, {}), ("bearer", *bearer(user))]:
                    response = send(client, "GET", url, api=True, headers=headers)
                    context = f"{route.key} GET {url} as {persona} via {via}"
                    assert response.status_code in (200, *DENIED), context
                    assert not found_secrets(text_of(response)), context
                continue
            statuses = {}
            for method in ("GET", "POST"):
                sent = body(scene) if body and method == "POST" else {}
                response = send(session, method, url, sent, api=False)
                statuses[method] = response.status_code
                assert not found_secrets(text_of(response)), f"{route.key} {method} as {persona}"
            context = f"{route.key} {url} as {persona}: {statuses}"
            assert set(statuses.values()) <= {404, 405}, context
            assert 404 in statuses.values(), context
    assert fingerprint() == before


def _html(response) -> str:
    return response.content.decode()


def test_the_bureau_reads_the_pipeline_but_only_its_keepers_change_it(scene, login):
    """Another office's member, an inspector and a leader read 化德县's project and the
    potato office's upward application, but the project's page offers them none of its
    forms and every write is refused (403): the county and the investment office keep the
    register, the office or a leader urges, the potato office keeps its applications."""
    world = scene.world
    project, upward = scene.huade_project, scene.upward
    page = reverse("investment:project", args=[project.pk])
    forms = [
        reverse(f"investment:project_{name}", args=[project.pk])
        for name in ("edit", "move", "report", "urge")
    ]
    assert all(url in _html(login(world.investment_staff).get(page)) for url in forms)
    entries = {route.key: entry_for(route) for route in ROUTES}

    def write(key: str, *args, body=None):
        return reverse(key, args=args), body if body is not None else entries[key].body(scene)

    register = [
        write("investment:project_edit", project.pk),
        write("investment:project_move", project.pk),
        write("investment:project_report", project.pk),
        write("investment:activity_edit", scene.huade_activity.pk),
        write("investment:activity_create", body={"kind": "promotion", "title": "越权记录"}),
        write("investment:project_create", body={"name": "越权录入的项目", "stage": "planned"}),
        write("investment:clock_edit", "signed"),
        write("investment:projects_notice", body={"projects": [project.pk]}),
    ]
    upward_writes = [
        write("investment:upward_edit", upward.pk),
        write("investment:upward_act", upward.pk),
    ]
    urge = write("investment:project_urge", project.pk, body={"urge-text": "越权催办"})
    before = fingerprint()
    for persona, may_urge in (("brand_staff", False), ("inspector", False), ("leader", True)):
        client = login(getattr(world, persona))
        html = _html(client.get(page))
        assert HUADE_PROJECT in html, persona
        assert [url for url in forms if url in html] == ([urge[0]] if may_urge else []), persona
        upward_page = client.get(reverse("investment:upward", args=[upward.pk]))
        assert upward_page.status_code == 200, persona
        assert reverse("investment:upward_edit", args=[upward.pk]) not in _html(upward_page)
        for url, body in [*register, *upward_writes, *([] if may_urge else [urge])]:
            response = client.post(url, body)
            assert response.status_code == 403, f"{url} by {persona}: {response.status_code}"
    # The potato office keeps its own applications, not the investment register.
    office = login(world.office)
    for url, body in [*register, urge]:
        response = office.post(url, body)
        assert response.status_code == 403, f"{url} by the potato office: {response.status_code}"
    assert fingerprint() == before


def test_a_county_reads_its_own_investment_pages_without_another_countys_data(scene, login):
    """卓资县's liaison opens its own project and the event the investment office recorded
    in 卓资县, which produced 化德县's project as well: 卓资县's project is there, 化德县's
    is not (on the event's page, its record's form and the API), as the office sees it.
    卓资县 saves the event: the link to 化德县's project, which it cannot see, stays."""
    world = scene.world
    event = scene.zhuozi_activity
    event_page = reverse("investment:activity", args=[event.pk])
    edit = reverse("investment:activity_edit", args=[event.pk])
    pages = {
        reverse("investment:project", args=[scene.zhuozi_project.pk]): ZHUOZI_ACTIVITY,
        event_page: ZHUOZI_PROJECT,
        edit: ZHUOZI_PROJECT,
        f"/api/v1/investment/projects/{scene.zhuozi_project.pk}": ZHUOZI_PROJECT,
    }
    client = login(world.zhuozi_liaison)
    for url, own in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        assert own in text, url
        assert not found_secrets(text), f"{url}: {found_secrets(text)}"
    listed = client.get(event_page).context["projects"]
    assert [project.pk for project in listed] == [scene.zhuozi_project.pk]
    body = {
        "kind": event.kind,
        "title": event.title,
        "date": event.date.isoformat(),
        "place": event.place,
        "projects": [scene.zhuozi_project.pk],
        "summary": "卓资县补充的活动纪要",
        "version": event.version,
    }
    response = client.post(edit, body)
    assert response.status_code == 302, response.status_code
    event.refresh_from_db()
    assert event.summary == "卓资县补充的活动纪要"
    produced = set(event.projects.values_list("pk", flat=True))
    assert produced == {scene.zhuozi_project.pk, scene.huade_project.pk}
    assert not found_secrets(_html(client.get(event_page)))
    # The office reads the same page with 化德县's project on it: the check has teeth.
    assert HUADE_PROJECT in _html(login(world.investment_staff).get(event_page))
