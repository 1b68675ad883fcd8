"""Filings built inline for tests: a valid API payload, and past filings stored directly (a filing through
the service must start in the future, history cannot)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from complaintdesk.promotions.models import Promotion

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 2026-10-20 10:00 in Shanghai: three weeks before Double 11.
FILING_DAY = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)


def payload(**overrides) -> dict:
    body = {
        "name": "Double 11 Carnival",
        "type": "double_11",
        "starts_at": "2026-11-11T00:00:00+08:00",
        "ends_at": "2026-11-12T00:00:00+08:00",
        "expected_orders": 200000,
        "peak_hour_orders": 20000,
        "staff_per_shift": 4,
        "avg_handling_minutes": 6,
        "emergency_plan": "Two extra shifts at the peak; duty manager answers escalations within 30 minutes.",
        "contacts": [{"name": "Wang Fang", "phone": "138 0013 8000", "role": "duty manager"}],
    }
    body.update(overrides)
    return body


def past_filing(merchant, user, starts_at, ends_at, expected_orders=20000, **overrides) -> Promotion:
    values = {
        "merchant": merchant,
        "name": "Past sale",
        "type": "other",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "expected_orders": expected_orders,
        "peak_hour_orders": min(expected_orders, 1000),
        "staff_per_shift": 3,
        "avg_handling_minutes": Decimal("6"),
        "emergency_plan": "plan",
        "contacts": [{"name": "A", "phone": "400-820-8820"}],
        "lead_working_days": 3,
        "due_by": starts_at,
        "filed_at": timezone.now(),
        "filed_by": user,
        "state": "accepted",
    }
    values.update(overrides)
    return Promotion.objects.create(**values)
