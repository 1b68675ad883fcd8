"""A hand-computed fixture of response times, shared by the statistics and dashboard tests.

Shanghai time; the shops serve Monday–Friday 09:00–18:00. Ten quality issues reach Acme on Monday
2026-03-02 at 09:00 and Bob replies to them (a reply is also the first response) after
    5, 10, 15, 20, 30, 45, 60, 90, 120 and 240 minutes.
Four of them are then resolved: Alice accepts Bob's refund 1 day, 3 days, 9½ days and 20 days after receipt.
One more quality issue reaches Acme on Wednesday 2026-04-01 at 09:00, replied to after 600 minutes: it is
outside March, inside the year so far.

Percentiles are nearest-rank: the p-th percentile of N times is the ⌈p × N⌉-th smallest, read as its
bucket's upper bound (`buckets.py`; every time here is a bucket's bound, so exact).
  March, reply and first response (N = 10): median = 5th = 30 min; p90 = 9th = 120 min (not the 10th).
  March, resolution (N = 4): median = 2nd = 3 days = 4,320 min; p90 = 4th = 20 days = 28,800 min.
  The year so far, reply (N = 11): median = 6th = 45 min; p90 = 10th = 240 min.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 10, 10, 0, tzinfo=SH)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
REPLY_MINUTES = (5, 10, 15, 20, 30, 45, 60, 90, 120, 240)
RESOLVED_AFTER = (timedelta(days=1), timedelta(days=3), timedelta(days=9, hours=12), timedelta(days=20))
APRIL = datetime(2026, 4, 1, 9, 0, tzinfo=SH)

MARCH_MINUTES = {
    "first_response": {"answered": 10, "median": 30, "p90": 120},
    "reply": {"answered": 10, "median": 30, "p90": 120},
    "resolution": {"answered": 4, "median": 4320, "p90": 28800},
}
YEAR_REPLY_MINUTES = {"answered": 11, "median": 45, "p90": 240}


def _quality_issue(people, received):
    with time_machine.travel(received, tick=False):
        return factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")


def build(people) -> None:
    issues = [_quality_issue(people, RECEIVED) for _ in REPLY_MINUTES]
    for complaint, minutes in zip(issues, REPLY_MINUTES, strict=True):
        services.perform(
            complaint.pk, people.bob, "reply", "Checking", at=RECEIVED + timedelta(minutes=minutes)
        )
    for complaint, waited in zip(issues, RESOLVED_AFTER, strict=False):
        proposed = RECEIVED + waited - timedelta(hours=1)
        services.perform(
            complaint.pk, people.bob, "propose_resolution", "Refund", {"type": "refund"}, at=proposed
        )
        services.perform(complaint.pk, people.alice, "accept", "", at=RECEIVED + waited)
    april = _quality_issue(people, APRIL)
    services.perform(april.pk, people.bob, "reply", "Checking", at=APRIL + timedelta(minutes=600))
