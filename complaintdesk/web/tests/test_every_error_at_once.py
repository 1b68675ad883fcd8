"""A form shows every error at once, not one per try: the service information with a bad phone and a bad
e-mail names both, and the domain's refusals name every bad field too."""

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.lib.errors import FieldError
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import ServiceInfoRevision


def _error_of(page: str, field: str) -> str:
    """The markup of one field's block on the shop page, from its id to the next field."""
    return page.split(f'id="field-{field}"', 1)[1].split('class="field', 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, url", [("carol", "web:publish_service_info"), ("rita", "web:console_service_info")]
)
def test_a_bad_phone_and_a_bad_email_are_named_together(people, browser_of, who, url):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    args = [people.acme.pk] if who == "rita" else []
    response = browser_of(getattr(people, who)).post(
        reverse(url, args=args),
        {"service_phone": "call us", "service_email": "help@", "service_chat_url": "not a url at all"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "is not a phone number" in _error_of(page, "service_phone")
    assert "valid email address" in _error_of(page, "service_email")
    assert "valid URL" in _error_of(page, "service_chat_url")
    people.acme.refresh_from_db()
    assert people.acme.service_phone == "" and not ServiceInfoRevision.objects.exists()


@pytest.mark.django_db
def test_the_coordinators_phone_is_checked_with_the_other_field(people, browser_of):
    response = browser_of(people.rita).post(
        reverse("web:console_coordinator", args=[people.acme.pk]), {"user": "", "direct_phone": "ring me"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "is not a phone number" in _error_of(page, "direct_phone")
    assert "This field is required" in _error_of(page, "user")


@pytest.mark.django_db
def test_the_domain_names_every_bad_field_of_the_service_information(people):
    with pytest.raises(FieldError) as refused:
        profile.publish_service_info(
            people.acme.pk,
            people.rita,
            {"service_phone": "call us", "service_email": "help@", "returns_address": "x"},
        )
    issues = dict([(refused.value.field, refused.value.reason), *refused.value.also])
    assert set(issues) == {"service_phone", "service_email"}
    assert "is not a phone number" in issues["service_phone"]


@pytest.mark.django_db
def test_the_domain_names_every_bad_field_of_a_new_shop(people):
    with pytest.raises(FieldError) as refused:
        profile.register_shop({"name": "", "credit_code": "nonsense", "time_zone": "Mars/Olympus"})
    fields = {refused.value.field, *(field for field, _ in refused.value.also)}
    assert {"name", "credit_code", "time_zone"} <= fields


@pytest.mark.django_db
def test_the_api_lists_every_bad_field(people, api):
    response = api(people.rita).patch(
        f"/merchants/{people.acme.pk}/service-info", {"service_phone": "call us", "service_email": "help@"}
    )
    assert response.status_code == 422
    fields = {issue["loc"][-1] for issue in response.json()["detail"]}
    assert fields == {"service_phone", "service_email"}


@pytest.mark.django_db
def test_a_promotion_with_both_ends_outside_the_years_served_names_both(people, browser_of):
    data = {
        "name": "Double 11 mega sale",
        "type": "double_11",
        "starts_at": "2100-11-10T00:00",
        "ends_at": "2100-11-12T00:00",
        "expected_orders": "200000",
        "peak_hour_orders": "20000",
        "staff_per_shift": "2",
        "avg_handling_minutes": "6",
        "emergency_plan": "Extra staff from the warehouse team.",
        "contact_name": "Carol",
        "contact_phone": "138 0013 8000",
    }
    with time_machine.travel("2026-10-13 10:00 +0800", tick=False):
        response = browser_of(people.bob).post(reverse("web:new_filing"), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert _error_of(page, "starts_at").count("2099") == 1 and _error_of(page, "ends_at").count("2099") == 1
