"""The outside security probe's attacks on the deadlines, as it ran them (a shop moving its own running
deadlines, and filings failing when no policy was active): each must fail now, with a clear 4xx naming what
is wrong, and change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Policy, PolicyRule
from complaintdesk.merchants.tests.test_admin import change_page_data
from complaintdesk.web.tests.test_consumer_portal import _form as web_complaint_form


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _policies():
    return list(
        Policy.objects.order_by("pk").values_list("pk", "name", "is_active")
    ), PolicyRule.objects.count()


# ---------------------------------------------------------------------------------------------------------
# No active policy: untick "active" on the only deadline policy in the admin; every filing then failed with
# an IntegrityError, because the default policy was created again (same name) inside a read.


@pytest.mark.django_db
def test_unticking_active_on_the_only_policy_in_the_admin_is_refused_and_filing_goes_on(people, api):
    (policy,) = Policy.objects.all()
    officer = _logged_in(people.rita)
    url = reverse("admin:deadlines_policy_change", args=[policy.pk])
    data = change_page_data(officer.get(url))
    data.pop("is_active")  # an unticked box is not sent at all
    before = _policies()

    page = officer.post(url, data)

    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert list(errors) == ["is_active"]
    assert "the active policy" in errors["is_active"][0] and "another policy" in errors["is_active"][0]
    assert _policies() == before
    response = api(people.alice).post("/complaints", factories.complaint_payload(people.acme.pk))
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_filing_with_no_active_policy_is_a_409_saying_what_the_regulator_must_do(people, api):
    # Past the admin's refusal (a database edit by hand, say): no policy is active at all.
    Policy.objects.update(is_active=False)
    before = _policies()

    response = api(people.alice).post("/complaints", factories.complaint_payload(people.acme.pk))

    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert "No deadline policy is active" in detail and "regulator" in detail and "active" in detail
    assert not Complaint.objects.exists()
    assert _policies() == before  # nothing created inside the filing


@pytest.mark.django_db
def test_the_web_form_with_no_active_policy_answers_a_409_page_and_files_nothing(people):
    Policy.objects.update(is_active=False)
    before = _policies()

    page = _logged_in(people.alice).post(reverse("web:file_complaint"), web_complaint_form(people))

    assert page.status_code == 409
    assert "No deadline policy is active" in page.content.decode()
    assert not Complaint.objects.exists()
    assert _policies() == before


@pytest.mark.django_db
def test_deleting_the_active_policy_in_the_admin_is_refused_on_its_page_and_in_the_bulk_action(people, api):
    (policy,) = Policy.objects.all()
    officer = _logged_in(people.rita)
    before = _policies()

    page = officer.post(reverse("admin:deadlines_policy_delete", args=[policy.pk]), {"post": "yes"})
    bulk = officer.post(
        reverse("admin:deadlines_policy_changelist"),
        {"action": "delete_selected", "_selected_action": [policy.pk], "post": "yes"},
    )

    for response in (page, bulk):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Cannot delete" in text and "cannot be deactivated or deleted" in text
    assert _policies() == before
    assert (
        api(people.alice).post("/complaints", factories.complaint_payload(people.acme.pk)).status_code == 201
    )
