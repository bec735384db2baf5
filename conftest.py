"""Personas shared by every test (STYLE.md): a small Ulanqab with two counties and two
offices, and one person per role, plus an outsider who holds no role."""

import pytest
from django.core.cache import caches
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts.middleware import remember_clear
from zhuanban.accounts.policy import two_factor_required
from zhuanban.org.tests.factories import build_world

PASSWORD = "Demo@2023"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none."""
    caches["default"].clear()


@pytest.fixture
def login(client):
    """Log a persona in on the test client and return the client.

    Roles that require two-factor authentication (leader, the three administrators) get a
    confirmed TOTP device and a session verified with it, as django_otp.login() does."""

    def _login(user):
        client.force_login(user)
        if two_factor_required(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            # The policy middleware would note this on the first page; noting it now keeps
            # query counts the same from the first request on, as for other personas.
            remember_clear(session, user)
            session.save()
        return client

    return _login


# --- how the suite is spread over the test processes (make test: xdist, --dist loadfile) ---

# Files that share a package-scoped fixture (the demo, loaded once) run as one unit on one
# worker: spread file by file, each worker would load it again, and again whenever another
# package's file ran in between (pytest tears a package fixture down on leaving it).
SHARED_UNITS = ("src/zhuanban/demo/tests/",)
# The longest units go first, so that no worker is left running one alone at the end.
LONGEST_FIRST = (
    "tests/e2e/",
    "src/zhuanban/demo/tests/",
    "tests/demo/",
    "tests/scaleout/",
    "tests/security/",
)


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            shared = next((unit for unit in SHARED_UNITS if nodeid.startswith(unit)), None)
            return shared or super()._split_scope(nodeid)

    return Scheduling(config, log)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        return next(
            (i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)  # stable: each file's tests stay together and in order
