from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.models import Complaint, ComplaintEvent, IdempotencyKey
from complaintdesk.complaints.tests.factories import complaint, complaint_payload
from complaintdesk.deadlines.models import Deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-09-30 17:00 in Shanghai: the SPEC §3 worked example.
SPEC_EXAMPLE = datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)


def _counts():
    return (Complaint.objects.count(), ComplaintEvent.objects.count(), Deadline.objects.count())


@pytest.mark.django_db
def test_a_consumer_files_a_complaint_and_gets_its_reference_and_deadlines(people, api):
    with time_machine.travel(SPEC_EXAMPLE, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, kind="quality_issue")
        )
    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == f"TS-2026-{body['id']:07d}"
    assert body["state"] == "submitted"
    assert datetime.fromisoformat(body["received_at"]) == SPEC_EXAMPLE
    assert datetime.fromisoformat(body["first_response_due"]) == datetime(2026, 9, 30, 19, 0, tzinfo=SHANGHAI)
    assert datetime.fromisoformat(body["reply_due"]) == datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI)
    assert datetime.fromisoformat(body["resolution_due"]) == datetime(2026, 10, 15, 18, 0, tzinfo=SHANGHAI)
    complaint = Complaint.objects.get(pk=body["id"])
    assert complaint.consumer == people.alice
    event = complaint.events.get()
    assert (event.action, event.to_state, event.actor) == ("submit", "submitted", people.alice)


@pytest.mark.django_db
def test_the_regulator_back_office_may_set_the_time_of_receipt(people, api):
    payload = complaint_payload(
        people.acme.pk, received_at="2026-10-01T10:00:00+08:00", channel="hotline_12315"
    )
    response = api(people.rita).post("/complaints", payload)
    assert response.status_code == 201
    # Received on the National Day holiday: outside working time, so 12 hours.
    assert datetime.fromisoformat(response.json()["first_response_due"]) == datetime(
        2026, 10, 1, 22, 0, tzinfo=SHANGHAI
    )


@pytest.mark.django_db
def test_merchant_staff_cannot_file_complaints(people, api):
    response = api(people.bob).post("/complaints", complaint_payload(people.acme.pk))
    assert response.status_code == 403
    assert Complaint.objects.count() == 0


BAD_INPUT = [
    ({"merchant": "acme"}, "merchant", "valid integer"),
    ({"amount": "lots"}, "amount", "valid decimal"),
    ({"amount": "-1.00"}, "amount", "greater than or equal to 0"),
    ({"order_date": "yesterday"}, "order_date", "valid date"),
    ({"order_date": "2999-01-01"}, "order_date", "must not be in the future"),
    ({"merchant": 999999}, "merchant", "unknown shop 999999"),
    ({"category": "teleportation"}, "category", "unknown category 'teleportation'; categories are: quality"),
    ({"kind": "rant"}, "kind", "complaint"),
    ({"wanted_outcome": "revenge"}, "wanted_outcome", "refund"),
    ({"description": ""}, "description", "at least 1 character"),
    ({"description": "x" * 10001}, "description", "at most 10000 characters"),
    ({"received_at": "2026-09-30T17:00:00+08:00"}, "received_at", "only the regulator's back office"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_names_the_field_and_changes_nothing(people, api, change, field, message):
    before = _counts()
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, **change))
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    assert any(issue["loc"][-1] == field and message in issue["msg"] for issue in issues), issues
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["merchant", "category", "wanted_outcome", "description"])
def test_missing_required_fields_are_named(people, api, missing):
    payload = complaint_payload(people.acme.pk)
    del payload[missing]
    response = api(people.alice).post("/complaints", payload)
    assert response.status_code == 422
    assert [i["loc"][-1] for i in response.json()["detail"]] == [missing]
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_clear_4xx(people, api):
    client = api(people.alice)
    response = client.client.post(
        "/api/v1/complaints", data="{not json", content_type="application/json", headers=client.headers
    )
    assert 400 <= response.status_code < 500
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_the_regulator_cannot_backdate_into_the_future(people, api):
    response = api(people.rita).post(
        "/complaints", complaint_payload(people.acme.pk, received_at="2999-01-01T00:00:00Z")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "must not be in the future"
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_an_inactive_shop_is_unknown(people, api):
    people.bazaar.is_active = False
    people.bazaar.save()
    response = api(people.alice).post("/complaints", complaint_payload(people.bazaar.pk))
    assert response.status_code == 422
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_the_same_idempotency_key_and_body_returns_the_same_complaint(people, api):
    client = api(people.alice)
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/complaints", complaint_payload(people.acme.pk), headers=headers)
    again = client.post("/complaints", complaint_payload(people.acme.pk), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_the_same_idempotency_key_with_another_body_is_a_conflict(people, api):
    client = api(people.alice)
    headers = {"Idempotency-Key": "k-1"}
    client.post("/complaints", complaint_payload(people.acme.pk), headers=headers)
    before = _counts()
    response = client.post("/complaints", complaint_payload(people.acme.pk, amount="1.00"), headers=headers)
    assert response.status_code == 409
    assert "different request body" in response.json()["detail"]
    assert _counts() == before


@pytest.mark.django_db
def test_idempotency_keys_belong_to_their_user(people, api):
    headers = {"Idempotency-Key": "shared"}
    a = api(people.alice).post("/complaints", complaint_payload(people.acme.pk), headers=headers)
    e = api(people.erin).post("/complaints", complaint_payload(people.acme.pk), headers=headers)
    assert a.status_code == e.status_code == 201
    assert a.json()["id"] != e.json()["id"]
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
def test_list_filters_and_pagination(people, api):
    for _ in range(3):
        complaint(people.alice, people.acme)
    complaint(people.alice, people.bazaar, "responded", category="quality")
    client = api(people.rita)
    everything = client.get("/complaints").json()
    assert everything["count"] == 4
    assert client.get("/complaints", {"merchant": people.bazaar.pk}).json()["count"] == 1
    assert client.get("/complaints", {"state": "responded"}).json()["count"] == 1
    assert client.get("/complaints", {"category": "quality"}).json()["count"] == 1
    assert client.get("/complaints", {"received_from": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert client.get("/complaints", {"overdue": "true"}).json()["count"] == 0
    assert client.get("/complaints", {"overdue": "false"}).json()["count"] == 4
    page = client.get("/complaints", {"page": 2, "page_size": 3}).json()
    assert page["count"] == 4 and len(page["items"]) == 1


@pytest.mark.django_db
def test_overdue_lists_complaints_past_a_deadline(people, api):
    with time_machine.travel(SPEC_EXAMPLE, tick=False):
        late = complaint(people.alice, people.acme)
    with time_machine.travel(datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI), tick=False):
        complaint(people.alice, people.acme)
        overdue = api(people.rita).get("/complaints", {"overdue": "true"}).json()
    assert [c["id"] for c in overdue["items"]] == [late.pk]


@pytest.mark.django_db
def test_detail_shows_events_and_deadlines_with_time_left(people, api):
    with time_machine.travel(SPEC_EXAMPLE, tick=False):
        created = api(people.alice).post("/complaints", complaint_payload(people.acme.pk)).json()
    with time_machine.travel(datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI), tick=False):
        detail = api(people.bob).get(f"/complaints/{created['id']}").json()
    first = next(d for d in detail["deadlines"] if d["phase"] == "first_response")
    assert first["seconds_left"] == 3600
    assert first["rule"] == "Received in working time: first response within 2 hours"
    assert [e["action"] for e in detail["events"]] == ["submit"]
