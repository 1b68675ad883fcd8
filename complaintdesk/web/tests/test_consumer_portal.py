"""The consumer portal: filing with evidence and field errors, my complaints, and the consumer's actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _form(people, **overrides):
    data = {
        "merchant": people.acme.pk,
        "order_number": "JD-1001",
        "amount": "199.00",
        "order_date": timezone.localdate().isoformat(),
        "category": "quality",
        "kind": "quality_issue",
        "wanted_outcome": "replacement",
        "description": "The headphones have no sound on the left side.",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_consumer_files_a_complaint_with_evidence_and_sees_its_deadlines(people, browser_of):
    client = browser_of(people.alice)
    data = _form(
        people, evidence=[SimpleUploadedFile("photo.png", PNG), SimpleUploadedFile("note.txt", b"hi")]
    )
    response = client.post(reverse("web:file_complaint"), data)
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:complaint", args=[complaint.pk])
    assert (
        complaint.consumer == people.alice
        and complaint.channel == "web"
        and complaint.kind == "quality_issue"
    )
    assert sorted(complaint.evidence.values_list("original_name", flat=True)) == ["note.txt", "photo.png"]
    page = client.get(response.url).content.decode()
    assert complaint.reference in page and "was sent to Acme Online" in page
    assert "Reply to a quality issue" in page and "first response within" in page
    assert "photo.png" in page
    listing = client.get(reverse("web:my_complaints")).content.decode()
    assert complaint.reference in listing and "Submitted" in listing


@pytest.mark.django_db
def test_field_errors_appear_next_to_their_fields_and_nothing_is_filed(people, browser_of):
    client = browser_of(people.alice)
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    bad = _form(people, merchant="", amount="-5", order_date=tomorrow, description="", category="nope")
    page = client.post(reverse("web:file_complaint"), bad)
    assert page.status_code == 422
    text = page.content.decode()
    for field, words in [
        ("merchant", "This field is required"),
        ("amount", "greater than or equal to 0"),
        ("order_date", "cannot be in the future"),
        ("description", "This field is required"),
        ("category", "Select a valid choice"),
    ]:
        block = text.split(f'id="field-{field}"', 1)[1].split('<div class="field', 1)[0]
        assert "has-error" in text.split(f'id="field-{field}"', 1)[0][-80:], field
        assert words in block, (field, block[:300])
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_disguised_file_is_refused_at_the_evidence_field(people, browser_of):
    client = browser_of(people.alice)
    page = client.post(
        reverse("web:file_complaint"),
        _form(
            people, evidence=[SimpleUploadedFile("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff")]
        ),
    )
    assert page.status_code == 422
    block = page.content.decode().split('id="field-evidence"', 1)[1]
    assert "is not a photo" in block.split("</div>", 1)[0]
    assert Complaint.objects.count() == 0 and Evidence.objects.count() == 0


@pytest.mark.django_db
def test_the_form_offers_active_categories_in_the_readers_language(people, browser_of):
    client = browser_of(people.alice)
    assert "Returns and refunds" in client.get(reverse("web:file_complaint")).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "退换货与退款" in client.get(reverse("web:file_complaint")).content.decode()


@pytest.mark.django_db
def test_my_complaints_shows_only_mine(people, browser_of):
    mine = factories.complaint(people.alice, people.acme)
    theirs = factories.complaint(people.erin, people.acme)
    page = browser_of(people.alice).get(reverse("web:my_complaints")).content.decode()
    assert mine.reference in page and theirs.reference not in page


@pytest.mark.django_db
def test_another_consumers_complaint_is_not_found(people, browser_of):
    theirs = factories.complaint(people.erin, people.acme, "resolution_proposed")
    client = browser_of(people.alice)
    assert client.get(reverse("web:complaint", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("web:act", args=[theirs.pk, "accept"]), {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "resolution_proposed"


@pytest.mark.django_db
def test_the_consumer_answers_a_request_for_information(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "awaiting_consumer")
    client = browser_of(people.alice)
    assert "Provide information" in client.get(reverse("web:complaint", args=[c.pk])).content.decode()
    response = client.post(
        reverse("web:act", args=[c.pk, "provide_info"]),
        {"provide_info-message": "Order screenshot attached."},
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == "responded"
    assert ComplaintEvent.objects.filter(complaint=c, action="provide_info").get().message == (
        "Order screenshot attached."
    )


@pytest.mark.django_db
def test_an_empty_answer_is_refused_at_the_message_field(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "awaiting_consumer")
    page = browser_of(people.alice).post(
        reverse("web:act", args=[c.pk, "provide_info"]), {"provide_info-message": " "}
    )
    assert page.status_code == 422
    assert "This field is required" in page.content.decode().split('id="action-provide_info"', 1)[1]
    c.refresh_from_db()
    assert c.state == "awaiting_consumer"


@pytest.mark.django_db
def test_the_consumer_accepts_a_proposal(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    accepting = {"confirm": "1"}
    assert (
        browser_of(people.alice).post(reverse("web:act", args=[c.pk, "accept"]), accepting).status_code == 302
    )
    c.refresh_from_db()
    assert c.state == "resolved"


@pytest.mark.django_db
def test_disputing_with_the_mediation_box_also_escalates(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    browser_of(people.alice).post(
        reverse("web:act", args=[c.pk, "dispute"]),
        {"dispute-message": "The refund leaves out shipping.", "dispute-ask_mediation": "on"},
    )
    c.refresh_from_db()
    assert c.state == "escalated"
    assert list(c.events.values_list("action", flat=True))[-2:] == ["dispute", "escalate"]


@pytest.mark.django_db
def test_disputing_without_the_box_leaves_it_with_the_shop(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    browser_of(people.alice).post(reverse("web:act", args=[c.pk, "dispute"]), {"dispute-message": "No."})
    c.refresh_from_db()
    assert c.state == "disputed"


@pytest.mark.django_db
def test_the_consumer_withdraws(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "responded")
    browser_of(people.alice).post(
        reverse("web:act", args=[c.pk, "withdraw"]), {"withdraw-message": "", "confirm": "1"}
    )
    c.refresh_from_db()
    assert c.state == "withdrawn"


@pytest.mark.django_db
def test_an_action_the_state_no_longer_allows_is_refused_and_changes_nothing(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolved")
    events = c.events.count()
    page = browser_of(people.alice).post(
        reverse("web:act", args=[c.pk, "dispute"]), {"dispute-message": "late"}
    )
    assert page.status_code == 409
    assert "no longer possible" in page.content.decode()
    c.refresh_from_db()
    assert c.state == "resolved" and c.events.count() == events


@pytest.mark.django_db
def test_the_consumer_only_sees_forms_for_what_they_may_do(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    page = browser_of(people.alice).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert 'id="action-accept"' in page and 'id="action-dispute"' in page and 'id="action-withdraw"' in page
    assert 'id="action-respond"' not in page and 'id="action-close"' not in page


@pytest.mark.django_db
def test_evidence_can_be_added_later_and_downloaded_only_by_those_who_see_the_complaint(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    client = browser_of(people.alice)
    response = client.post(
        reverse("web:add_evidence", args=[c.pk]), {"files": SimpleUploadedFile("r.pdf", b"%PDF-1.4 x")}
    )
    assert response.status_code == 302
    item = c.evidence.get()
    url = reverse("web:evidence", args=[c.pk, item.pk])
    assert client.get(url).status_code == 200
    assert browser_of(people.bob).get(url).status_code == 200
    assert browser_of(people.dave).get(url).status_code == 404
    assert browser_of(people.erin).get(url).status_code == 404


@pytest.mark.django_db
def test_evidence_sent_to_a_closed_complaint_is_refused_with_a_visible_reason(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "closed")
    response = browser_of(people.alice).post(
        reverse("web:add_evidence", args=[c.pk]), {"files": SimpleUploadedFile("r.pdf", b"%PDF-1.4 x")}
    )
    assert response.status_code == 422
    assert "the complaint is closed; no more evidence can be added" in response.content.decode()
    assert not c.evidence.exists()
