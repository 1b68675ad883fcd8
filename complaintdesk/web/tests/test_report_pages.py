"""The public's report and enquiry forms (signed in or not; anonymous keeps no contact) and the officer's
console of reports and enquiries: the list with its filters, a matter's page, its decision or answer asked
about once and taken once. Bad input answers 4xx with the reason next to its field and stores nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind, MatterState, Notice

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 24, 11, 0, tzinfo=SH)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def stored():
    return Matter.objects.count(), Notice.objects.count(), list(Matter.objects.values_list("state", "reason"))


def field_error(page: str, name: str) -> bool:
    return f'has-error required" id="field-{name}"' in page or f'has-error" id="field-{name}"' in page


def a_report(people, by=None, **fields) -> Matter:
    values = {"kind": MatterKind.REPORT, "text": "Fake chargers.", "merchant": people.acme.pk, **fields}
    return matters.file(by, Filing(**values))


# ------------------------------------------------------------------------------------------- the public


def test_anyone_reports_anonymously_and_is_told_the_centre_cannot_answer(people):
    client = Client()
    page = client.get(reverse("web:report")).content.decode()
    assert 'name="anonymous"' in page and 'name="contact_phone"' in page and "web/centre.css" in page
    response = client.post(
        reverse("web:report"),
        {"merchant": people.acme.pk, "text": "They sell fake chargers.", "anonymous": "on"},
        follow=True,
    )
    matter = Matter.objects.get()
    assert response.redirect_chain == [(reverse("web:report"), 302)]
    text = response.content.decode()
    assert matter.reference in text and "2026-10-22 18:00" in text and "cannot tell you its decision" in text
    assert matter.anonymous and matter.user is None and matter.channel == "web"


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        # About nothing: neither a shop nor an address.
        ({"text": "Something is wrong.", "contact_email": "a@example.test"}, ["merchant", "web_address"]),
        # Anonymous with contacts: each contact marked (and the contact fields stay shown).
        ({"merchant": "ACME", "text": "Fake.", "anonymous": "on", "contact_name": "Wang",
          "contact_phone": "13800138000"}, ["contact_name", "contact_phone"]),
        # An unknown shop.
        ({"merchant": "987654", "text": "Fake.", "anonymous": "on"}, ["merchant"]),
        # No text.
        ({"merchant": "ACME", "text": "   ", "anonymous": "on"}, ["text"]),
        # Not signed in, not anonymous, no way to write back.
        ({"merchant": "ACME", "text": "Fake."}, ["contact_phone"]),
        ({"web_address": "ftp://files.example.com", "text": "Fake.", "anonymous": "on"}, ["web_address"]),
    ],
)  # fmt: skip
def test_a_bad_report_is_shown_again_with_each_reason_at_its_field(people, data, fields):
    data = {k: str(people.acme.pk) if v == "ACME" else v for k, v in data.items()}
    before = stored()
    response = Client().post(reverse("web:report"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert [name for name in ("merchant", "web_address", "text", "contact_name", "contact_phone",
                              "contact_email") if field_error(page, name)] == fields  # fmt: skip
    assert stored() == before


def test_a_signed_in_consumer_reports_as_themself_or_anonymously(people, browser_of):
    alice = browser_of(people.alice)
    page = alice.get(reverse("web:report")).content.decode()
    assert "You are signed in as alice" in page and 'name="channel"' not in page
    alice.post(reverse("web:report"), {"merchant": people.acme.pk, "text": "Fake."})
    alice.post(reverse("web:report"), {"merchant": people.acme.pk, "text": "Fake.", "anonymous": "on"})
    named, hidden = Matter.objects.order_by("id")
    assert named.user == people.alice and hidden.user is None and hidden.anonymous


def test_an_enquiry_needs_a_way_to_answer_unless_signed_in(people, browser_of):
    client = Client()
    assert "Ask the 12315 centre" in client.get(reverse("web:enquiry")).content.decode()
    refused = client.post(reverse("web:enquiry"), {"text": "May a shop refuse a return?"})
    assert refused.status_code == 422 and field_error(refused.content.decode(), "contact_phone")
    assert not Matter.objects.exists()
    answer = client.post(
        reverse("web:enquiry"),
        {"text": "May a shop refuse a return?", "contact_email": "q@example.test"},
        follow=True,
    )
    assert "The centre answers it by 2026-10-12 18:00" in answer.content.decode()
    browser_of(people.alice).post(reverse("web:enquiry"), {"text": "And a refund?"})
    assert list(Matter.objects.order_by("id").values_list("kind", "user")) == [
        ("enquiry", None), ("enquiry", people.alice.pk),
    ]  # fmt: skip


def test_an_officer_records_a_call_and_lands_on_its_page(people, browser_of):
    rita = browser_of(people.rita)
    page = rita.get(reverse("web:report")).content.decode()
    assert 'name="channel"' in page and 'name="received_at"' in page
    response = rita.post(
        reverse("web:report"),
        {"channel": "hotline_12315", "received_at": "2026-09-23T16:00", "merchant": people.bazaar.pk,
         "text": "Caller says the scales are rigged.", "contact_name": "Mr Li", "contact_phone": "13900139000"},
    )  # fmt: skip
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:matter", args=[matter.pk])
    assert (matter.channel, matter.user, matter.contact_phone) == ("hotline_12315", None, "13900139000")
    assert matter.received_at == datetime(2026, 9, 23, 16, 0, tzinfo=SH)


# ------------------------------------------------------------------------------------------- the console


def test_the_console_lists_matters_by_nearest_duty_with_filters(people, browser_of):
    late = a_report(people, people.alice)
    with time_machine.travel(NOW + timedelta(days=30), tick=False):  # the first report is late by then
        newer = a_report(people, people.erin)
        asked = matters.file(people.alice, Filing(MatterKind.ENQUIRY, "How?"))
        rita = browser_of(people.rita)
        url = reverse("web:matters")
        page = rita.get(url).content.decode()
        # The late report first (overdue), then the enquiry due sooner than the newer report.
        assert page.index(late.reference) < page.index(asked.reference) < page.index(newer.reference)
        assert "3 matters" in page
        only_reports = rita.get(url, {"kind": "report"}).content.decode()
        assert asked.reference not in only_reports and late.reference in only_reports
        overdue = rita.get(url, {"overdue": "1"}).content.decode()
        assert late.reference in overdue and newer.reference not in overdue
        assert rita.get(url, {"state": "answered"}).context["rows"] == []
        assert rita.get(url, {"kind": "complaint"}).status_code == 400


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_officers_reach_the_console_of_matters(people, browser_of, who):
    matter = a_report(people, people.erin, contact_phone="13700137000")
    client = browser_of(getattr(people, who))
    before = stored()
    for url in (reverse("web:matters"), reverse("web:matter", args=[matter.pk])):
        assert client.get(url).status_code == 403
    decide = client.post(
        reverse("web:decide_matter", args=[matter.pk]), {"decision": "no_case", "reason": "x", "confirm": "1"}
    )
    assert decide.status_code == 403 and stored() == before
    assert Client().get(reverse("web:matters")).status_code == 302  # to the login


def test_an_officer_decides_a_report_after_being_asked_once(people, browser_of):
    matter = a_report(people, people.alice, contact_phone="13800138000", language="en")
    rita = browser_of(people.rita)
    url = reverse("web:matter", args=[matter.pk])
    page = rita.get(url).content.decode()
    # Who reported, for the officer only; the decision form with its dialog.
    assert "alice" in page and "13800138000" in page and "SAMR Order No. 20" in page
    assert 'name="decision"' in page and "data-confirm" in page and "Decide report" in page

    post = reverse("web:decide_matter", args=[matter.pk])
    data = {"decision": "open_case", "reason": "Test purchases confirm it."}
    asked = rita.post(post, data)
    assert asked.status_code == 200 and "Decide report" in asked.content.decode()
    assert Matter.objects.get(pk=matter.pk).state == MatterState.RECEIVED  # only asked
    done = rita.post(post, {**data, "confirm": "1"}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    matter.refresh_from_db()
    assert (matter.state, matter.reason, matter.decided_by) == (
        MatterState.CASE_OPENED, "Test purchases confirm it.", people.rita,
    )  # fmt: skip
    text = done.content.decode()
    assert "Test purchases confirm it." in text and 'name="decision"' not in text
    assert Notice.objects.filter(matter=matter).count() == 1

    before = stored()
    again = rita.post(post, {"decision": "no_case", "reason": "Second thoughts.", "confirm": "1"})
    assert again.status_code == 409 and "decided already" in again.content.decode()
    assert stored() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [({"decision": "open_case", "reason": ""}, "reason"), ({"decision": "close", "reason": "x"}, "decision"),
     ({"reason": "Because."}, "decision")],
)  # fmt: skip
def test_a_decision_without_its_reason_or_choice_is_refused_at_its_field(people, browser_of, data, field):
    matter = a_report(people, people.alice)
    before = stored()
    response = browser_of(people.rita).post(
        reverse("web:decide_matter", args=[matter.pk]), {**data, "confirm": "1"}
    )
    assert response.status_code == 422 and field_error(response.content.decode(), field)
    assert stored() == before


def test_an_officer_answers_an_enquiry(people, browser_of):
    asked = matters.file(
        None, Filing(MatterKind.ENQUIRY, "May a shop refuse a return?", contact_email="q@example.test")
    )
    rita = browser_of(people.rita)
    post = reverse("web:decide_matter", args=[asked.pk])
    assert 'name="answer"' in rita.get(reverse("web:matter", args=[asked.pk])).content.decode()
    assert rita.post(post, {"answer": " ", "confirm": "1"}).status_code == 422
    rita.post(post, {"answer": "Within 7 days of delivery, without giving a reason.", "confirm": "1"})
    asked.refresh_from_db()
    assert asked.state == MatterState.ANSWERED and asked.reason.startswith("Within 7 days")
    assert Notice.objects.get(matter=asked).recipient == "enquirer"
