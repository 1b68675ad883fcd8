"""SPEC §10's worked examples of the centre's duties under the default rule version, on the centre's calendar
(Monday–Friday 09:00–18:00 on the Chinese statutory calendar, Asia/Shanghai)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.centre import duties
from complaintdesk.deadlines.models import Phase

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("phase", "start", "expected"),
    [
        # Received Wednesday 17:00 before National Day: 7 working days, the adjusted Saturday 10-10 counting.
        (Phase.ACCEPTANCE, "2026-09-30 17:00", "2026-10-15 18:00"),
        # Accepted on 10-15 at 10:00: mediation ends 45 working days later.
        (Phase.MEDIATION, "2026-10-15 10:00", "2026-12-17 18:00"),
        # A termination decided on 10-15 is notified within 7 working days.
        (Phase.TERMINATION_NOTICE, "2026-10-15 10:00", "2026-10-26 18:00"),
        # A report received the day before the Mid-Autumn holiday: 15 working days.
        (Phase.REPORT_DECISION, "2026-09-24 11:00", "2026-10-22 18:00"),
    ],
)
def test_the_default_versions_duties_fall_due_as_the_spec_says(phase, start, expected):
    version = duties.version_on(at(start).date())
    assert duties.due(version, phase, at(start)).due_at == at(expected)
