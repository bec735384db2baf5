"""The demo command itself: reloading, and what it refuses. Apart from
src/zhuanban/demo/tests, whose tests all read one loaded demo inside a transaction that
these could not run in."""

import pytest
from django.core.management import CommandError, call_command

from zhuanban.org.models import OrgUnit


@pytest.mark.django_db(transaction=True)
def test_reset_reloads_a_clean_demo():
    # Flushing truncates tables, which PostgreSQL refuses inside the test's transaction.
    call_command("demo", "--quiet-accounts")
    OrgUnit.objects.filter(code="150921").update(name="改过的名字")
    call_command("demo", "--reset", "--quiet-accounts")
    assert OrgUnit.objects.get(code="150921").name == "卓资县"
    assert OrgUnit.objects.counties().count() == 11


def test_the_demo_refuses_to_load_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo")
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_refuses_an_unmigrated_database_before_touching_it():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("tasks", None)])  # undo the tasks app's migrations
    try:
        with pytest.raises(CommandError, match="migrate"):
            call_command("demo", "--reset", "--quiet-accounts")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
