"""The merchant workbench: the queue by nearest deadline, the complaint page and the shop's actions."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature


def _due_in(complaint, hours):
    """Move the complaint's running deadlines so that the nearest is due in `hours` (negative: overdue)."""
    now = timezone.now()
    for d in complaint.deadlines.all():
        d.due_at = now + timedelta(hours=hours) + timedelta(minutes=10 * (d.phase != "first_response"))
        d.remind_at = d.due_at - timedelta(minutes=30)
        d.save()


@pytest.mark.django_db
def test_the_queue_puts_the_nearest_deadline_first_and_colours_it(people, browser_of):
    later = factories.complaint(people.alice, people.acme, description="later")
    overdue = factories.complaint(people.erin, people.acme, description="overdue")
    soon = factories.complaint(people.alice, people.acme, description="soon")
    _due_in(later, 5)
    _due_in(overdue, -1)
    _due_in(soon, 0.25)
    foreign = factories.complaint(people.alice, people.bazaar)
    page = browser_of(people.bob).get(reverse("web:queue")).content.decode()
    order = [page.index(c.reference) for c in (overdue, soon, later)]
    assert order == sorted(order)
    assert foreign.reference not in page
    row = lambda c: page[: page.index(c.reference)].rsplit("<tr", 1)[1]  # noqa: E731
    assert "tone-overdue" in row(overdue) and "overdue by" in row(overdue)
    assert "tone-due-soon" in row(soon) and "left" in row(soon)
    assert "tone-ok" in row(later)
    assert "data-countdown" in row(later)


@pytest.mark.django_db
def test_finished_complaints_leave_the_open_queue(people, browser_of):
    done = factories.complaint(people.alice, people.acme, "closed")
    client = browser_of(people.bob)
    assert done.reference not in client.get(reverse("web:queue")).content.decode()
    assert done.reference in client.get(reverse("web:queue"), {"view": "finished"}).content.decode()


@pytest.mark.django_db
def test_the_escalations_view_shows_the_shops_escalated_disputed_and_mediated(people, browser_of):
    escalated = factories.complaint(people.alice, people.acme, "escalated")
    fresh = factories.complaint(people.alice, people.acme)
    page = browser_of(people.carol).get(reverse("web:queue"), {"view": "escalations"}).content.decode()
    assert escalated.reference in page and fresh.reference not in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dave"])
def test_another_shops_complaint_is_not_found_by_url(people, browser_of, who):
    c = factories.complaint(people.alice, people.acme)
    client = browser_of(getattr(people, who))
    assert client.get(reverse("web:complaint", args=[c.pk])).status_code == 404
    assert (
        client.post(reverse("web:act", args=[c.pk, "respond"]), {"respond-message": "hi"}).status_code == 404
    )
    c.refresh_from_db()
    assert c.state == "submitted"


@pytest.mark.django_db
def test_the_complaint_page_shows_timeline_deadlines_and_rules(people, browser_of):
    c = factories.complaint(people.alice, people.acme, kind="quality_issue")
    page = browser_of(people.bob).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert "Complaint filed" in page and "Timeline" in page
    assert "First response" in page and "Reply to a quality issue" in page and "Resolution" in page
    assert "Quality problem: reply within 4 working hours" in page
    # The shop tells its consumers apart, masked; the account name is the centre's (accounts.privacy).
    assert "a***e" in page and "alice" not in page


