"""The demo command itself: reloading, and what it refuses. Apart from
src/zhuanban/demo/tests, whose tests all read one loaded demo inside a transaction that
these could not run in."""

import pytest
from django.core.management import CommandError, call_command

from zhuanban.demo import org_data
from zhuanban.org.models import OrgUnit
from zhuanban.org.tests.factories import OrgUnitFactory


@pytest.mark.django_db(transaction=True)
def test_a_loaded_database_is_left_alone_and_reset_reloads_a_clean_demo(capsys):
    # Flushing truncates tables, which PostgreSQL refuses inside the test's transaction.
    # What stands for an earlier, since edited demo: its city, a renamed county and a unit
    # the demo does not have (the whole demo would take a minute more to load).
    city = OrgUnitFactory(code=org_data.CITY["code"], name=org_data.CITY["name"])
    OrgUnitFactory(code="150921", name="改过的名字", parent=city)
    OrgUnitFactory(code="stray", name="演示数据以外的单位", parent=city)

    call_command("demo", "--quiet-accounts")
    assert "already loaded" in capsys.readouterr().out
    assert OrgUnit.objects.count() == 3
    assert OrgUnit.objects.get(code="150921").name == "改过的名字"

    call_command("demo", "--reset", "--quiet-accounts")
    assert OrgUnit.objects.get(code="150921").name == "卓资县"
    assert OrgUnit.objects.counties().count() == 11
    assert not OrgUnit.objects.filter(code="stray").exists()
    assert OrgUnit.objects.count() > 11


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
