"""Rate limits shared by every web process: a counter row per (scope, key, fixed window) in the database.

Used for complaint filing, per account and per client address (decisions.md, "Filing rate limits"). A
cache would not do: the local memory cache is per process, and the deployment runs several gunicorn
processes without Redis."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import RateCounter, Role
from complaintdesk.lib.clientip import client_ip

# Step 1's guard (see hit) switched off: for the concurrency sanity test only, which shows on this very code
# what the guard prevents (pretix's debug flag that skips its lock; STYLE.md "Tests").
GUARDED = True


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int  # at most this many hits per window; 0 switches the limit off
    window: timedelta


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def _key(raw: str) -> str:
    # Addresses are personal data: the table keeps a keyed hash, never the address itself.
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


def hit(limit: Limit, raw_key: str, now: datetime | None = None) -> int | None:
    """Count one hit. Returns None when allowed, else the seconds until the window ends.

    1. Count up the current window's row only while it is below the limit (one conditional UPDATE:
       concurrent processes cannot both take the last slot).
    2. No row changed: create the window's row with count 1; if another process created it first, the
       unique constraint refuses ours and step 1 runs once more; a full row means refused.
    """
    if limit.limit <= 0:
        return None
    now = now or timezone.now()
    start = _window_start(now, limit.window)
    key = _key(raw_key)
    rows = RateCounter.objects.filter(scope=limit.scope, key=key, window_start=start)
    for _attempt in range(2):
        if _count_up(rows, limit.limit):
            return None
        if rows.exists():
            break
        try:
            with transaction.atomic():
                RateCounter.objects.create(scope=limit.scope, key=key, window_start=start, count=1)
        except IntegrityError:
            continue
        # A new window began: the windows that ended are no longer needed by anyone.
        RateCounter.objects.filter(window_start__lt=start - limit.window).delete()
        return None
    return max(1, int((start + limit.window - now).total_seconds()))


def _count_up(rows, limit: int) -> bool:
    if not GUARDED:
        # Read, compare, write: processes that read the same count all take the same last slot.
        count = rows.values_list("count", flat=True).first()
        return count is not None and count < limit and rows.update(count=F("count") + 1) == 1
    # The guard: the comparison runs inside the UPDATE, under the row's lock.
    return rows.filter(count__lt=limit).update(count=F("count") + 1) == 1


def release(limit: Limit, raw_key: str, now: datetime) -> None:
    """Give back a hit counted at `now` (another limit refused the same request)."""
    start = _window_start(now, limit.window)
    RateCounter.objects.filter(scope=limit.scope, key=_key(raw_key), window_start=start, count__gt=0).update(
        count=F("count") - 1
    )


def complaint_rate_limits() -> tuple[Limit, Limit]:
    window = timedelta(seconds=settings.COMPLAINT_RATE_WINDOW_SECONDS)
    return (
        Limit("file:account", settings.COMPLAINT_RATE_PER_ACCOUNT, window),
        Limit("file:address", settings.COMPLAINT_RATE_PER_ADDRESS, window),
    )


def check_complaint_rate(request, user) -> None:
    """Raise RateLimited when this account or this address filed too many complaints in the window.

    The regulator's back office files hotline complaints for callers all day: it is not limited."""
    if user.role == Role.REGULATOR:
        return
    per_account, per_address = complaint_rate_limits()
    now = timezone.now()
    account_key, address_key = f"user:{user.pk}", f"ip:{client_ip(request) or 'unknown'}"
    wait = hit(per_account, account_key, now)
    if wait is not None:
        raise RateLimited(
            _(
                "Too many complaints from this account: at most %(n)s per %(window)s minutes. "
                "Please try again in %(wait)s minutes."
            )
            % {"n": per_account.limit, "window": _minutes(per_account.window), "wait": _minutes(wait)},
            wait,
        )
    wait = hit(per_address, address_key, now)
    if wait is not None:
        release(per_account, account_key, now)  # a refused filing does not use up the account's quota
        raise RateLimited(
            _(
                "Too many complaints from this network address: at most %(n)s per %(window)s minutes. "
                "Please try again in %(wait)s minutes."
            )
            % {"n": per_address.limit, "window": _minutes(per_address.window), "wait": _minutes(wait)},
            wait,
        )


def _minutes(value: timedelta | int) -> int:
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    return max(1, -(-int(seconds) // 60))
