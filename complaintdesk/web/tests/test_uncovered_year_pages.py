"""With DEADLINE_UNCOVERED_YEARS=error, a web page that would count days in a year no holiday source covers
answers 409 with what the regulator can do, and stores nothing (not a server error)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.promotions.models import Promotion
from complaintdesk.web.tests.test_consumer_portal import _form as complaint_form
from complaintdesk.web.tests.test_promotion_filings import _form as filing_form

# chinesecalendar 1.11 covers 2004–2026: 28 December 2026 counts its deadlines into 2027.
LATE_DECEMBER = datetime(2026, 12, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def refusing(settings):
    settings.DEADLINE_UNCOVERED_YEARS = "error"


@pytest.mark.django_db
def test_a_complaint_whose_deadlines_fall_in_an_uncovered_year_is_refused_with_the_reason(
    people, browser_of, refusing
):
    with time_machine.travel(LATE_DECEMBER, tick=False):
        response = browser_of(people.alice).post(reverse("web:file_complaint"), complaint_form(people))
    assert response.status_code == 409
    page = response.content.decode()
    assert "No statutory calendar covers 2027" in page and "import_holidays" in page
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_promotion_filing_in_an_uncovered_year_is_refused_in_the_readers_language(
    people, browser_of, refusing
):
    with time_machine.travel(LATE_DECEMBER, tick=False):  # logged in then: staff sessions are short
        client = browser_of(people.bob)
        client.cookies["django_language"] = "zh-hans"
        response = client.post(reverse("web:new_filing"), filing_form())
    assert response.status_code == 409
    assert "2027" in response.content.decode() and "暂时无法办理" in response.content.decode()
    assert not Promotion.objects.exists()
