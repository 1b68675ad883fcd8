"""Smaller fixes from the browser walk: what the consumer is asked and until when, what escalating
leads to, met deadlines told apart, no preselected outcome, one shop link to escalations, and a proposal
shown once in the timeline under its own words."""

import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from complaintdesk.complaints import labels, services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.web import display
from complaintdesk.web.tests.test_consumer_portal import _form

# A Friday morning in Shanghai, in working time.
NOW = "2026-11-20 10:00 +08:00"


def _page(client, complaint) -> str:
    return client.get(reverse("web:complaint", args=[complaint.pk])).content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_answer_box_shows_the_shops_question_and_the_consumers_own_deadline(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    services.perform(c.pk, people.bob, "request_info", "Which colour did you order?")
    page = _page(browser_of(people.alice), c)
    box = page.split('id="action-provide_info"', 1)[1].split("</details>", 1)[0]
    assert "Which colour did you order?" in box.split('id="open-question"', 1)[1]
    # 7 working days after Friday 20 November: the end of Tuesday 1 December.
    assert re.search(r"Please answer by 2026-12-01 \d\d:\d\d\.", box)
    assert "without one by then, the complaint goes to the 12315 centre" in box


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_consumer_reads_what_escalating_leads_to_before_and_after(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    services.perform(c.pk, people.bob, "propose_resolution", "Refund.", {"type": "refund", "details": "¥99"})
    client = browser_of(people.alice)
    before = _page(client, c).split('id="action-dispute"', 1)[1].split("</details>", 1)[0]
    assert "What happens if it goes to the centre:" in before and "takes the complaint over" in before
    client.post(
        reverse("web:act", args=[c.pk, "dispute"]),
        {"dispute-message": "Too little.", "dispute-ask_mediation": "on"},
    )
    after = _page(client, c)
    assert 'id="after-escalation"' in after and str(display.AFTER_ESCALATION) in after
    assert 'id="after-escalation"' not in _page(browser_of(people.bob), c)


def test_met_in_time_and_met_late_badges_have_different_colours():
    css = (Path(display.__file__).parent / "static" / "web" / "site.css").read_text()

    def rule(selector):
        match = re.search(r"(?m)^" + re.escape(selector) + r" \{([^}]*)\}", css)
        assert match, selector
        return match.group(1)

    in_time, late = rule(".tone-met.deadline"), rule(".tone-met-late.deadline")
    assert "background" in in_time and in_time != late


@pytest.mark.django_db
def test_a_met_resolution_says_resolved_in_time_or_late_and_others_say_answered(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(people.alice, people.acme)
        services.perform(c.pk, people.bob, "propose_resolution", "Refund.", {"type": "refund", "details": ""})
        services.perform(c.pk, people.alice, "accept", "")
        page = _page(browser_of(people.alice), c)
    assert "Resolved in time 2026-11-20 10:00" in page
    assert "Answered 2026-11-20 10:00" in page  # the first response
    resolution = c.deadlines.get(phase="resolution")
    late = display.deadline_view(resolution)
    late.met_at, late.tone = resolution.due_at + (resolution.due_at - resolution.remind_at), "met-late"
    assert display.met_line(late).startswith("Resolved late ")


@pytest.mark.django_db
def test_what_you_want_starts_blank_and_is_required(people, browser_of):
    client = browser_of(people.alice)
    page = client.get(reverse("web:file_complaint")).content.decode()
    select = page.split('name="wanted_outcome"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'<option value="" selected>', select)
    assert "selected" not in select.split('<option value=""', 1)[1].split("</option>", 1)[1]
    refused = client.post(reverse("web:file_complaint"), {"wanted_outcome": ""}).content.decode()
    block = refused.split('id="field-wanted_outcome"', 1)[1].split('<div class="field', 1)[0]
    assert "This field is required" in block


@pytest.mark.django_db
def test_the_shop_reaches_its_escalations_through_the_queue_tab_only(people, browser_of):
    page = browser_of(people.bob).get(reverse("web:queue")).content.decode()
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Escalations" not in nav
    assert page.count("?view=escalations") == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_proposal_shows_once_in_the_timeline_with_its_own_label(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    details = "Full refund of ¥99 within 3 days."
    services.perform(c.pk, people.bob, "propose_resolution", details, {"type": "refund", "details": details})
    page = _page(browser_of(people.alice), c)
    timeline = page.split('id="h-timeline"', 1)[1]
    assert timeline.count(details) == 1
    assert "Proposed a resolution" in timeline and "Refund — " + details in timeline
    # Its label is not the resolution deadline's name, in any language.
    with translation.override("zh-hans"):
        assert labels.timeline_label("propose_resolution") != str(display.Phase.RESOLUTION.label)
    # Nor the button's: the timeline says what was done.
    assert labels.timeline_label("propose_resolution") != str(display.ACTION_LABELS["propose_resolution"])


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_second_complaint_about_the_same_order_is_filed_with_a_warning_linking_the_first(
    people, browser_of
):
    first = factories.complaint(people.alice, people.acme, order_number="JD-1001")
    factories.complaint(people.erin, people.acme, order_number="JD-1001")  # someone else's: not named
    client = browser_of(people.alice)
    response = client.post(reverse("web:file_complaint"), _form(people, order_number="jd-1001"), follow=True)
    second = Complaint.objects.filter(consumer=people.alice).exclude(pk=first.pk).get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:complaint", args=[second.pk])
    link = f'<a href="{reverse("web:complaint", args=[first.pk])}">{first.reference}</a>'
    assert f"You complained about order jd-1001 at this shop before: {link}." in page
    assert page.count("You complained about order") == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_first_complaint_about_an_order_has_no_warning(people, browser_of):
    factories.complaint(people.alice, people.bazaar, order_number="JD-1001")  # another shop
    response = browser_of(people.alice).post(reverse("web:file_complaint"), _form(people), follow=True)
    assert "You complained about order" not in response.content.decode()
