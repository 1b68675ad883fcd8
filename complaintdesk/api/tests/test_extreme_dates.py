"""Dates and instants at the edges of what Python holds (SPEC §8): each answers 422 naming the field and
changes nothing, never a 404 by accident or a 500.

The limits: a query filter may be any instant UTC can hold (years 1 to 9999; an offset can carry a value
past them); a complaint's order date and receipt are from 2000 (and not in the future); a promotion's start
and end and a deadline preview's receipt lie in the years 2000–2099.
"""

from datetime import datetime

import pytest
import time_machine

from complaintdesk.alerts.models import Alert
from complaintdesk.api.tests import world
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.deadlines.models import Deadline
from complaintdesk.promotions.models import Promotion, PromotionEvent
from complaintdesk.promotions.tests.helpers import FILING_DAY, SHANGHAI
from complaintdesk.promotions.tests.helpers import payload as filing_payload

# Past the first or the last instant UTC holds once the offset is taken away.
BEFORE_YEAR_1 = "0001-01-01T00:00:00+14:00"
AFTER_YEAR_9999 = "9999-12-31T23:59:59-14:00"
# Naive: read in Asia/Shanghai, whose offset in year 1 (local mean time, +08:05) carries it into year 0.
NAIVE_BEFORE_YEAR_1 = "0001-01-01T00:00:00"
OUT_OF_UTC = "must be an instant from 0001-01-01 to 9999-12-31 in UTC"
OUT_OF_SERVICE_YEARS = "must be from 2000-01-01 to 2099-12-31 (UTC)"


def _counts():
    return tuple(
        model.objects.count()
        for model in (Complaint, ComplaintEvent, Deadline, Promotion, PromotionEvent, Alert)
    )


def _assert_refused(response, field: str, message: str):
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    assert any(i["loc"][-1] == field and message in i["msg"] for i in issues), issues


@pytest.fixture
def tenants(people):
    own, other, _ = world.build(people)
    return own, other


# Query filters --------------------------------------------------------------------------------------------

FILTERS = [
    ("/complaints", "received_from"),
    ("/complaints", "received_to"),
    ("/promotions", "starts_from"),
    ("/promotions", "starts_to"),
    ("/pledges/tags/counts", "start"),
    ("/pledges/tags/counts", "end"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "field"), FILTERS)
@pytest.mark.parametrize("value", [BEFORE_YEAR_1, AFTER_YEAR_9999, NAIVE_BEFORE_YEAR_1])
def test_a_filter_instant_that_utc_cannot_hold_is_refused_naming_it(people, api, tenants, path, field, value):
    before = _counts()
    response = api(people.rita).get(path, {field: value})
    _assert_refused(response, field, OUT_OF_UTC)
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "low", "high"),
    [("/complaints", "received_from", "received_to"), ("/promotions", "starts_from", "starts_to")],
)
def test_the_first_and_last_instants_of_utc_still_filter(people, api, tenants, path, low, high):
    client = api(people.rita)
    everything = client.get(path).json()["count"]
    bounded = client.get(path, {low: "0001-01-01T00:00:00Z", high: "9999-12-31T23:59:59Z"})
    assert bounded.status_code == 200, bounded.content
    assert bounded.json()["count"] == everything == 2


# Filing a complaint ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("order_date", ["0001-01-01", "1999-12-31"])
def test_an_order_date_before_2000_is_refused_naming_it(people, api, order_date):
    before = _counts()
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, order_date=order_date))
    _assert_refused(response, "order_date", "must be on or after 2000-01-01")
    assert _counts() == before


@pytest.mark.django_db
def test_an_order_on_1_january_2000_is_accepted(people, api):
    response = api(people.alice).post(
        "/complaints", complaint_payload(people.acme.pk, order_date="2000-01-01")
    )
    assert response.status_code == 201, response.content
    assert response.json()["order_date"] == "2000-01-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received_at", "message"),
    [
        (BEFORE_YEAR_1, "must be on or after 2000-01-01 (UTC)"),
        ("0001-01-01T00:00:00Z", "must be on or after 2000-01-01 (UTC)"),
        ("1999-12-31T23:59:59Z", "must be on or after 2000-01-01 (UTC)"),
        (AFTER_YEAR_9999, "must not be in the future"),
    ],
)
def test_a_back_office_receipt_before_2000_or_in_the_future_is_refused_naming_it(
    people, api, received_at, message
):
    before = _counts()
    response = api(people.rita).post(
        "/complaints", complaint_payload(people.acme.pk, received_at=received_at, channel="hotline_12315")
    )
    _assert_refused(response, "received_at", message)
    assert _counts() == before


