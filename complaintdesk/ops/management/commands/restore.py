from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` (stop the web app and the worker first)."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)

    def handle(self, *args, source: Path, **options):
        try:
            manifest = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {source}: {manifest['counts']}"))
