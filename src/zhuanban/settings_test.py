"""Test overrides: only what makes tests fast and hermetic, never behaviour."""

from zhuanban.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

import tempfile  # noqa: E402

# Uploads in tests go to a throw-away folder, never into the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="zhuanban-test-media-")

# The rate-limit counters in memory, emptied before each test (conftest.py): tests that
# count queries count the app's own, and no test inherits another's counters. The
# database cache itself is tested in core/tests/test_ratelimits.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# LibreOffice runs only in the tests that are about PDFs (they switch it on): starting it
# for every issued notice would cost seconds per test.
NOTICE_PDF = False

# Background jobs run inside the request that starts them: the same code as a worker's
# (ops.services.execute), in the test's transaction. The worker itself, its heartbeat and
# recovery are tested with real processes (ops/tests/test_workers.py, tests/e2e).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
