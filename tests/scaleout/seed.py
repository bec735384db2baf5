"""Seed the scale-out test's own database (run as a subprocess, with DATABASE_URL set):
a province-like organisation with one office and TASKS tasks (zhuanban.tasks.scale), the
office member who exports the ledger, and a signed-in session for that member.

    DATABASE_URL=postgres://... python tests/scaleout/seed.py 3000

Prints one line of JSON: the session key, the export's address and the two queries the
test uses (a small one for the 200 jobs, the whole ledger for the long job), each with
the number of rows it exports."""

import json
import os
import sys

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "zhuanban.settings"
django.setup()

from django.contrib.auth import (  # noqa: E402 (Django is set up first)
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from zhuanban.accounts.middleware import required_step  # noqa: E402
from zhuanban.tasks import scale, selectors  # noqa: E402
from zhuanban.tasks.filters import filters_from_query  # noqa: E402
from zhuanban.tasks.models import TaskList  # noqa: E402

ZERO = "00000000-0000-0000-0000-000000000000"


def export_url() -> str:
    for name in ("tasks:ledger_export", "tasks:export"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise SystemExit("no URL for the ledger export")


def rows(user, query: str) -> int:
    return selectors.ledger(user, filters_from_query(QueryDict(query))).count()


def main(tasks: int) -> dict:
    scale.seed(counties=2, tasks=tasks, offices=1)
    user = get_user_model().objects.get(username=f"{scale.PREFIX}office-1-member")
    # An office member: no second factor required, a password set today (date_joined), so
    # the account policy lets the session through without a step.
    step = required_step(user)
    if step is not None:
        raise SystemExit(f"{user} would be sent to the {step!r} step")

    first_list = TaskList.objects.order_by("pk").first()
    small = urlencode({"task_list": first_list.pk, "leaves": "1", "light": "red"})
    whole = ""

    # What django.contrib.auth.login() puts in the session.
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "user_id": user.pk,
        "username": user.username,
        "session": session.session_key,
        "export_url": export_url(),
        "ledger_url": reverse("tasks:ledger"),
        # The job's page and download, for the id ZERO stands for.
        "job_url": reverse("ops:job", args=[ZERO]),
        "download_url": reverse("ops:job_download", args=[ZERO]),
        "small_query": small,
        "small_rows": rows(user, small),
        "whole_query": whole,
        "whole_rows": rows(user, whole),
    }


if __name__ == "__main__":
    print("SEEDED " + json.dumps(main(int(sys.argv[1]))))
