"""Every action through the HTTP API, for every role and state: legal ones move the complaint and log an
event; illegal ones answer 409 (or 403 for a role that may never act so) and change nothing."""

import itertools

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.test_lifecycle import ALL_STATES, LEGAL, MAY_EVER

HTTP_ROLES = {
    "consumer": "alice",
    "merchant_agent": "bob",
    "merchant_coordinator": "carol",
    "regulator": "rita",
}
BODY = {"message": "Please see the attached.", "resolution": {"type": "refund", "details": "Full refund"}}


def _snapshot(c):
    c.refresh_from_db()
    return (c.state, c.resume_state, c.resolution_type, ComplaintEvent.objects.filter(complaint=c).count())


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted({a for a, _, _ in LEGAL}))
def test_action_for_every_role_and_state(action, people, api):
    clients = {role: api(getattr(people, name)) for role, name in HTTP_ROLES.items()}
    for role, state in itertools.product(HTTP_ROLES, ALL_STATES):
        c = factories.complaint(people.alice, people.acme, state)
        before = _snapshot(c)
        response = clients[role].post(f"/complaints/{c.pk}/{action}", BODY)
        expected = LEGAL.get((action, role, state))
        context = (role, state, response.content[:200])
        if expected is not None:
            assert response.status_code == 200, context
            assert response.json()["state"] == expected, context
            event = ComplaintEvent.objects.filter(complaint=c).last()
            assert (event.action, event.from_state, event.to_state) == (action, state, expected)
            assert event.actor == getattr(people, HTTP_ROLES[role])
        else:
            assert response.status_code == (409 if (action, role) in MAY_EVER else 403), context
            assert response.json()["detail"]
            assert _snapshot(c) == before, context


@pytest.mark.django_db
def test_a_proposal_stores_the_resolution_and_the_consumer_sees_it(people, api):
    c = factories.complaint(people.alice, people.acme, "responded")
    body = {
        "message": "We refund you.",
        "resolution": {"type": "refund", "details": "99.00 back to your card"},
    }
    assert api(people.bob).post(f"/complaints/{c.pk}/propose_resolution", body).status_code == 200
    seen = api(people.alice).get(f"/complaints/{c.pk}").json()
    assert seen["state"] == "resolution_proposed"
    assert seen["resolution"] == {"type": "refund", "details": "99.00 back to your card"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resolution", "stored"),
    [("refund", ("refund", "")), ("Full refund and a voucher", ("other", "Full refund and a voucher"))],
)
def test_a_resolution_may_be_a_type_or_free_text(people, api, resolution, stored):
    c = factories.complaint(people.alice, people.acme, "responded")
    response = api(people.bob).post(
        f"/complaints/{c.pk}/propose_resolution", {"message": "m", "resolution": resolution}
    )
    assert response.status_code == 200
    c.refresh_from_db()
    assert (c.resolution_type, c.resolution_text) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("respond", {"message": "   "}, "message"),
        ("respond", {}, "message"),
        ("propose_resolution", {"message": "ok"}, "resolution"),
    ],
)
def test_an_action_without_what_it_needs_names_the_field_and_changes_nothing(
    people, api, action, body, field
):
    c = factories.complaint(people.alice, people.acme)
    before = _snapshot(c)
    response = api(people.bob).post(f"/complaints/{c.pk}/{action}", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert _snapshot(c) == before


@pytest.mark.django_db
def test_an_unknown_action_is_refused_and_names_the_actions(people, api):
    c = factories.complaint(people.alice, people.acme)
    response = api(people.bob).post(f"/complaints/{c.pk}/refund_everything", {"message": "x"})
    assert response.status_code == 409
    assert "actions are: respond, reply" in response.json()["detail"]


@pytest.mark.django_db
def test_a_request_for_information_returns_to_mediation_when_answered(people, api):
    c = factories.complaint(people.alice, people.acme, "in_mediation")
    assert (
        api(people.rita).post(f"/complaints/{c.pk}/request_info", {"message": "Receipt?"}).status_code == 200
    )
    response = api(people.alice).post(f"/complaints/{c.pk}/provide_info", {"message": "Attached."})
    assert response.json()["state"] == "in_mediation"
    assert Complaint.objects.get(pk=c.pk).resume_state == ""
