"""`python manage.py rebuild_search_index`: the full-text index of every stored complaint written anew
(`search.rebuild`), e.g. after loading complaints past the app (a benchmark's generator) or restoring an
older backup. Filings and messages keep indexing themselves meanwhile."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from complaintdesk.search import rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index of complaints from the stored complaints and messages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=rebuild.BATCH_SIZE, help="Complaints per transaction."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size=rebuild.BATCH_SIZE, no_progress=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        started = time.monotonic()
        with tqdm(desc="complaints", unit=" rows", disable=no_progress or None, file=sys.stderr) as bar:
            done = rebuild.rebuild(batch_size, progress=bar.update)
        seconds = time.monotonic() - started
        self.stdout.write(f"Indexed {done} complaints in {seconds:.1f} s.")
