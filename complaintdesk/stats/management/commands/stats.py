"""`python manage.py stats`: the statistics of a period on the terminal; rollup check and rebuild.

manage.py stats                                  # this year so far, every shop
manage.py stats --start 2026-01-01 --end 2026-06-30 --merchant 3 --by category
manage.py stats --check                          # rollups against a recomputation from raw rows
manage.py stats --rebuild                        # replace the rollups with that recomputation
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaintdesk.lib.errors import FieldError
from complaintdesk.stats import periods, queries, rollups
from complaintdesk.stats.models import ALL_SHOPS


class Command(BaseCommand):
    help = "Print statistics for a period (end included); --check or --rebuild the rollups."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=date.fromisoformat, help="First day (default: 1 January).")
        parser.add_argument("--end", type=date.fromisoformat, help="Last day, included (default: today).")
        parser.add_argument("--merchant", type=int, help="One shop's id.")
        parser.add_argument("--by", action="append", choices=queries.BREAKDOWNS, default=[])
        parser.add_argument("--interval", choices=periods.INTERVALS, help="Also print a time series.")
        parser.add_argument(
            "--check", action="store_true", help="Compare rollups with raw rows; exit 1 if off."
        )
        parser.add_argument("--rebuild", action="store_true", help="Recompute every rollup from raw rows.")

    def handle(self, *args, **o):
        if o["rebuild"]:
            self.stdout.write(f"rollups rebuilt: {rollups.rebuild()} rows")
            return
        if o["check"]:
            problems = rollups.differences()
            for p in problems:
                self.stderr.write(p)
            if problems:
                raise CommandError("rollups differ from the raw rows; run `manage.py stats --rebuild`")
            self.stdout.write(self.style.SUCCESS("rollups agree with the raw rows"))
            return
        today = timezone.localdate(timezone=periods.zone())
        try:
            period = periods.Period.parse(o["start"] or today.replace(month=1, day=1), o["end"] or today)
        except FieldError as exc:
            raise CommandError(f"--{exc.field}: {exc.reason}") from None
        shop = o["merchant"] or ALL_SHOPS
        s = queries.summary(period, shop)
        g = s["growth"]
        self.stdout.write(f"{period}  {'shop ' + str(shop) if shop else 'all shops'}")
        self.stdout.write(f"complaints: {s['count']:,} (same period last year {s['previous_year_count']:,})")
        self.stdout.write(f"growth: {g['text_percent']}, {g['text_ratio']}, {g['text_times']}")
        share = s["online_shopping_share"]
        self.stdout.write(f"online shopping: {s['online_shopping_count']:,} ({_pct(share)})")
        self.stdout.write(
            f"resolution rate: {_pct(s['resolution']['rate'])} of {s['resolution']['finished']:,}"
        )
        for phase, minutes in s["compliance"]["phase_minutes"].items():
            self.stdout.write(
                f"{phase.replace('_', ' ')}: median {_min(minutes['median'])}, "
                f"p90 {_min(minutes['p90'])} ({minutes['answered']:,} met)"
            )
        for r in s["compliance"]["rules"]:
            self.stdout.write(
                f"  {r['phase']:<15} {_pct(r['share_in_time']):>7} in time  "
                f"({r['met_in_time']}/{r['met_in_time'] + r['met_late'] + r['missed']})  {r['rule']}"
            )
        for by in o["by"]:
            data = queries.breakdown(period, by, shop)
            self.stdout.write(f"by {by}:")
            for row in data["rows"]:
                self.stdout.write(
                    f"  {row['label'][:40]:<40} {row['count']:>9,} {row['growth']['text_percent']:>10}"
                )
        if o["interval"]:
            for p in queries.series(period, o["interval"], shop)["points"]:
                self.stdout.write(
                    f"  {p['start']}..{p['end']} {p['count']:>9,} (last year {p['previous_year_count']:,})"
                )


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _min(value) -> str:
    return "n/a" if value is None else f"{value:,} min"
