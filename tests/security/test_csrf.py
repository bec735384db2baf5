"""CSRF everywhere: no screen of ours is exempt, and a signed-in user's write without the
token is refused before it reaches the view, on screens and on the API when it is used
with the browser session. A bearer token is not a cookie, so it needs no CSRF token."""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from zhuanban.core.models import AuditEvent


def _views(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, pattern.namespace or namespace)
        else:
            yield namespace, str(pattern.pattern), pattern.callback


def test_no_screen_is_exempt_from_csrf():
    # django-ninja marks its views exempt and checks CSRF itself for session callers
    # (tested below); everything else goes through Django's middleware.
    exempt = [
        f"{namespace}:{route}"
        for namespace, route, view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and namespace != "api"
    ]
    assert exempt == []


@pytest.fixture
def strict(scene):
    """A browser that does not send the CSRF token (a forged cross-site form)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene.world.zhuozi_liaison)
    return scene, client


def test_a_screen_write_without_the_token_is_refused_and_changes_nothing(strict):
    scene, client = strict
    events = AuditEvent.objects.count()
    url = reverse("tasks:comment", args=[scene.zhuozi_task.pk])
    response = client.post(url, {"comment": "伪造的跨站提交"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == events


def test_the_login_form_needs_the_token_too(world):
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": world.zhuozi_liaison.username, "password": "Demo@2023"}
    )
    assert response.status_code == 403


def test_an_api_write_with_the_session_needs_the_token_but_a_bearer_token_does_not(strict, bearer):
    scene, client = strict
    url = f"/api/v1/tasks/{scene.zhuozi_task.pk}/reports"
    body = {"text": "完成了年度计划的一半", "progress": 50}
    events = AuditEvent.objects.count()
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert AuditEvent.objects.count() == events

    api, headers = bearer(scene.world.zhuozi_liaison)
    accepted = api.post(url, body, content_type="application/json", headers=headers)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["progress"] == 50
