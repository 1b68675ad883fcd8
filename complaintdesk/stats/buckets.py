"""Response-time buckets and percentiles from bucket counts (pure).

Times are rounded up to the minute up to 2 hours (the regulation's first-response window), then to 5
minutes up to 12 hours, 30 minutes up to 2 days, 6 hours up to 14 days, then a day up to 90 days (a
resolution that waited for the consumer or for mediation takes weeks); longer times share the OVERFLOW
bucket, which reads "more than 90 days". A median of 37 means "the middle answer came within 37
minutes" (36 min 1 s … 37 min 0 s).
"""

import math
from datetime import timedelta

_STEPS = ((120, 1), (720, 5), (2880, 30), (20160, 360), (129600, 1440))
OVERFLOW = 129600 + 1440


def bucket_of(elapsed: timedelta) -> int:
    """The bucket's upper bound in minutes; 0 for an answer at the instant of receipt (or before)."""
    minutes = elapsed.total_seconds() / 60
    if minutes <= 0:
        return 0
    for limit, step in _STEPS:
        if minutes <= limit:
            return math.ceil(minutes / step) * step
    return OVERFLOW


def percentile(counts: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile (0 < p ≤ 1) of a {bucket: count} histogram: the upper bound of the first
    bucket at which at least ⌈p × N⌉ of the N times have been counted (so p90 of 10 times is the 9th)."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(p * total))
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket
    return max(counts)  # pragma: no cover - unreachable: the ranks add up to `total`
