import pytest
from django.test import Client

from zhuanban.core.models import ApiToken

from .scene import build_scene


@pytest.fixture
def scene(world):
    """化德县's private objects beside 卓资县's own (see scene.py), built per test: the
    positive controls change what they touch."""
    return build_scene(world)


@pytest.fixture
def bearer(db):
    """A client of the JSON API that signs in with `user`'s bearer token (no session)."""

    def _bearer(user) -> tuple[Client, dict]:
        raw, digest = ApiToken.generate()
        ApiToken.objects.create(user=user, name=f"security suite: {user.username}", digest=digest)
        return Client(), {"Authorization": f"Bearer {raw}"}

    return _bearer
