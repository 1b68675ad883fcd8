"""The quality reply and the kind on the web: a quality issue's primary step is the reply, which also meets
the first response; each action says which deadline it meets; the filing form derives the kind from the
category."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline

WEDNESDAY = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _actions(page: str) -> list[str]:
    return re.findall(r'<details class="action[^"]*" id="action-([a-z_]+)"', page)


def _note(page: str, action: str) -> str:
    return re.search(rf'<p class="meets" id="meets-{action}">([^<]*)</p>', page).group(1)


@pytest.mark.django_db
def test_on_a_quality_issue_the_reply_comes_first_and_says_it_meets_both_deadlines(people, browser_of):
    with time_machine.travel(WEDNESDAY, tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")
        page = browser_of(people.bob).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert _actions(page)[:2] == ["reply", "respond"]
    assert re.search(r'id="action-reply" open>\s*<summary>Reply to the quality problem</summary>', page)
    assert _note(page, "reply") == (
        "Meets the deadlines: First response, Reply to a quality issue. Still running after it: Resolution."
    )
    assert _note(page, "respond") == (
        "Meets the deadline: First response. Still running after it: Reply to a quality issue, Resolution."
    )
    assert _note(page, "request_info") == (
        "Meets the deadline: First response. Pauses the resolution deadline until the consumer answers. "
        "Still running after it: Reply to a quality issue."
    )


@pytest.mark.django_db
def test_a_plain_complaint_keeps_respond_first_and_the_plain_reply(people, browser_of):
    with time_machine.travel(WEDNESDAY, tick=False):
        c = factories.complaint(people.alice, people.acme)
        page = browser_of(people.bob).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert _actions(page)[:2] == ["respond", "reply"]
    assert "Reply to the quality problem" not in page
    assert _note(page, "respond") == "Meets the deadline: First response. Still running after it: Resolution."


@pytest.mark.django_db
def test_the_reply_meets_the_first_response_and_the_quality_reply(people, browser_of):
    with time_machine.travel(WEDNESDAY, tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")
        client = browser_of(people.bob)
        response = client.post(
            reverse("web:act", args=[c.pk, "reply"]), {"reply-message": "A new pair is on its way."}
        )
        assert response.status_code == 302
        met = dict(Deadline.objects.filter(complaint=c).values_list("phase", "met_at"))
        assert met == {"first_response": WEDNESDAY, "reply": WEDNESDAY, "resolution": None}
        page = client.get(reverse("web:complaint", args=[c.pk])).content.decode()
    c.refresh_from_db()
    assert c.state == "responded"
    # After it nothing but the resolution is left: a further reply meets no deadline.
    assert _note(page, "reply") == "Meets no deadline. Still running after it: Resolution."


@pytest.mark.django_db
def test_respond_on_a_quality_issue_leaves_the_reply_running(people, browser_of):
    with time_machine.travel(WEDNESDAY, tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")
        browser_of(people.bob).post(
            reverse("web:act", args=[c.pk, "respond"]), {"respond-message": "Checking."}
        )
    reply = Deadline.objects.get(complaint=c, phase="reply")
    assert reply.met_at is None and reply.status == "open"


@pytest.mark.django_db
def test_the_consumer_sees_no_deadline_notes(people, browser_of):
    with time_machine.travel(WEDNESDAY, tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue", category="quality")
        page = browser_of(people.alice).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert 'class="meets"' not in page


def _form(people, **overrides):
    data = {
        "merchant": people.acme.pk,
        "order_number": "JD-1001",
        "amount": "199.00",
        "order_date": "2026-09-29",
        "category": "quality",
        "wanted_outcome": "replacement",
        "description": "The headphones have no sound on the left side.",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_filing_form_asks_no_kind_and_names_the_quality_categories(people, browser_of):
    page = browser_of(people.alice).get(reverse("web:file_complaint")).content.decode()
    assert 'name="kind"' not in page
    assert "A quality problem of the goods or the service (Quality) must get the shop&#x27;s reply" in page


@pytest.mark.django_db
@pytest.mark.parametrize("category, kind", [("quality", "quality_issue"), ("delivery", "complaint")])
def test_the_web_filing_derives_the_kind_from_the_category(people, browser_of, category, kind):
    with time_machine.travel(WEDNESDAY, tick=False):
        # A kind posted by an old page is ignored: the category decides.
        response = browser_of(people.alice).post(
            reverse("web:file_complaint"), _form(people, category=category, kind="complaint")
        )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.kind == kind
    assert complaint.deadlines.filter(phase="reply").exists() == (kind == "quality_issue")
