"""Promotion filings in the web: the shop files and sees the staffing verdict; the regulator reviews."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaintdesk.promotions.models import Promotion


def _form(**overrides):
    start = (timezone.localtime() + timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)
    data = {
        "name": "Double 11 mega sale",
        "type": "double_11",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "expected_orders": "200000",
        "peak_hour_orders": "20000",
        "staff_per_shift": "2",
        "avg_handling_minutes": "6",
        "emergency_plan": "Extra staff from the warehouse team; escalation to the coordinator within 30 minutes.",
        "contact_name": "Carol",
        "contact_phone": "021 6123 4567",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_shop_files_a_promotion_and_sees_the_staffing_verdict(people, browser_of):
    client = browser_of(people.bob)
    response = client.post(reverse("web:new_filing"), _form())
    promotion = Promotion.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:filing", args=[promotion.pk])
    assert promotion.merchant == people.acme and promotion.contacts == [
        {"name": "Carol", "phone": "021 6123 4567"}
    ]
    page = client.get(response.url).content.decode()
    assert "Staffing check" in page and "Minimum staff per shift for the target" in page
    assert ("understaffed" in page) != promotion.meets_staffing_target
    assert "Double 11 mega sale" in client.get(reverse("web:shop_filings")).content.decode()


@pytest.mark.django_db
def test_filing_errors_are_shown_next_to_the_fields(people, browser_of):
    page = browser_of(people.bob).post(
        reverse("web:new_filing"), _form(contact_phone="nope", staff_per_shift="0")
    )
    assert page.status_code == 422
    text = page.content.decode()
    assert (
        "greater than or equal to 1" in text.split('id="field-staff_per_shift"', 1)[1].split("</div>", 1)[0]
    )
    assert not Promotion.objects.exists()
    page = browser_of(people.bob).post(reverse("web:new_filing"), _form(contact_phone="nope"))
    assert "is not a phone number" in page.content.decode().split('id="field-contact_phone"', 1)[1]
    assert not Promotion.objects.exists()


@pytest.mark.django_db
def test_another_shops_filing_is_not_found(people, browser_of):
    browser_of(people.bob).post(reverse("web:new_filing"), _form())
    promotion = Promotion.objects.get()
    assert browser_of(people.dave).get(reverse("web:filing", args=[promotion.pk])).status_code == 404
    assert browser_of(people.alice).get(reverse("web:filing", args=[promotion.pk])).status_code == 404


@pytest.mark.django_db
def test_the_regulator_returns_a_filing_with_a_reason_then_accepts(people, browser_of):
    browser_of(people.bob).post(reverse("web:new_filing"), _form())
    promotion = Promotion.objects.get()
    rita = browser_of(people.rita)
    assert "Double 11 mega sale" in rita.get(reverse("web:filings")).content.decode()
    page = rita.post(reverse("web:review_filing", args=[promotion.pk]), {"decision": "return", "comment": ""})
    assert page.status_code == 422 and "say what the shop must change" in page.content.decode()
    rita.post(
        reverse("web:review_filing", args=[promotion.pk]),
        {"decision": "return", "comment": "Add night shifts."},
    )
    promotion.refresh_from_db()
    assert promotion.state == "returned" and promotion.review_comment == "Add night shifts."
    assert (
        "Add night shifts."
        in browser_of(people.bob).get(reverse("web:filing", args=[promotion.pk])).content.decode()
    )


@pytest.mark.django_db
def test_a_merchant_cannot_review(people, browser_of):
    browser_of(people.bob).post(reverse("web:new_filing"), _form())
    promotion = Promotion.objects.get()
    assert (
        browser_of(people.carol)
        .post(reverse("web:review_filing", args=[promotion.pk]), {"decision": "accept"})
        .status_code
        == 403
    )
    promotion.refresh_from_db()
    assert promotion.state == "submitted"
