"""`python manage.py worker`: the deadline sweeper and the notification outbox, in one plain loop."""

import logging
import signal
import sys
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines import sweep
from complaintdesk.notify import digest, outbox
from complaintdesk.ops import health, planner_statistics
from complaintdesk.promotions import unfiled
from complaintdesk.stats import detectors, overdue

log = logging.getLogger(__name__)


def run_once(batch: int = 500) -> dict[str, int]:
    """One pass: every deadline step and every notification due now, in batches until none is left."""
    deadline_services.sync_statutory_entries()
    totals = {**dict.fromkeys(sweep.OUTCOMES, 0), "delivered": 0}
    # Surges and mass incidents at most once a minute, unfiled promotions every 5 minutes. Each on its own:
    # an error in one must not keep deadlines and notifications, which follow, from being handled.
    totals["alerts"] = _guarded(detectors.run)
    totals["unfiled_promotions"] = _guarded(unfiled.run_if_due)
    totals["digests"] = _guarded(digest.run)
    totals["overdue_recounted"] = _guarded(overdue.run_if_due)  # the console's city-wide figure, every minute
    while True:
        counts = sweep.sweep(timezone.now(), limit=batch)
        delivered = 0
        for message_id in outbox.due_message_ids(timezone.now(), limit=batch):
            delivered += outbox.deliver(message_id) is not None
        for outcome, n in counts.items():
            totals[outcome] += n
        totals["delivered"] += delivered
        if not any(counts.values()) and not delivered:
            return totals


def _guarded(step) -> int:
    try:
        return step(timezone.now())
    except Exception:
        log.exception("worker step %s failed; the pass goes on", step.__module__)
        return 0


class Command(BaseCommand):
    help = (
        "Send deadline reminders, mark breaches and escalate, deliver notifications. --once for one pass; "
        "--check to see whether a worker keeps up (exit status 1 when work waits too long)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do one pass over what is due now, then exit."
        )
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds to sleep when idle.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do no work: count the deadline steps and notifications due longer than --late-minutes ago "
            "and exit with status 1 if there are any (for monitoring).",
        )
        parser.add_argument(
            "--late-minutes", type=int, default=int(health.LATE.total_seconds() // 60), help="With --check."
        )

    def handle(self, *args, once=False, interval=2.0, check=False, late_minutes=10, **options):
        if check:
            late = health.overdue_work(timezone.now(), timedelta(minutes=late_minutes))
            self.stdout.write(
                f"deadline steps overdue: {late['deadline_steps']}, notifications overdue: {late['notifications']}"
                f" (due more than {late_minutes} minutes ago)"
            )
            if any(late.values()):
                sys.exit(1)
            return
        if once:
            totals = run_once()
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in totals.items()))
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker started")
        for warning in deadline_services.calendar_warnings():
            log.warning("calendar: %s", warning)
        while not stopping:
            close_old_connections()
            # Here, not in `run_once`: a pass in a test must not leave statistics behind for the next test.
            try:
                if planner_statistics.run_if_due():
                    log.info("planner statistics refreshed")
            except Exception:
                log.exception("refreshing the planner's statistics failed; the worker goes on")
            try:
                totals = run_once()
            except Exception:
                # A database hiccup must not end the worker; each item already pushes itself forward.
                log.exception("worker pass failed")
                totals = {}
            if any(totals.values()):
                log.info("worker pass: %s", totals)
                continue
            time.sleep(interval)
        self.stdout.write("worker stopped")
