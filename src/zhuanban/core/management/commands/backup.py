"""Write one archive of the database and the uploaded files (see zhuanban.core.backup).

    zhuanban backup                          # var/backups/zhuanban-YYYYmmdd-HHMMSS.tar.gz
    zhuanban backup --output /mnt/backup/zhuanban.tar.gz

The archive holds password hashes and two-factor secrets: it is written readable by its
owner only; encrypt it before it leaves the server. Run it from cron; it does not stop
the application (the database is read in one consistent snapshot).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuanban.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one verified archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Archive to write (default var/backups/zhuanban-….tar.gz)."
        )

    def handle(self, *args, output: Path | None = None, **options):
        try:
            backup = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        self.stdout.write(f"Wrote {backup.path} ({backup.size} bytes)")
        self.stdout.write(f"  records: {sum(manifest['records'].values())}")
        self.stdout.write(f"  files:   {len(manifest['members']) - 1}")
        self.stdout.write(f"  archive sha256:  {backup.sha256}")
        self.stdout.write(f"  manifest sha256: {backup.manifest_sha256}")
        for name in manifest["missing_files"]:
            self.stderr.write(f"warning: {name} is referenced by a record but is not on disk")
