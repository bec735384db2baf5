"""The database cache's table (settings.CACHES, the rate-limit counters), so that
`migrate` is all a deployment needs; `createcachetable` would do the same."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

# The same name as CACHES["default"]["LOCATION"] in settings.py.
CACHE_TABLE = "zhuanban_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    if CACHE_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_outcome_and_base"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table, elidable=False),
    ]