@pytest.mark.django_db
def test_the_agent_responds_and_meets_the_first_response_deadline(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    client = browser_of(people.bob)
    response = client.post(reverse("web:act", args=[c.pk, "respond"]), {"respond-message": "We are on it."})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == "responded"
    assert Deadline.objects.get(complaint=c, phase="first_response").met_at is not None
    page = client.get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert "We are on it." in page and "Met in time" in page


@pytest.mark.django_db
def test_the_agent_replies_and_asks_for_information(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "responded")
    client = browser_of(people.bob)
    client.post(reverse("web:act", args=[c.pk, "reply"]), {"reply-message": "The model is known to fail."})
    client.post(reverse("web:act", args=[c.pk, "request_info"]), {"request_info-message": "Photo please."})
    c.refresh_from_db()
    assert c.state == "awaiting_consumer"
    assert list(c.events.values_list("action", flat=True))[-2:] == ["reply", "request_info"]


@pytest.mark.django_db
def test_the_agent_proposes_a_refund(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "responded")
    response = browser_of(people.carol).post(
        reverse("web:act", args=[c.pk, "propose_resolution"]),
        {
            "propose_resolution-message": "We refund in full.",
            "propose_resolution-resolution_type": "refund",
            "propose_resolution-details": "199.00 CNY within 3 days",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.state, c.resolution_type, c.resolution_text) == (
        "resolution_proposed",
        "refund",
        "199.00 CNY within 3 days",
    )
    page = browser_of(people.alice).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert "Proposed resolution" in page and "199.00 CNY within 3 days" in page


@pytest.mark.django_db
def test_a_proposal_needs_a_resolution_type(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "responded")
    page = browser_of(people.bob).post(
        reverse("web:act", args=[c.pk, "propose_resolution"]),
        {"propose_resolution-message": "x", "propose_resolution-resolution_type": "free-money"},
    )
    assert page.status_code == 422
    assert "Select a valid choice" in page.content.decode()
    c.refresh_from_db()
    assert c.state == "responded"


@pytest.mark.django_db
def test_a_merchant_cannot_take_a_consumers_action(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    page = browser_of(people.bob).post(reverse("web:act", args=[c.pk, "accept"]), {})
    assert page.status_code == 403
    c.refresh_from_db()
    assert c.state == "resolution_proposed"


@pytest.mark.django_db
def test_the_shop_profile_lists_what_the_shop_still_owes(people, browser_of):
    page = browser_of(people.bob).get(reverse("web:shop_profile")).content.decode()
    assert "Mon–Fri 09:00–18:00" in page
    assert "No coordinator designated" in page and "Publish customer-service information" in page
    assert "Publish changes" not in page  # agents do not publish


@pytest.mark.django_db
def test_the_coordinator_publishes_service_info_and_signs_the_pledge(people, browser_of):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    client = browser_of(people.carol)
    bad = client.post(reverse("web:publish_service_info"), {"service_phone": "call us", "service_email": ""})
    assert bad.status_code == 422 and "is not a phone number" in bad.content.decode()
    ok = client.post(
        reverse("web:publish_service_info"),
        {"service_phone": "400-820-8820", "service_email": "help@acme.example"},
    )
    assert ok.status_code == 302
    people.acme.refresh_from_db()
    assert people.acme.service_phone == "400-820-8820" and people.acme.service_info_published_at
    signing = {"version": pledges.current_version().number, "confirm": "1"}
    assert client.post(reverse("web:sign_pledge"), signing).status_code == 302
    assert PledgeSignature.objects.filter(merchant=people.acme, signed_by=people.carol).exists()
    page = client.get(reverse("web:shop_profile")).content.decode()
    assert "Complete: a designated coordinator" in page
    directory = browser_of(people.alice).get(reverse("web:directory")).content.decode()
    assert "400-820-8820" in directory and "help@acme.example" in directory


@pytest.mark.django_db
def test_an_agent_cannot_publish_or_sign(people, browser_of):
    client = browser_of(people.bob)
    assert (
        client.post(reverse("web:publish_service_info"), {"service_phone": "400-820-8820"}).status_code == 422
    )
    client.post(reverse("web:sign_pledge"))
    people.acme.refresh_from_db()
    assert people.acme.service_phone == "" and not PledgeSignature.objects.exists()


@pytest.mark.django_db
def test_the_countdown_text_follows_the_clock(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    due = c.deadlines.get(phase="first_response").due_at
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        # Logged in then: a session from before would have expired (SESSION_COOKIE_AGE, 8 hours).
        client = browser_of(people.bob)
        page = client.get(reverse("web:queue")).content.decode()
    assert "overdue by" in page and "tone-overdue" in page
