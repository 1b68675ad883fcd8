"""The overdue complaints by shop (open, with a late duty of the shop's: `complaints.queries.overdue_filter`):
counted here, and for the whole city kept in `OverdueCount` by the worker.

Counting the city's reads every late duty and its complaint (51,000 overdue complaints at 10 M, ~0.1 s on
SQLite whichever way it is read), too much for a page the officers open all day. The worker recounts it every
REFRESH_EVERY (`run_if_due`) and the console's dashboard reads the kept rows (`city`), at most a few thousand
small ones, saying when they were counted; a count older than MAX_AGE (no worker running) is not shown as
"now": the page counts live instead. A district's count is driven from its bureau's open complaints and stays
live (`count` with those)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import overdue_filter
from complaintdesk.stats.models import ALL_SHOPS, OverdueCount

# The worker recounts this often; the dashboard shows a kept count up to MAX_AGE old, and counts live beyond.
REFRESH_EVERY = timedelta(seconds=60)
MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class Overdue:
    by_shop: dict[int, int]  # shop id: its overdue complaints; no entry for a shop with none
    counted_at: datetime | None  # when the kept count was made; None: counted just now for this answer


def count(open_complaints: QuerySet[Complaint] | None = None, now=None) -> dict[int, int]:
    """Each shop's overdue complaints among `open_complaints` (None: the city's), by shop id: one grouped
    query, its sum the overdue count (each complaint has its shop). Driven from the smaller side, each overdue
    complaint's shop then read from its row: a district's open complaints (its range of
    complaint_bureau_state, 9,200 of the 78,000 open at 10 M), each looked up in the running duties' index
    (the city's 65,000 late duties each looked up by complaint took ~0.13 s in-process, this ~0.02 s); the
    city's late duties by due time (deadline_shop_running_due), as walking the 78,000 open complaints reads
    as many rows. Grouped by the shop's id, a column of the complaint, not by its name: no shop row read per
    overdue complaint (51,000 for the city at 10 M)."""
    city = open_complaints is None
    if city:
        open_complaints = Complaint.objects.filter(state__in=OPEN_STATES)
    overdue = open_complaints.filter(overdue_filter(True, now, counting=city))
    return dict(overdue.order_by().values_list("merchant_id").annotate(n=Count("id")))


def city(now=None) -> Overdue:
    """The city's overdue complaints by shop: the kept count if it is at most MAX_AGE old, else counted now."""
    now = now or timezone.now()
    counted_at = _kept_at()
    # A count "from the future" (clocks apart, or moved back) is not one of now either.
    if counted_at is not None and timedelta(0) <= now - counted_at <= MAX_AGE:
        # Its rows by their time (read as plain numbers: ~4,500 shops at 10 M): with them, the city's row says
        # that no newer count replaced them since `counted_at` was read; if one did, count now instead.
        kept = dict(OverdueCount.objects.filter(counted_at=counted_at).values_list("shop", "overdue"))
        if kept.pop(ALL_SHOPS, None) is not None:
            return Overdue(kept, counted_at)
    return Overdue(count(now=now), None)


def refresh(now=None) -> bool:
    """Count the city's overdue complaints by shop as of `now` and keep them in place of the last count, in one
    short transaction (the count is made before it, so no write lock is held while counting). Returns False,
    keeping nothing, when another process kept a count meanwhile (two workers): its count stands."""
    now = now or timezone.now()
    seen = _kept_at()
    by_shop = count(now=now)
    rows = [OverdueCount(shop=shop, overdue=n, counted_at=now) for shop, n in by_shop.items()]
    try:
        with transaction.atomic():
            # The city's row is never deleted, only updated: locked (PostgreSQL), it lets one count in at a time.
            if _kept_at(lock=True) != seen:
                return False
            OverdueCount.objects.exclude(shop=ALL_SHOPS).delete()
            OverdueCount.objects.bulk_create(rows)
            OverdueCount.objects.update_or_create(
                shop=ALL_SHOPS, defaults={"overdue": sum(by_shop.values()), "counted_at": now}
            )
    except IntegrityError:
        # Two workers' very first counts: the city's row did not exist to be locked, and the other's came first.
        return False
    return True


def run_if_due(now: datetime) -> int:
    """The worker's call on every pass: recount when the kept count is older than REFRESH_EVERY (or there is
    none). Returns 1 when it recounted. Due by the kept count's own time, not by a clock of the process's (as
    `ops.planner_statistics`), so that two workers do not both count every minute and a restarted one goes
    on from the last count."""
    counted_at = _kept_at()
    if counted_at is not None and timedelta(0) <= now - counted_at < REFRESH_EVERY:
        return 0
    return int(refresh(now))


def _kept_at(lock: bool = False) -> datetime | None:
    rows = OverdueCount.objects.filter(shop=ALL_SHOPS)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("counted_at", flat=True).first()
