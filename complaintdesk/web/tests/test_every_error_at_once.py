"""A form shows every error at once, not one per try (issue 16, item 11): the service information with a
bad phone and a bad e-mail names both, and the domain's refusals name every bad field too."""

import pytest
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
