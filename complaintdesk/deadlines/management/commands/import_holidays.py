"""`python manage.py import_holidays FILE`: the State Council holiday notice as calendar days.

Reads the holiday-cn JSON format ({year, papers, days: [{name, date, isOffDay}]}) or iCalendar (.ics);
stores each day as a CalendarOverride (replacing earlier entries for those dates) and recomputes the open
deadlines that it moves (`calendar_days.store_days`, as the console's calendar page does).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.deadlines import calendar_days
from complaintdesk.deadlines.holiday_files import parse_holiday_file


class Command(BaseCommand):
    help = "Import statutory holidays and adjusted working days from a holiday-cn JSON or an .ics file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Parse and report; store nothing.")

    def handle(self, *args, file: Path, dry_run=False, **options):
        try:
            entries = parse_holiday_file(file.read_bytes(), file.name)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        off = sum(e.is_off for e in entries)
        notice_year = calendar_days.notice_year(entries)
        self.stdout.write(
            f"{file.name}: the {notice_year} notice, {off} days off, {len(entries) - off} adjusted working days"
        )
        if dry_run:
            return
        moved = calendar_days.store_days(
            entries, year=notice_year, user=None, source=f"holiday notice imported from {file.name}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Imported {len(entries)} days; deadlines moved on {moved} complaints.")
        )
