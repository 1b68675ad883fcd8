"""The web forms keep dates in the years the desk serves (lib.dates), as the API's schemas do: a date outside
them is refused at its field with 422 and stores nothing, never a 500 from the deadline calendar."""

import pytest
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.promotions.models import Promotion, PromotionEvent


def _field(page, name: str) -> str:
    return page.content.decode().split(f'id="field-{name}"', 1)[1].split('<div class="field', 1)[0]


def _filing(**overrides) -> dict:
    data = {
        "name": "Millennium sale",
        "type": "other",
        "starts_at": "9999-12-30T10:00",
        "ends_at": "9999-12-31T10:00",
        "expected_orders": "20000",
        "peak_hour_orders": "2000",
        "staff_per_shift": "4",
        "avg_handling_minutes": "6",
        "emergency_plan": "Extra staff from the warehouse team.",
        "contact_name": "Carol",
        "contact_phone": "021 6123 4567",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("starts_at", {}),
        ("starts_at", {"starts_at": "1999-12-31T10:00", "ends_at": "2000-01-02T10:00"}),
        ("ends_at", {"starts_at": "2099-12-31T10:00", "ends_at": "2100-01-01T10:00"}),
    ],
)
def test_a_filing_outside_the_years_served_is_refused_at_its_field(people, browser_of, field, overrides):
    page = browser_of(people.bob).post(reverse("web:new_filing"), _filing(**overrides))
    assert page.status_code == 422
    assert "must be from 2000-01-01 to 2099-12-31 (UTC)" in _field(page, field)
    assert not Promotion.objects.exists() and not PromotionEvent.objects.exists()


@pytest.mark.django_db
def test_the_year_bound_of_a_filing_is_worded_in_the_readers_language(people, browser_of):
    bob = browser_of(people.bob)
    bob.cookies["django_language"] = "zh-hans"
    page = bob.post(reverse("web:new_filing"), _filing())
    assert page.status_code == 422
    assert "须在 2000-01-01 至 2099-12-31 之间（UTC）" in _field(page, "starts_at")


@pytest.mark.django_db
def test_an_order_date_before_2000_is_refused_at_its_field(people, browser_of):
    data = {
        "merchant": people.acme.pk,
        "order_number": "JD-1001",
        "amount": "199.00",
        "order_date": "1999-12-31",
        "category": "quality",
        "kind": "quality_issue",
        "wanted_outcome": "replacement",
        "description": "The headphones have no sound on the left side.",
    }
    client = browser_of(people.alice)
    page = client.post(reverse("web:file_complaint"), data)
    assert page.status_code == 422
    assert "The order date cannot be before 2000-01-01." in _field(page, "order_date")
    assert not Complaint.objects.exists()

    data["order_date"] = "2000-01-01"
    assert client.post(reverse("web:file_complaint"), data).status_code == 302
    assert Complaint.objects.get().order_date.isoformat() == "2000-01-01"
