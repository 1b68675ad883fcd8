"""`python manage.py import_complaints FILE`: complaints from a CSV file (ours, or the CFPB database's).

See `complaintdesk/complaints/importing/` for the columns, the mapping and what happens to bad rows.
Exit status 0 even with rejected rows (they are reported, with line numbers and reasons, and can be
written to a CSV with --rejects); 1 when the file cannot be read or its columns are unknown.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from complaintdesk.complaints import importing
from complaintdesk.lib import spreadsheet


class Command(BaseCommand):
    help = "Import complaints from CSV: ComplaintDesk columns or the public CFPB complaint database's."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=importing.BATCH_SIZE,
            help="Rows per insert batch (one transaction).",
        )
        parser.add_argument("--rejects", type=Path, help="Write the rejected rows' lines and reasons here.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(
        self, *args, file: Path, batch_size=importing.BATCH_SIZE, rejects=None, no_progress=False, **options
    ):
        if not file.is_file():
            raise CommandError(f"cannot read {file}: no such file")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            with tqdm(desc=file.name, unit=" rows", disable=no_progress or None, file=sys.stderr) as bar:
                report = importing.import_file(file, batch_size=batch_size, progress=bar)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        for r in report.rejected[:50]:
            self.stderr.write(f"line {r.line}{f' ({r.external_id})' if r.external_id else ''}: {r.reason}")
        if len(report.rejected) > 50:
            self.stderr.write(f"… and {len(report.rejected) - 50} more rejected rows")
        if rejects:
            with rejects.open("w", newline="", encoding="utf-8") as f:
                writer = spreadsheet.csv_writer(f)  # ids and reasons quote the file's own cells
                writer.writerow(["line", "id", "reason"])
                writer.writerows((r.line, r.external_id, r.reason) for r in report.rejected)
        style = self.style.WARNING if report.rejected else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
