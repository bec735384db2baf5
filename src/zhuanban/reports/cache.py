"""The dashboard cache: per scope (people who see the same data share an entry), per day
(lights turn with the date) and per data generation.

Any save or delete in a domain app moves the generation on, once per transaction, after
it commits; entries of older generations are never read again and expire. The cache is
the database's (settings.CACHES), so every web process sees the same generation.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from zhuanban.org.scoping import Scope

GENERATION_KEY = "reports:generation"
TIMEOUT = 15 * 60
# The apps whose data the dashboards read.
WATCHED_APPS = frozenset(
    {
        "org",
        "tasks",
        "dispatch",
        "supervision",
        "rectification",
        "assessment",
        "documents",
        "brand",
        "investment",
        "reports",
    }
)


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = str(time.time_ns())
        cache.add(GENERATION_KEY, value, timeout=None)
        value = cache.get(GENERATION_KEY, value)
    return value


def invalidate() -> None:
    cache.set(GENERATION_KEY, str(time.time_ns()), timeout=None)


def _bump_after_commit() -> None:
    connection = transaction.get_connection()
    # Once per transaction: a rolled-back one drops its callbacks, and so its bump.
    if connection.in_atomic_block and any(
        func is invalidate for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(invalidate)


def scope_key(scope: Scope) -> str:
    """The same for everyone who sees the same data."""
    parts = (
        scope.sees_all_units,
        sorted(scope.subtree_paths),
        sorted(scope.office_ids),
        sorted(scope.liaison_unit_ids),
        scope.own_unit_id,
        sorted(scope.roles),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def cached(key_parts: tuple, build, *, timeout: int = TIMEOUT):
    """build() once per generation for key_parts."""
    key = "reports:" + hashlib.sha256(repr((generation(), *key_parts)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def _on_change(sender, **kwargs) -> None:
    if sender._meta.app_label in WATCHED_APPS and not kwargs.get("raw"):
        _bump_after_commit()


for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_on_change, dispatch_uid=f"reports-cache-{_signal}")
