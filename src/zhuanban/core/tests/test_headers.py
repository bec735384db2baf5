"""Security headers on every kind of response: a page, the login page, the API, a file.

The Content Security Policy allows scripts, styles, fonts and images from the app
itself only (images also as data: URIs), no inline code and no eval, no framing; the
pages are written so that they need nothing more."""

import re

import pytest
from django.urls import reverse

from zhuanban.core.tests.hardening import bearer, business_data

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}


def csp(response) -> dict[str, set[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = set(sources)
    return policy


def html_page(client, world):
    return client.get(reverse("home"))


def login_page(client, world):
    client.logout()
    return client.get(reverse("login"))


def api_response(client, world):
    client.logout()
    return client.get("/api/v1/tasks", **bearer(world.office))


def file_export(client, world):
    response = client.get(reverse("tasks:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response


@pytest.mark.parametrize("fetch", [html_page, login_page, api_response, file_export])
def test_every_response_carries_the_security_headers(world, login, fetch):
    response = fetch(login(world.office), world)
    assert response.status_code == 200
    policy = csp(response)
    for directive, sources in EXPECTED_CSP.items():
        assert policy[directive] == sources, directive
    everything = set().union(*policy.values())
    assert not everything & {"'unsafe-inline'", "'unsafe-eval'", "*"}
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert features["camera"] == features["microphone"] == features["geolocation"] == "()"


def test_error_responses_carry_the_policy_too(world, login):
    client = login(world.zhuozi_liaison)
    response = client.get(reverse("tasks:detail", args=[999999]))
    assert response.status_code == 404
    assert csp(response)["script-src"] == {"'self'"}
    assert response["X-Frame-Options"] == "DENY"
    response = client.get("/api/v1/tasks/999999")
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == {"'none'"}


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("persona", ["office", "zhuozi_liaison"])
def test_pages_need_no_inline_script_or_style(world, login, persona):
    """What the policy forbids, the pages do not use: no inline <script>, no style
    attribute, no on* handler, on the home page, the ledger, a task, a round and a
    unit's submission grid."""
    data = business_data(world)
    client = login(getattr(world, persona))
    urls = [
        reverse("home"),
        reverse("tasks:ledger"),
        reverse("tasks:detail", args=[data.task.pk]),
        reverse("dispatch:round", args=[data.round.pk]),
        reverse("dispatch:submission", args=[data.round.pk, world.zhuozi.pk]),
    ]
    for url in urls:
        response = client.get(url, follow=True)  # a county goes on to its own grid
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not STYLE_ATTRIBUTE.search(html), url
        assert not EVENT_HANDLER.search(html), url


def test_htmx_runs_without_eval_or_its_inline_style(world, login):
    html = login(world.office).get(reverse("home")).content.decode()
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert meta is not None
    assert '"allowEval": false' in meta.group(1)
    assert '"includeIndicatorStyles": false' in meta.group(1)
    # The meta must come before htmx reads it.
    assert html.index('name="htmx-config"') < html.index("django_htmx/htmx-2")
