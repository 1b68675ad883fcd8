"""The complaint page at the 12315 centre: the officer's steps with the law's grounds, a dialog before the
steps that end the complaint, the centre's duties with their countdowns beside the shop's deadlines, the rule
version it follows, and every bad input of a step shown at its field with nothing changed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 9, 10, 0, tzinfo=SH)  # a Friday, in working time
pytestmark = pytest.mark.django_db


def _details(page: str, action: str) -> str:
    return page.split(f'id="action-{action}"', 1)[1].split("</details>", 1)[0]


@pytest.fixture
def at_centre(people):
    with time_machine.travel(datetime(2026, 9, 30, 10, tzinfo=SH), tick=False):
        c = factories.complaint(people.alice, people.acme, "disputed")
    with time_machine.travel(datetime(2026, 9, 30, 17, tzinfo=SH), tick=False):
        services.perform(c.pk, people.alice, "escalate", "Please help")
    return c


def _page(client, c) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("web:complaint", args=[c.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _post(client, c, action, data):
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("web:act", args=[c.pk, action]), {f"{action}-{k}": v for k, v in data.items()}
                           | ({"confirm": "1"} if data.pop("_confirm", False) else {}))  # fmt: skip


def _unchanged(c):
    c.refresh_from_db()
    return c.state, c.events.count(), CentreCase.objects.filter(complaint=c).values().first()


def test_the_officer_sees_the_centres_steps_its_duty_and_the_rules_it_follows(people, browser_of, at_centre):
    page = _page(browser_of(people.rita), at_centre)
    assert 'id="action-accept_case"' in page and 'id="action-refuse_case"' in page
    assert 'id="action-transfer"' not in page  # one bureau only: nowhere to transfer to
    assert 'id="action-start_mediation"' not in page
    refuse = _details(page, "refuse_case")
    # The ground is chosen from the law's list, in its words; the step asks first in a dialog.
    assert '<select name="refuse_case-ground"' in refuse
    assert "(4) More than three years since the consumer knew of the harm" in refuse
    assert (
        "data-confirm" in refuse
        and '<dialog class="confirm"' in refuse
        and "Not accept this complaint?" in refuse
    )
    # The decision goes with the bureau that holds the case as the page showed it.
    assert f'name="refuse_case-case_bureau" value="{Bureau.city_centre().pk}"' in refuse
    assert "Meets the deadline: Decision to accept." in _details(page, "accept_case")
    assert "Starts the duty: Mediation." in _details(page, "accept_case")
    centre = page.split('id="centre-case"', 1)[1].split("</section>", 1)[0]
    assert "SAMR Order No. 20 (2019, amended 2022)" in centre
    assert "City Consumer Protection Centre (12315)" in centre
    acceptance = centre.split('data-phase="acceptance"', 1)[1].split("</li>", 1)[0]
    assert "data-countdown" in acceptance and "2026-10-15 18:00" in acceptance
    # The shop's deadlines stay under their own heading, without the centre's.
    shop = page.split('id="h-deadlines"', 1)[1].split("</section>", 1)[0]
    assert 'data-phase="acceptance"' not in shop and 'data-phase="resolution"' in shop


def test_a_transfer_is_offered_when_there_is_another_bureau(people, browser_of, at_centre):
    district = Bureau.objects.create(name_zh="东城区局", name_en="Dongcheng", level=BureauLevel.DISTRICT)
    page = _page(browser_of(people.rita), at_centre)
    transfer = _details(page, "transfer")
    assert f'<option value="{district.pk}">Dongcheng</option>' in transfer
    assert f'value="{Bureau.city_centre().pk}"' not in transfer.split("<select", 1)[1].split("</select>")[0]


def test_the_consumer_and_the_shop_see_the_centres_duty_but_not_its_steps(people, browser_of, at_centre):
    for user in (people.alice, people.bob):
        page = _page(browser_of(user), at_centre)
        assert 'id="centre-duties"' in page and 'data-phase="acceptance"' in page
        assert 'id="action-accept_case"' not in page and 'id="action-refuse_case"' not in page


def test_refusing_asks_first_then_refuses_on_the_ground_with_its_letter(people, browser_of, at_centre):
    client = browser_of(people.rita)
    data = {"ground": "4", "message": "Bought in 2021", "case_bureau": Bureau.city_centre().pk}
    asked = _post(client, at_centre, "refuse_case", dict(data))
    assert asked.status_code == 200 and "Not accept this complaint?" in asked.content.decode()
    at_centre.refresh_from_db()
    assert at_centre.state == "escalated"
    done = _post(client, at_centre, "refuse_case", {**data, "_confirm": True})
    assert done.status_code == 302
    page = _page(client, at_centre)
    assert "Not accepted by the centre" in page
    assert "Ground: (4) More than three years since the consumer knew of the harm" in page  # the timeline
    assert 'id="letters-title"' in page  # the consumer's letter is listed
    outcome = page.split('id="centre-outcome"', 1)[1].split("</dd>", 1)[0]
    assert "Not accepted" in outcome


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"message": "No"}, "ground", "This field is required"),
        ({"message": "No", "ground": "9"}, "ground", "Select a valid choice"),
        ({"ground": "2"}, "message", "This field is required"),
    ],
)
def test_a_refusal_without_a_ground_is_shown_at_its_field(people, browser_of, at_centre, data, field, words):
    before = _unchanged(at_centre)
    response = _post(browser_of(people.rita), at_centre, "refuse_case", {**data, "_confirm": True})
    assert response.status_code == 422
    form = _details(response.content.decode(), "refuse_case")
    shown = form.split(f'id="field-refuse_case-{field}"', 1)[1].split('<div class="field', 1)[0]
    assert "has-error" in form.split(f'id="field-refuse_case-{field}"', 1)[0].rsplit("<div", 1)[1]
    assert f'id="id_refuse_case-{field}_error"' in shown and words in shown
    assert _unchanged(at_centre) == before


@pytest.fixture
def mediating(people, at_centre):
    with time_machine.travel(datetime(2026, 10, 8, 10, tzinfo=SH), tick=False):
        services.perform(at_centre.pk, people.rita, "accept_case")
    return at_centre


@pytest.mark.parametrize(
    ("amount", "words"),
    [("-1", "greater than or equal to 0"), ("twelve", "Enter a number"), ("", "This field is required")],
)
def test_an_agreement_with_a_bad_amount_is_shown_at_its_field(people, browser_of, mediating, amount, words):
    before = _unchanged(mediating)
    data = {"terms": "Refund", "amount_recovered": amount, "_confirm": True}
    response = _post(browser_of(people.rita), mediating, "record_agreement", data)
    assert response.status_code == 422
    form = _details(response.content.decode(), "record_agreement")
    shown = form.split('id="field-record_agreement-amount_recovered"', 1)[1].split('<div class="field', 1)[0]
    assert 'id="id_record_agreement-amount_recovered_error"' in shown and words in shown
    assert _unchanged(mediating) == before


def test_the_officer_mediates_pauses_and_records_an_agreement(people, browser_of, mediating):
    client = browser_of(people.rita)
    page = _page(client, mediating)
    assert 'id="action-pause_for_testing"' in page and 'id="action-record_agreement"' in page
    assert "data-confirm" in _details(page, "terminate_mediation")
    assert 'name="terminate_mediation-ground"' in _details(page, "terminate_mediation")
    assert "(5) The mediation period passed without agreement" in _details(page, "terminate_mediation")
    assert _post(client, mediating, "pause_for_testing", {"message": "Lab test"}).status_code == 302
    page = _page(client, mediating)
    assert "Mediation paused for testing" in page
    assert 'id="action-resume_after_testing"' in page and 'id="action-pause_for_testing"' not in page
    assert _post(client, mediating, "resume_after_testing", {}).status_code == 302
    done = _post(client, mediating, "record_agreement", {"terms": "Refund 50", "amount_recovered": "50.00",
                                                          "_confirm": True})  # fmt: skip
    assert done.status_code == 302
    page = _page(client, mediating)
    assert page.split('id="centre-amount"', 1)[1].startswith(">¥50.00")
    assert "Money recovered: ¥50.00" in page


def test_a_decision_on_a_complaint_transferred_away_meanwhile_changes_nothing(people, browser_of, at_centre):
    district = Bureau.objects.create(name_zh="东城区局", name_en="Dongcheng", level=BureauLevel.DISTRICT)
    client = browser_of(people.rita)
    stale = Bureau.city_centre().pk  # what the officer's page showed
    assert _post(
        client, at_centre, "transfer", {"bureau": district.pk, "message": "Theirs", "case_bureau": stale}
    )
    before = _unchanged(at_centre)
    response = _post(client, at_centre, "accept_case", {"case_bureau": stale})
    assert response.status_code == 409
    assert "transferred to Dongcheng meanwhile" in response.content.decode()
    assert _unchanged(at_centre) == before


def test_a_consumer_disputing_during_mediation_is_not_offered_the_centre_again(people, browser_of, mediating):
    with time_machine.travel(datetime(2026, 10, 8, 11, tzinfo=SH), tick=False):
        services.perform(mediating.pk, people.bob, "propose_resolution", "Half", {"type": "refund"})
    page = _page(browser_of(people.alice), mediating)
    assert "dispute-ask_mediation" not in _details(page, "dispute")
