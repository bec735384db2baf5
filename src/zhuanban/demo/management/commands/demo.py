from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.demo import loader
from zhuanban.demo.org_data import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the Ulanqab demo data (once; --reset wipes the database and loads it again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete ALL data, then load the demo again."
        )
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not list accounts.")

    def handle(self, *args, reset: bool, quiet_accounts: bool, **options):
        if not settings.DEMO_MODE:
            raise CommandError("The demo exists only in demo mode (ZHUANBAN_DEMO=1).")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            # Checked before anything is flushed: a reset must not leave an empty database.
            raise CommandError(
                "The database has unapplied migrations: run `zhuanban migrate` first."
            )
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if loader.is_loaded():
            self.stdout.write("Demo data already loaded; nothing to do (use --reset to reload).")
        else:
            loader.load()
            audit.record(actor=None, action=AuditAction.SYSTEM, message="demo data loaded")
            self.stdout.write(self.style.SUCCESS("Ulanqab demo data loaded."))
        if not quiet_accounts:
            self.stdout.write(f"\nDemo accounts (password {DEMO_PASSWORD}):")
            for username, description in loader.DEMO_ACCOUNTS:
                self.stdout.write(f"  {username:<10} {description}")
