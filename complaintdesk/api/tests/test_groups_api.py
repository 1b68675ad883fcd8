"""/api/v1/groups (SPEC §7, §11): the public page (anyone; no personal data), joining with one's own order,
opening, listing, the shop's one answer, the centre's statement and closing; the complaint's `group` and the
shop's scorecard. Every bad input is a clear 4xx naming the field or the conflict, and changes nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.alerts.models import AlertKind
from complaintdesk.complaints import groups
from complaintdesk.complaints.models import Complaint, ComplaintEvent, ComplaintGroup, GroupPost
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 13, 10, 0, tzinfo=SH)  # a Tuesday morning
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(people):
    """Alice's and Erin's complaints about Acme's kettle (with names and phones to hide); Frank joins later."""
    for user, phone in ((people.alice, "13911112222"), (people.erin, "13933334444")):
        user.first_name, user.last_name, user.phone = user.username.title(), "Wang", phone
        user.save()
    people.frank = User.objects.create(
        username="frank", first_name="Frank", role=Role.CONSUMER, phone="13955556666"
    )
    people.first = factories.complaint(people.alice, people.acme, order_number="AC-1001", product="Kettle K1")
    people.second = factories.complaint(people.erin, people.acme, order_number="AC-1002", product="Kettle K1")
    return people


def open_group(desk) -> ComplaintGroup:
    return groups.open_group(
        desk.rita,
        product="Kettle K1",
        problem="Stops heating after a week.",
        complaints=[desk.first.pk, desk.second.pk],
    )


def snapshot() -> tuple:
    return (
        sorted(ComplaintGroup.objects.values_list("pk", "state")),
        GroupPost.objects.count(),
        sorted(Complaint.objects.values_list("pk", "group_id", "state")),
        ComplaintEvent.objects.count(),
    )


def fields_refused(answer) -> list[str]:
    assert answer.status_code == 422, answer.content
    return [issue["loc"][-1] for issue in answer.json()["detail"]]


JOIN = {"order_number": "AC-2001", "amount": "199.00", "order_date": "2026-10-01", "wanted_outcome": "refund"}


# ------------------------------------------------------------------------------------------- public page


def test_anyone_reads_the_public_page_without_personal_data(api, desk):
    group = open_group(desk)
    groups.join(group, desk.frank, order_number="AC-2001")
    groups.answer(group, desk.bob, message="A new kettle for everyone.", resolution_type="replacement")
    groups.post_statement(group, desk.rita, message="The centre follows this group.")

    answer = api(None).get(f"/groups/{group.pk}")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["shop"] == {"id": desk.acme.pk, "name": "Acme Online"}
    assert (body["product"], body["problem"], body["state"]) == ("Kettle K1", group.problem, "open")
    assert (body["members"], body["answered"], body["accepted"]) == (3, 3, 0)
    assert [(p["side"], p["message"]) for p in body["timeline"]] == [
        ("shop", "A new kettle for everyone."),
        ("centre", "The centre follows this group."),
    ]
    assert body["link"].endswith(f"/groups/{group.pk}/")
    text = answer.content.decode()
    members = Complaint.objects.filter(group=group).select_related("consumer")
    for member in members:
        user = member.consumer
        for secret in (user.username, user.first_name, user.phone, member.order_number, member.reference):
            assert secret and secret not in text, secret
    for staff in (desk.bob, desk.rita):
        assert f'"{staff.username}"' not in text
    assert "complaints" not in body and "bureau" not in body


def test_an_unknown_group_is_not_found(api, desk):
    answer = api(None).get("/groups/987654")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "not found"}


# ---------------------------------------------------------------------------------------------- joining


def test_a_consumer_joins_and_gets_the_complaint_as_a_filing_does(api, desk):
    group = open_group(desk)

    answer = api(desk.frank).post(f"/groups/{group.pk}/join", JOIN)

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["group"], body["merchant"], body["state"]) == (group.pk, desk.acme.pk, "submitted")
    assert (body["order_number"], body["amount"], body["product"]) == ("AC-2001", "199.00", "Kettle K1")
    assert body["description"] == group.problem and body["wanted_outcome"] == "refund"
    assert body["reference"] and body["first_response_due"] and body["warnings"] == []
    mine = api(desk.frank).get(f"/complaints/{body['id']}").json()
    assert mine["group"] == group.pk
    assert [e["action"] for e in mine["events"]] == ["submit", "join_group"]
    listed = api(desk.frank).get("/groups").json()
    assert [(g["id"], g["complaints"]) for g in listed["items"]] == [(group.pk, [body["id"]])]


def test_a_complaint_not_in_a_group_says_null(api, desk):
    assert api(desk.alice).get(f"/complaints/{desk.first.pk}").json()["group"] is None


