from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaintdesk.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the SQLite database (online, consistent) and the evidence files into a folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "target", nargs="?", type=Path, help="Folder to create (default: var/backups/<time>)."
        )

    def handle(self, *args, target=None, **options):
        target = target or Path(settings.DATA_DIR) / "backups" / timezone.now().strftime("%Y%m%dT%H%M%SZ")
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}: {manifest['counts']}"))