@pytest.mark.django_db
def test_a_back_office_receipt_on_1_january_2000_is_accepted(people, api):
    payload = complaint_payload(
        people.acme.pk, received_at="2000-01-01T00:00:00Z", order_date="2000-01-01", channel="hotline_12315"
    )
    response = api(people.rita).post("/complaints", payload)
    assert response.status_code == 201, response.content
    assert response.json()["reference"].startswith("TS-2000-")


@pytest.mark.django_db
@pytest.mark.parametrize("merchant", [2**63, 10**23])
def test_a_shop_id_beyond_any_database_integer_is_refused_naming_it(people, api, merchant):
    before = _counts()
    response = api(people.alice).post("/complaints", complaint_payload(merchant))
    _assert_refused(response, "merchant", "less than or equal to")
    assert _counts() == before


# The deadline preview -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "received_at",
    [
        "9998-12-31T23:00:00Z",  # its deadlines would fall in 9999, past the calendar's last year
        "9999-06-01T00:00:00Z",
        BEFORE_YEAR_1,
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
def test_a_deadline_preview_outside_2000_to_2099_is_refused_naming_it(people, api, received_at):
    before = _counts()
    response = api(None).get("/calendar/deadlines", {"merchant": people.acme.pk, "received_at": received_at})
    _assert_refused(response, "received_at", OUT_OF_SERVICE_YEARS)
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("received_at", ["2000-01-01T00:00:00Z", "2099-12-31T23:59:59Z"])
def test_a_deadline_preview_at_either_end_of_the_years_is_answered(people, api, received_at):
    response = api(None).get("/calendar/deadlines", {"merchant": people.acme.pk, "received_at": received_at})
    assert response.status_code == 200, response.content
    body = response.json()
    assert datetime.fromisoformat(body["resolution_due"]) > datetime.fromisoformat(received_at)


# Promotion filings ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-06-01T00:00:00Z", "9999-06-02T00:00:00Z"),
        ("9999-12-31T22:00:00Z", AFTER_YEAR_9999),
        ("2099-12-31T00:00:00Z", "2100-01-02T00:00:00Z"),
    ],
)
def test_a_promotion_beyond_2099_is_refused_naming_the_field(people, api, starts_at, ends_at):
    before = _counts()
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(people.bob).post("/promotions", filing_payload(starts_at=starts_at, ends_at=ends_at))
    _assert_refused(response, "ends_at", OUT_OF_SERVICE_YEARS)
    assert _counts() == before


@pytest.mark.django_db
def test_an_amendment_beyond_2099_is_refused_naming_the_field(people, api):
    with time_machine.travel(FILING_DAY, tick=False):
        filed = api(people.bob).post("/promotions", filing_payload()).json()
        before = _counts()
        response = api(people.bob).patch(f"/promotions/{filed['id']}", {"starts_at": AFTER_YEAR_9999})
    _assert_refused(response, "starts_at", OUT_OF_SERVICE_YEARS)
    assert _counts() == before
    assert Promotion.objects.get().starts_at.astimezone(SHANGHAI).isoformat() == "2026-11-11T00:00:00+08:00"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["description", "order_number", "product", "consumer_name"])
def test_a_nul_character_anywhere_in_a_body_is_refused_and_nothing_is_stored(people, api, field):
    # PostgreSQL text cannot hold a NUL: without the parser's check this was a 500 there.
    payload = complaint_payload(people.acme.pk, **{field: "before\x00after"})
    before = Complaint.objects.count()
    response = api(people.rita).post("/complaints", payload)
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"
    assert Complaint.objects.count() == before
