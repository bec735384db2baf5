import copy

import pytest
from django.db import transaction
from django.test import Client

from zhuanban.core.models import ApiToken
from zhuanban.org.tests.factories import build_world

from .scene import build_scene


@pytest.fixture(scope="module", autouse=True)
def _built_scene(django_db_setup, django_db_blocker):
    """化德县's private objects beside 卓资县's own (see scene.py), built once per module
    and rolled back after it, as Django's setUpTestData would: building them takes a
    second or two, and the authorization walk alone has hundreds of tests. Each test's
    own writes (the positive controls change what they touch) are rolled back by `db`.
    Autouse, so that it is open before any test's `db` savepoint (a test asks for
    `scene` from its body, after `db` is set up)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_scene(build_world())
        transaction.set_rollback(True)


@pytest.fixture
def scene(_built_scene, db):
    """The scene for one test: a copy, so that no test sees another's changes to the
    Python objects either (their rows are rolled back)."""
    return copy.deepcopy(_built_scene)


@pytest.fixture
def world(scene):
    """The personas of the scene (the root conftest's `world`, built once with it)."""
    return scene.world


@pytest.fixture
def bearer(db):
    """A client of the JSON API that signs in with `user`'s bearer token (no session)."""

    def _bearer(user) -> tuple[Client, dict]:
        raw, digest = ApiToken.generate()
        ApiToken.objects.create(user=user, name=f"security suite: {user.username}", digest=digest)
        return Client(), {"Authorization": f"Bearer {raw}"}

    return _bearer