def test_joining_a_closed_group_is_a_conflict(api, desk):
    group = open_group(desk)
    groups.close(group, desk.rita)
    before = snapshot()
    answer = api(desk.frank).post(f"/groups/{group.pk}/join", JOIN)
    assert answer.status_code == 409 and "closed" in answer.json()["detail"]
    assert snapshot() == before


def test_joining_twice_is_a_conflict(api, desk):
    group = open_group(desk)
    assert api(desk.frank).post(f"/groups/{group.pk}/join", JOIN).status_code == 201
    before = snapshot()
    again = api(desk.frank).post(f"/groups/{group.pk}/join", {**JOIN, "order_number": "AC-2002"})
    assert again.status_code == 409 and "member" in again.json()["detail"]
    assert snapshot() == before


def test_joining_with_an_order_number_already_in_the_group_names_the_field(api, desk):
    group = open_group(desk)
    before = snapshot()
    answer = api(desk.frank).post(f"/groups/{group.pk}/join", {**JOIN, "order_number": "AC-1001"})
    assert fields_refused(answer) == ["order_number"]
    assert "alice" not in answer.content.decode().lower()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [({"order_number": " "}, "order_number"), ({"order_number": None}, "order_number"),
     ({"amount": "-1"}, "amount"), ({"order_date": "2099-01-01"}, "order_date"),
     ({"wanted_outcome": "nothing"}, "wanted_outcome")],
)  # fmt: skip
def test_a_bad_join_names_its_field(api, desk, change, field):
    group = open_group(desk)
    body = {k: v for k, v in {**JOIN, **change}.items() if v is not None}
    before = snapshot()
    assert fields_refused(api(desk.frank).post(f"/groups/{group.pk}/join", body)) == [field]
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("rita", 403), (None, 401)])
def test_only_a_signed_in_consumer_joins(api, desk, who, status):
    group = open_group(desk)
    before = snapshot()
    user = getattr(desk, who) if who else None
    assert api(user).post(f"/groups/{group.pk}/join", JOIN).status_code == status
    assert api(user).post("/groups/987654/join", JOIN).status_code == status  # whatever the id
    assert snapshot() == before


def test_joining_an_unknown_group_is_not_found(api, desk):
    answer = api(desk.frank).post("/groups/987654/join", JOIN)
    assert answer.status_code == 404 and answer.json() == {"detail": "not found"}
    assert not Complaint.objects.filter(consumer=desk.frank).exists()


# ---------------------------------------------------------------------------------------------- opening


def test_an_officer_opens_a_group_of_picked_complaints(api, desk):
    answer = api(desk.rita).post(
        "/groups",
        {"product": "Kettle K1", "problem": "Stops heating.", "complaints": [desk.first.pk, desk.second.pk]},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["shop"]["id"], body["members"], body["state"]) == (desk.acme.pk, 2, "open")
    assert body["complaints"] == sorted([desk.first.pk, desk.second.pk])
    assert body["alert"] is None and body["bureau"]


def test_an_officer_opens_a_group_from_a_mass_incident_alert(api, desk):
    alert, _ = alerts.raise_alert(
        AlertKind.MASS_INCIDENT, desk.acme, "product:k1", "Mass incident at Acme",
        complaints=[desk.first.pk, desk.second.pk],
    )  # fmt: skip
    answer = api(desk.rita).post("/groups", {"product": "Kettle K1", "problem": "Stops.", "alert": alert.pk})
    assert answer.status_code == 201, answer.content
    assert (answer.json()["alert"], answer.json()["members"]) == (alert.pk, 2)


def test_a_group_across_two_shops_names_the_complaints(api, desk):
    other = factories.complaint(desk.erin, desk.bazaar, order_number="BZ-1")
    before = snapshot()
    answer = api(desk.rita).post(
        "/groups", {"product": "Kettle", "problem": "Broken.", "complaints": [desk.first.pk, other.pk]}
    )
    assert fields_refused(answer) == ["complaints"]
    assert "2 shops" in answer.json()["detail"][0]["msg"]
    assert snapshot() == before


@pytest.mark.parametrize("missing", ["product", "problem"])
def test_a_group_without_product_or_problem_names_it(api, desk, missing):
    body = {"product": "Kettle", "problem": "Broken.", "complaints": [desk.first.pk]}
    before = snapshot()
    assert fields_refused(api(desk.rita).post("/groups", {**body, missing: "  "})) == [missing]
    del body[missing]
    assert fields_refused(api(desk.rita).post("/groups", body)) == [missing]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_only_officers_open_groups(api, desk, who):
    before = snapshot()
    answer = api(getattr(desk, who)).post(
        "/groups", {"product": "Kettle", "problem": "Broken.", "complaints": [desk.first.pk]}
    )
    assert answer.status_code == 403
    assert snapshot() == before


