"""Idle timeout checked on the server; logout flushes the session."""

import time

from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from zhuanban.accounts.middleware import LAST_ACTIVITY_KEY
from zhuanban.core.models import AuditAction, AuditEvent


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def test_activity_is_recorded_on_every_request(world, login):
    client = login(world.office)
    client.get(reverse("home"))
    assert abs(client.session[LAST_ACTIVITY_KEY] - time.time()) < 5


def test_a_session_idle_longer_than_the_limit_is_logged_out(world, login, settings):
    client = login(world.office)
    client.get(reverse("home"))
    old_key = client.session.session_key
    idle_for(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get(reverse("tasks:ledger"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not SessionStore().exists(old_key)
    page = client.get(response.url)
    assert "_auth_user_id" not in client.session
    messages = [str(m) for m in page.context["messages"]]
    assert messages == ["您已超过30分钟未操作，请重新登录。"] or messages == [
        "You have been inactive for more than 30 minutes. Please log in again."
    ]
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.actor, event.message) == (world.office, "idle timeout")


def test_a_session_within_the_limit_stays(world, login, settings):
    client = login(world.office)
    client.get(reverse("home"))
    idle_for(client, settings.SESSION_IDLE_SECONDS - 60)
    assert client.get(reverse("home")).status_code == 200


def test_the_idle_limit_follows_the_setting(world, login, settings):
    settings.SESSION_IDLE_SECONDS = 300
    client = login(world.office)
    client.get(reverse("home"))
    idle_for(client, 301)
    assert client.get(reverse("home")).status_code == 302


def test_logout_flushes_the_session(world, login):
    client = login(world.office)
    client.get(reverse("home"))
    old_key = client.session.session_key
    assert SessionStore().exists(old_key)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not SessionStore().exists(old_key)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_is_post_only(world, login):
    client = login(world.office)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
