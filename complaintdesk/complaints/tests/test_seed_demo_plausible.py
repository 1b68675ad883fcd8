"""The demo data as the product now works: quality issues are answered with a reply, kinds follow the
taxonomy, and the dashboard's times are those of complaints resolved within days, not months."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from complaintdesk.complaints.models import Complaint
from complaintdesk.stats import queries
from complaintdesk.stats.periods import Period

NOW = datetime(2026, 12, 2, 17, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")


@pytest.mark.django_db
def test_every_demo_complaints_kind_follows_its_category(demo):
    for kind, quality in Complaint.objects.values_list("kind", "category__is_quality_problem").distinct():
        assert (kind == "quality_issue") == quality


@pytest.mark.django_db
def test_a_demo_quality_issue_the_shop_answered_has_its_reply_met(demo):
    answered = Complaint.objects.filter(kind="quality_issue").exclude(state="submitted")
    assert answered.exists()
    for complaint in answered:
        shop_steps = list(
            complaint.events.filter(actor_role="merchant_agent").values_list("action", flat=True)
        )
        assert shop_steps[0] == "reply", complaint.reference
        assert complaint.deadlines.get(phase="reply").met_at is not None, complaint.reference


@pytest.mark.django_db
def test_the_demo_resolves_most_complaints_within_the_7_working_days(demo):
    with time_machine.travel(NOW, tick=False):
        summary = queries.summary(Period(date(2025, 12, 3), date(2026, 12, 2)))
    resolution = summary["compliance"]["phases"]["resolution"]
    assert resolution["share_in_time"] >= 0.75
    minutes = summary["compliance"]["phase_minutes"]
    assert minutes["resolution"]["median"] <= 7 * 24 * 60  # days, not months
    assert minutes["reply"]["median"] <= 24 * 60
