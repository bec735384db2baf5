"""Restore an archive made by `zhuanban backup`.

    zhuanban restore var/backups/zhuanban-20230630-020000.tar.gz            # check only
    zhuanban restore var/backups/zhuanban-20230630-020000.tar.gz --confirm  # replace

Every member is checked against the manifest, and the database's migrations against the
archive's, before anything changes. With --confirm the database's content is replaced
by the archive's in one transaction (on any failure it stays as it was), the files are
put back under MEDIA_ROOT, the audit trail is verified and the restore is audited.
Stop the application first: everyone is logged out.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuanban.core import backup


class Command(BaseCommand):
    help = "Check a backup archive and, with --confirm, replace the database's content with it."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Replace the current data. Without it the archive is only checked.",
        )

    def handle(self, *args, archive: Path, confirm: bool = False, **options):
        try:
            with backup.opened(archive) as checked:
                backup.check_migrations(checked.manifest)
                self._describe(checked)
                if not confirm:
                    self.stdout.write(
                        "The archive is intact and matches this database's migrations. "
                        "Nothing was changed; run again with --confirm to restore it."
                    )
                    return
                restored = backup.restore(checked)
        except backup.BackupError as error:
            if confirm:
                backup.record_refusal(archive, str(error))
            raise CommandError(str(error)) from error
        for warning in restored.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Restored {sum(restored.records.values())} records; files written "
            f"{restored.files_written}, already in place {restored.files_unchanged}. "
            f"The audit trail verifies; the restore is event #{restored.event_seq}."
        )

    def _describe(self, checked: backup.Archive) -> None:
        manifest = checked.manifest
        self.stdout.write(f"Archive {checked.path.name}")
        self.stdout.write(f"  made at:          {manifest['created_at']}")
        source = f"Zhuanban {manifest['app_version']} on {manifest['database_vendor']}"
        self.stdout.write(f"  from:             {source}")
        self.stdout.write(f"  manifest sha256:  {checked.manifest_sha256}")
        self.stdout.write(f"  files:            {len(checked.media_members())}")
        self.stdout.write(f"  records:          {sum(manifest['records'].values())}")
        for label, count in manifest["records"].items():
            if count:
                self.stdout.write(f"    {label:<40} {count}")
