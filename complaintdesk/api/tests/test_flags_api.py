"""Flags for review in the API (SPEC §11): in a complaint's JSON for officers only (a consumer and a shop's
staff get an empty list and no trace in the log), cleared with a note by
`POST /complaints/{id}/flags/{flag_id}/clear`, every bad request a clear 4xx that changes nothing, and a
district officer limited to its bureau's complaints and evidence."""

from datetime import datetime, timedelta

import pytest

from complaintdesk.accounts.models import Role, User
from complaintdesk.centre.models import Bureau, BureauLevel, Flag
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(people):
    """Alice's second complaint about order X-1 at Acme repeats her first."""
    people.first = factories.complaint(
        people.alice, people.acme, order_number="x-1", description="First one."
    )
    people.flagged = factories.complaint(people.alice, people.acme, order_number="X-1", description="Again.")
    people.flag = people.flagged.flags.get()
    return people


def clear_url(complaint_id, flag_id) -> str:
    return f"/complaints/{complaint_id}/flags/{flag_id}/clear"


def snapshot():
    return (
        sorted(Flag.objects.values_list("pk", "cleared_at", "cleared_by", "note")),
        ComplaintEvent.objects.count(),
    )


def test_an_officer_reads_the_flags_with_their_evidence(api, flagged):
    body = api(flagged.rita).get(f"/complaints/{flagged.flagged.pk}").json()

    raised_at = datetime.fromisoformat(body["flags"][0].pop("raised_at"))
    assert abs(raised_at - flagged.flag.raised_at) < timedelta(milliseconds=1)
    assert body["flags"] == [
        {
            "id": flagged.flag.pk,
            "reason": "repeat",
            "reason_label": "Repeats a complaint already filed",
            "evidence": [{"id": flagged.first.pk, "reference": flagged.first.reference}],
            "evidence_elsewhere": 0,
            "details": {"same_order": flagged.first.pk, "order_number": "X-1", "same_text": []},
            "cleared_at": None,
            "cleared_by": None,
            "note": "",
        }
    ]
    assert api(flagged.rita).get(f"/complaints/{flagged.first.pk}").json()["flags"] == []


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_a_consumer_and_a_shops_staff_never_see_a_flag_or_its_clearing(api, flagged, who):
    api(flagged.rita).post(clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": "Reviewed: two parcels."})

    answer = api(getattr(flagged, who)).get(f"/complaints/{flagged.flagged.pk}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["flags"] == []
    assert "clear_flag" not in [e["action"] for e in body["events"]]
    assert "Reviewed" not in answer.content.decode() and "repeat" not in answer.content.decode()
    listed = api(getattr(flagged, who)).get("/complaints").content.decode()
    assert "Reviewed" not in listed and "flags" not in listed


def test_an_officer_clears_a_flag_with_a_note(api, flagged):
    answer = api(flagged.rita).post(
        clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": " Two parcels. "}
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["id"], body["cleared_by"], body["note"]) == (flagged.flag.pk, "rita", "Two parcels.")
    assert body["cleared_at"] is not None
    detail = api(flagged.rita).get(f"/complaints/{flagged.flagged.pk}").json()
    assert detail["flags"][0]["note"] == "Two parcels."  # stays, cleared, with its note
    assert detail["state"] == "submitted"
    event = detail["events"][-1]
    assert (event["action"], event["actor"], event["message"]) == ("clear_flag", "rita", "")
    assert event["data"] == {"flag": flagged.flag.pk, "reason": "repeat", "note": "Two parcels."}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "say what the review found: a flag is cleared with a note"),
        ({"note": "   "}, "say what the review found: a flag is cleared with a note"),
        ({"note": "x" * 2001}, "String should have at most 2000 characters"),
    ],
)
def test_clearing_without_a_note_is_refused_naming_the_note(api, flagged, body, reason):
    before = snapshot()
    answer = api(flagged.rita).post(clear_url(flagged.flagged.pk, flagged.flag.pk), body)

    assert answer.status_code == 422
    assert [(d["loc"][-1], d["msg"]) for d in answer.json()["detail"]] == [("note", reason)]
    assert snapshot() == before


def test_clearing_twice_is_a_conflict(api, flagged):
    officer = api(flagged.rita)
    assert officer.post(clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": "Done."}).status_code == 200
    before = snapshot()

    again = officer.post(clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": "Done again."})

    assert again.status_code == 409
    assert again.json() == {"detail": "this flag was already cleared; nothing was changed"}
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_a_consumer_or_a_shop_may_not_clear_and_learns_nothing_of_flag_ids(api, flagged, who):
    before = snapshot()
    caller = api(getattr(flagged, who))

    real = caller.post(clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": "Mine."})
    made_up = caller.post(clear_url(flagged.flagged.pk, 987654), {"note": "Mine."})

    assert real.status_code == made_up.status_code == 403
    assert real.json() == made_up.json() == {"detail": "only regulator officers clear flags"}
    assert snapshot() == before


def test_a_flag_of_another_complaint_is_not_found(api, flagged):
    before = snapshot()
    officer = api(flagged.rita)

    other = officer.post(clear_url(flagged.first.pk, flagged.flag.pk), {"note": "Wrong complaint."})
    missing = officer.post(clear_url(flagged.flagged.pk, 987654), {"note": "No such flag."})

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert snapshot() == before


def test_a_district_officer_clears_its_bureaus_flags_only_and_sees_its_bureaus_evidence(api, people):
    mine = Bureau.objects.create(
        name_zh="徐汇", name_en="Xuhui", level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )
    people.acme.registered_address, people.acme.registered_district = "1 Road", mine
    people.acme.save()
    insider = User.objects.create(username="officer-x", role=Role.REGULATOR, bureau=mine)
    other = Bureau.objects.create(name_zh="静安", name_en="Jing'an", level=BureauLevel.DISTRICT)
    outsider = User.objects.create(username="officer-y", role=Role.REGULATOR, bureau=other)
    text = "The kettle leaks from the bottom after a week."
    at_bazaar = factories.complaint(people.alice, people.bazaar, order_number="B-1", description=text)
    flagged = factories.complaint(people.alice, people.acme, order_number="A-1", description=text)
    flag = flagged.flags.get()

    seen = api(insider).get(f"/complaints/{flagged.pk}").json()["flags"][0]
    assert (seen["evidence"], seen["evidence_elsewhere"]) == ([], 1)  # Bazaar is the city centre's
    assert api(people.rita).get(f"/complaints/{flagged.pk}").json()["flags"][0]["evidence"] == [
        {"id": at_bazaar.pk, "reference": at_bazaar.reference}
    ]

    before = snapshot()
    refused = api(outsider).post(clear_url(flagged.pk, flag.pk), {"note": "Not ours."})
    missing = api(outsider).post(clear_url(987654, flag.pk), {"note": "Not ours."})
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert snapshot() == before
    assert api(insider).post(clear_url(flagged.pk, flag.pk), {"note": "Ours, reviewed."}).status_code == 200


def test_the_centres_figures_count_the_flags_raised_and_cleared(api, flagged):
    api(flagged.rita).post(clear_url(flagged.flagged.pk, flagged.flag.pk), {"note": "Done."})
    today = flagged.flag.raised_at.astimezone(periods.zone()).date().isoformat()

    body = api(flagged.rita).get("/stats/centre", {"start": today, "end": today}).json()

    assert body["flags"] == {"raised": 1, "raised_by_reason": {"many_shops": 0, "repeat": 1}, "cleared": 1}