def test_an_unknown_complaint_or_alert_is_not_found(api, desk):
    before = snapshot()
    for body in ({"complaints": [desk.first.pk, 987654]}, {"alert": 987654}):
        answer = api(desk.rita).post("/groups", {"product": "Kettle", "problem": "Broken.", **body})
        assert answer.status_code == 404, answer.content
    assert snapshot() == before


# ------------------------------------------------------------------------------- lists, answer, centre


def test_each_role_lists_the_groups_it_works_with(api, desk):
    group = open_group(desk)
    assert [g["id"] for g in api(desk.rita).get("/groups").json()["items"]] == [group.pk]
    shop = api(desk.bob).get("/groups").json()["items"]
    assert [(g["id"], g["complaints"]) for g in shop] == [(group.pk, sorted([desk.first.pk, desk.second.pk]))]
    assert api(desk.dave).get("/groups").json() == {"items": [], "count": 0, "next": None}
    # A member sees their own complaint among the members, never another's.
    assert [g["complaints"] for g in api(desk.alice).get("/groups").json()["items"]] == [[desk.first.pk]]
    assert api(desk.rita).get("/groups", {"state": "closed"}).json()["count"] == 0
    assert api(desk.rita).get("/groups", {"merchant": desk.bazaar.pk}).json()["count"] == 0


def test_the_shop_answers_the_group_once_for_every_member(api, desk):
    group = open_group(desk)
    factories_state = Complaint.objects.filter(pk=desk.second.pk)
    factories_state.update(state="withdrawn")

    answer = api(desk.bob).post(
        f"/groups/{group.pk}/answer",
        {"message": "Refund for all.", "resolution_type": "refund", "resolution_text": "Full price."},
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["answered_complaints"], body["skipped_complaints"]) == ([desk.first.pk], [desk.second.pk])
    assert body["timeline"][0]["resolution_type"] == "refund" and body["answered"] == 1
    complaint = api(desk.alice).get(f"/complaints/{desk.first.pk}").json()
    assert complaint["state"] == "resolution_proposed"
    assert complaint["resolution"] == {"type": "refund", "details": "Full price."}
    # The member accepts alone, with the existing action; the page counts it.
    assert api(desk.alice).post(f"/complaints/{desk.first.pk}/accept", {}).status_code == 200
    assert api(None).get(f"/groups/{group.pk}").json()["accepted"] == 1


def test_another_shop_answering_is_not_found(api, desk):
    group = open_group(desk)
    before = snapshot()
    theirs = api(desk.dave).post(f"/groups/{group.pk}/answer", {"message": "Hi"})
    missing = api(desk.dave).post("/groups/987654/answer", {"message": "Hi"})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"message": ""}, "message"), ({"message": "Hi", "resolution_type": "gift"}, "resolution_type"),
     ({"message": "Hi", "resolution_text": "A gift"}, "resolution_type")],
)  # fmt: skip
def test_a_bad_answer_names_its_field(api, desk, body, field):
    group = open_group(desk)
    before = snapshot()
    assert fields_refused(api(desk.bob).post(f"/groups/{group.pk}/answer", body)) == [field]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_only_shop_staff_answer(api, desk, who):
    group = open_group(desk)
    before = snapshot()
    assert api(getattr(desk, who)).post(f"/groups/{group.pk}/answer", {"message": "Hi"}).status_code == 403
    assert snapshot() == before


def test_officers_post_statements_and_close(api, desk):
    group = open_group(desk)
    said = api(desk.rita).post(f"/groups/{group.pk}/statement", {"message": "We are testing the kettles."})
    assert said.status_code == 200 and said.json()["timeline"][0]["side"] == "centre"
    closed = api(desk.rita).post(f"/groups/{group.pk}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    before = snapshot()
    again = api(desk.rita).post(f"/groups/{group.pk}/close")
    assert again.status_code == 409
    assert fields_refused(api(desk.rita).post(f"/groups/{group.pk}/statement", {"message": " "})) == [
        "message"
    ]
    assert api(desk.rita).post("/groups/987654/close").status_code == 404
    for who in ("bob", "alice"):
        user = getattr(desk, who)
        assert api(user).post(f"/groups/{group.pk}/statement", {"message": "Hi"}).status_code == 403
        assert api(user).post(f"/groups/{group.pk}/close").status_code == 403
    assert snapshot() == before


def test_the_scorecard_lists_the_shops_group_pages(api, desk):
    group = open_group(desk)
    card = api(None).get(f"/merchants/{desk.acme.pk}/scorecard").json()
    assert card["groups"] == [
        {
            "id": group.pk,
            "product": "Kettle K1",
            "members": 2,
            "state": "open",
            "link": card["groups"][0]["link"],
        }
    ]
    assert card["groups"][0]["link"].endswith(f"/groups/{group.pk}/")
    assert api(None).get(f"/merchants/{desk.bazaar.pk}/scorecard").json()["groups"] == []
