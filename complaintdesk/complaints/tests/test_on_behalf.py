"""A complaint without a consumer account (hotline, back office) is not stuck: the regulator records the
consumer's answers, acceptance, dispute or withdrawal, saying how the consumer gave them."""

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories


@pytest.fixture
def hotline(people):
    return factories.complaint(people.rita, people.acme, "resolution_proposed", channel="hotline_12315")


@pytest.mark.django_db
def test_the_regulator_accepts_a_resolution_for_a_consumer_without_an_account(people, api, hotline):
    assert hotline.consumer_id is None
    said = "The consumer accepted the refund by phone on 30 Sep at 10:05."
    response = api(people.rita).post(f"/complaints/{hotline.pk}/accept", {"message": said})
    assert response.status_code == 200, response.content
    hotline.refresh_from_db()
    assert hotline.state == "resolved"
    event = hotline.events.get(action="accept")
    assert event.actor == people.rita and event.message == said
    assert event.data["on_behalf_of_consumer"] is True


@pytest.mark.django_db
def test_acting_for_the_consumer_needs_what_they_said(people, api, hotline):
    events = ComplaintEvent.objects.count()
    response = api(people.rita).post(f"/complaints/{hotline.pk}/accept", {"message": " "})
    assert response.status_code == 422
    assert "what the consumer said" in response.content.decode()
    assert Complaint.objects.get(pk=hotline.pk).state == "resolution_proposed"
    assert ComplaintEvent.objects.count() == events


@pytest.mark.django_db
def test_a_consumer_with_an_account_takes_their_own_steps(people, api):
    own = factories.complaint(people.alice, people.acme, "resolution_proposed")
    response = api(people.rita).post(f"/complaints/{own.pk}/accept", {"message": "by phone"})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=own.pk).state == "resolution_proposed"
