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
    HUADE_SHARED_REPLY,
    HUADE_TASK,
    SHARED_NOTICE_TITLE,
    ZHUOZI_GROUP,
    ZHUOZI_PROBLEM,
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
    """Every business row (tasks, dispatch, supervision, rectification, assessment, org,
    notifications, files, users): what a refused request must leave exactly as it was.
    The many-to-many tables count too (a visit's photos, a report's evidence). The audit
    trail is left out: recording a refusal there is allowed."""
    models = [
        *apps.get_app_config("tasks").get_models(include_auto_created=True),
        *apps.get_app_config("dispatch").get_models(include_auto_created=True),
        *apps.get_app_config("supervision").get_models(include_auto_created=True),
        *apps.get_app_config("rectification").get_models(include_auto_created=True),
        *apps.get_app_config("assessment").get_models(include_auto_created=True),
        *apps.get_app_config("org").get_models(include_auto_created=True),
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
