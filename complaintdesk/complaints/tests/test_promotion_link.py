"""Who may name which promotion filing by id on a complaint (`promotions.queries.linkable`), through the API:
a consumer the shop's accepted filings, the regulator's back office any filing of the shop. Every other id
is refused in the words of an unknown one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.promotions.tests.helpers import past_filing

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV_12 = datetime(2026, 11, 12, 10, tzinfo=SHANGHAI)


def _filing(people, state: str, name: str):
    starts = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    return past_filing(people.acme, people.carol, starts, starts + timedelta(days=11), name=name, state=state)


@pytest.mark.django_db
def test_a_consumer_links_an_accepted_filing_and_sees_its_name(people, api):
    accepted = _filing(people, "accepted", "Acme Double 11")
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, promotion=accepted.pk)
        )
    assert response.status_code == 201, response.content
    assert response.json()["promotion"] == "Acme Double 11"
    assert Complaint.objects.get().promotion == accepted


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "returned", "accepted"])
def test_the_regulators_back_office_links_any_filing_of_the_shop(people, api, state):
    filing = _filing(people, state, "Acme Double 11")
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.rita).post(
            "/complaints",
            complaint_payload(
                people.acme.pk, promotion=filing.pk, channel="hotline_12315", consumer_name="Li"
            ),
        )
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().promotion == filing


@pytest.mark.django_db
@pytest.mark.parametrize("promotion", [0, -1, 2**63, 10**20])
def test_an_id_no_row_can_have_is_refused_like_an_unknown_one(people, api, promotion):
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, promotion=promotion)
        )
    assert response.status_code == 422
    issue = response.json()["detail"][0]
    assert (issue["loc"][-1], issue["msg"]) == ("promotion", f"no promotion filing {promotion} of this shop")
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_filing_the_consumer_may_not_link_is_still_found_from_the_order_date(people, api):
    """The inferred link is the regulator's (the unfiled-promotion sign, the staffing check): it counts any
    filing, and the consumer's answer shows only the name they wrote."""
    submitted = _filing(people, "submitted", "Secret Sale")
    with time_machine.travel(NOV_12, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, order_date="2026-11-05")
        )
    assert response.status_code == 201, response.content
    assert response.json()["promotion"] == ""
    assert "Secret Sale" not in response.content.decode()
    assert Complaint.objects.get().promotion == submitted
