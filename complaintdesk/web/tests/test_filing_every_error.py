"""A promotion filing with five mistakes is refused once, naming all five: on the web form (the form's own
checks and the domain's together) and through the API (a 422 listing each field). Nothing is saved."""

import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.notify.models import OutboxMessage
from complaintdesk.promotions import services
from complaintdesk.promotions.models import Promotion, PromotionEvent
from complaintdesk.promotions.tests.helpers import FILING_DAY, payload

# A name left empty, a start already past, an end before it, more orders in the peak hour than in all, and
# a phone that is no phone.
PAST, BEFORE_IT = "2026-10-01T09:00", "2026-09-30T09:00"
MISTAKES = {"name", "starts_at", "ends_at", "peak_hour_orders", "contacts"}


def _saved():
    return Promotion.objects.count(), PromotionEvent.objects.count(), OutboxMessage.objects.count()


def _form(**overrides):
    return {
        "name": "Double 11 mega sale", "type": "double_11", "starts_at": "2026-11-11T00:00",
        "ends_at": "2026-11-12T00:00", "expected_orders": "200000", "peak_hour_orders": "20000",
        "staff_per_shift": "4", "avg_handling_minutes": "6", "emergency_plan": "Two extra shifts at the peak.",
        "contact_name": "Wang Fang", "contact_phone": "138 0013 8000", **overrides,
    }  # fmt: skip


def _error_at(page: str, field: str) -> str:
    """The error text under one field of the form ("" when it has none)."""
    block = page.split(f'id="field-{field}"', 1)[1].split('<div class="field', 1)[0]
    found = re.search(r'<p class="error"[^>]*>(.*?)</p>', block, re.S)
    return found.group(1).strip() if found else ""


@pytest.mark.django_db
@time_machine.travel(FILING_DAY, tick=False)
def test_the_form_names_all_five_mistakes_at_once(people, browser_of):
    response = browser_of(people.bob).post(
        reverse("web:new_filing"),
        _form(name="", starts_at=PAST, ends_at=BEFORE_IT, expected_orders="100", peak_hour_orders="500",
              contact_phone="call me"),
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 422
    assert "required" in _error_at(page, "name")  # the form's own check
    assert "must be in the future (now is 2026-10-20 10:00)" in _error_at(page, "starts_at")  # the domain's
    assert "must be after the start" in _error_at(page, "ends_at")
    assert "cannot exceed the expected orders in total (100)" in _error_at(page, "peak_hour_orders")
    assert "is not a phone number" in _error_at(page, "contact_phone")
    # The fields without a mistake say nothing.
    for field in ("type", "expected_orders", "staff_per_shift", "avg_handling_minutes", "emergency_plan"):
        assert _error_at(page, field) == "", field
    assert _saved() == (0, 0, 0)


@pytest.mark.django_db
@time_machine.travel(FILING_DAY, tick=False)
def test_an_amendment_names_every_mistake_too(people, browser_of):
    times = {field: datetime.fromisoformat(payload()[field]) for field in ("starts_at", "ends_at")}
    promotion = services.file(people.bob, services.FilingData(**{**payload(), **times}))
    before = _saved()
    response = browser_of(people.bob).post(
        reverse("web:amend_filing", args=[promotion.pk]),
        _form(name="  ", ends_at=BEFORE_IT, peak_hour_orders="300000", contact_phone="call me"),
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert _error_at(page, "name") and _error_at(page, "ends_at") and _error_at(page, "contact_phone")
    assert "cannot exceed" in _error_at(page, "peak_hour_orders")
    promotion.refresh_from_db()
    assert promotion.name == "Double 11 Carnival" and _saved() == before


@pytest.mark.django_db
def test_the_api_answers_all_five_in_one_422(people, api):
    bad = payload(
        name="", starts_at="2026-10-01T09:00:00+08:00", ends_at="2026-09-30T09:00:00+08:00",
        expected_orders=100, peak_hour_orders=500, contacts=[{"name": "Wang Fang", "phone": "call me"}],
    )  # fmt: skip
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(people.bob).post("/promotions", bad)
    assert response.status_code == 422, response.content
    issues = {issue["loc"][-1]: issue["msg"] for issue in response.json()["detail"]}
    assert set(issues) == MISTAKES
    assert issues["name"] == "must not be empty"
    assert issues["peak_hour_orders"] == "cannot exceed the expected orders in total (100)"
    assert "is not a phone number" in issues["contacts"]
    assert _saved() == (0, 0, 0)


def test_the_domain_lists_every_rule_broken_and_skips_what_a_form_refused():
    data = services.FilingData(
        name=None, type="double_11", starts_at=None, ends_at=None, expected_orders=100, peak_hour_orders=500,
        staff_per_shift=None, avg_handling_minutes=None, emergency_plan="", contacts=None,
    )  # fmt: skip
    found = dict(services.problems(data, FILING_DAY))
    assert set(found) == {"peak_hour_orders", "emergency_plan"}
