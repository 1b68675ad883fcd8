"""The pledge: the default version, new versions published by the regulator, signatures by the designated
coordinator, and complaints tagged with the commitments they allege were broken."""

import pytest

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.notify.models import OutboxMessage
from complaintdesk.pledges import services
from complaintdesk.pledges.models import ComplaintCommitment, PledgeSignature, PledgeVersion


def _commitments(prefix="v2"):
    return [
        {"number": n, "text_en": f"{prefix} commitment {n}", "text_zh": f"{prefix} 承诺 {n}"}
        for n in range(1, 9)
    ]


def put(client, path):
    """PUT without a body (the shared test client has get/post/patch/delete)."""
    return client.client.put(f"/api/v1{path}", headers=client.headers)


def _designate(people, user=None, phone="138 0013 8000"):
    profile.designate_coordinator(people.acme.pk, people.rita, (user or people.carol).pk, phone)


@pytest.mark.django_db
def test_the_default_version_is_published_with_eight_bilingual_commitments(api):
    response = api(None).get("/pledges/current")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["is_current"]) == (1, True)
    assert [c["number"] for c in body["commitments"]] == list(range(1, 9))
    texts = {c["number"]: (c["text_en"], c["text_zh"]) for c in body["commitments"]}
    assert texts[4] == ("We do not engage in false promotion.", "不进行虚假宣传。")
    assert "12315" in texts[6][0] and "12315" in texts[6][1]
    assert "emergency plan" in texts[8][0]


@pytest.mark.django_db
def test_the_designated_coordinator_signs_who_when_which_version_from_where(people, api):
    _designate(people)
    response = api(people.carol).post(f"/pledges/{services.current_version().pk}/sign")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["merchant"], body["signed_by"], body["ip_address"]) == (
        1,
        people.acme.pk,
        "carol",
        "127.0.0.1",
    )
    signature = PledgeSignature.objects.get()
    assert signature.signed_at is not None
    again = api(people.carol).post(f"/pledges/{signature.version_id}/sign")
    assert again.status_code == 409
    assert PledgeSignature.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "carol", "dave", "alice", "rita"])
def test_only_the_designated_coordinator_may_sign(people, api, who):
    # Carol holds the coordinator role but Acme has designated nobody yet; Bob is an agent; Dave is another
    # shop's; Alice and Rita are no shop's.
    version = services.current_version()
    response = api(getattr(people, who)).post(f"/pledges/{version.pk}/sign")
    assert response.status_code == 403
    assert PledgeSignature.objects.count() == 0


@pytest.mark.django_db
def test_a_new_version_asks_every_shop_to_sign_again(people, api):
    _designate(people)
    people.carol.email = "carol@acme.test"
    people.carol.save()
    v1 = services.current_version()
    services.sign(v1.pk, people.carol, "10.0.0.1")
    regulator = api(people.rita)

    draft = regulator.post("/pledges", {"title": "Pledge 2027", "commitments": _commitments()})
    assert draft.status_code == 201, draft.content
    assert (draft.json()["number"], draft.json()["published_at"], draft.json()["is_current"]) == (
        2,
        None,
        False,
    )
    assert api(people.carol).get(f"/pledges/{draft.json()['id']}").status_code == 404  # drafts are not public
    assert api(people.carol).post(f"/pledges/{draft.json()['id']}/sign").status_code == 404

    published = regulator.post(f"/pledges/{draft.json()['id']}/publish")
    assert published.status_code == 200
    assert published.json()["is_current"] is True
    assert api(None).get("/pledges/current").json()["number"] == 2
    assert OutboxMessage.objects.filter(event="pledge_published", target="carol@acme.test").count() == 1
    assert regulator.post(f"/pledges/{draft.json()['id']}/publish").status_code == 409

    # The old signature stays; the shop is asked for the new one.
    compliance = regulator.get(f"/merchants/{people.acme.pk}/compliance").json()
    assert "pledge" in compliance["missing"]
    assert (compliance["signed_version"], compliance["current_version"]) == (1, 2)
    assert api(people.carol).post(f"/pledges/{v1.pk}/sign").status_code == 409
    assert api(people.carol).post(f"/pledges/{draft.json()['id']}/sign").status_code == 201
    assert "pledge" not in regulator.get(f"/merchants/{people.acme.pk}/compliance").json()["missing"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("commitments", "message"),
    [
        (_commitments()[:7], "at least 8 items"),
        ([{**c, "number": 1} for c in _commitments()], "numbered 1 to 8, once each"),
        ([{**c, "number": c["number"] + 1} for c in _commitments()], "numbered 1 to 8, once each"),
        ([{**c, "text_zh": ""} for c in _commitments()], "at least 1 character"),
    ],
)
def test_a_version_needs_eight_numbered_bilingual_commitments(people, api, commitments, message):
    response = api(people.rita).post("/pledges", {"title": "Bad", "commitments": commitments})
    assert response.status_code == 422
    assert any("commitments" in i["loc"] and message in i["msg"] for i in response.json()["detail"])
    assert PledgeVersion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "carol", "alice"])
def test_only_the_regulator_writes_and_publishes_versions(people, api, who):
    client = api(getattr(people, who))
    assert client.post("/pledges", {"title": "Mine", "commitments": _commitments()}).status_code == 403
    draft = services.create_version(people.rita, "Draft", _commitments())
    assert client.post(f"/pledges/{draft.pk}/publish").status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.published_at is None


@pytest.mark.django_db
def test_signatures_are_seen_by_the_regulator_and_each_shop_for_itself(people, api):
    _designate(people)
    services.sign(services.current_version().pk, people.carol, None)
    assert len(api(people.rita).get("/pledges/signatures").json()) == 1
    assert len(api(people.bob).get("/pledges/signatures").json()) == 1
    assert api(people.dave).get("/pledges/signatures").json() == []
    assert api(people.alice).get("/pledges/signatures").status_code == 403


# Tagging complaints -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_consumer_tags_the_commitments_the_shop_broke(people, api):
    complaint = factories.complaint(people.alice, people.acme)
    client = api(people.alice)
    first = put(client, f"/complaints/{complaint.pk}/commitments/4")
    assert first.status_code == 201, first.content
    assert [(t["number"], t["text_en"]) for t in first.json()] == [
        (4, "We do not engage in false promotion.")
    ]
    assert put(client, f"/complaints/{complaint.pk}/commitments/4").status_code == 200  # already: no change
    assert put(client, f"/complaints/{complaint.pk}/commitments/7").status_code == 201
    assert set(ComplaintCommitment.objects.values_list("number", flat=True)) == {4, 7}
    events = ComplaintEvent.objects.filter(complaint=complaint, action="tag_commitment")
    assert [e.data["commitment"] for e in events] == [4, 7]
    assert all(e.from_state == e.to_state == "submitted" for e in events)

    removed = client.delete(f"/complaints/{complaint.pk}/commitments/4")
    assert removed.status_code == 200
    assert [t["number"] for t in removed.json()] == [7]
    assert ComplaintEvent.objects.filter(complaint=complaint, action="untag_commitment").count() == 1
    # The shop sees what it is accused of.
    assert [
        t["number"] for t in api(people.bob).get("/pledges/tags", {"complaint": complaint.pk}).json()["items"]
    ] == [7]


@pytest.mark.django_db
def test_the_lifecycle_actions_still_answer_beside_the_tags(people, api):
    complaint = factories.complaint(people.alice, people.acme)
    put(api(people.alice), f"/complaints/{complaint.pk}/commitments/3")
    responded = api(people.bob).post(f"/complaints/{complaint.pk}/respond", {"message": "Looking into it."})
    assert responded.status_code == 200
    assert responded.json()["state"] == "responded"
    not_an_action = api(people.alice).post(f"/complaints/{complaint.pk}/commitments", {"message": "x"})
    assert not_an_action.status_code in (404, 409, 422)
    assert ComplaintCommitment.objects.count() == 1


@pytest.mark.django_db
def test_tagging_by_role_and_tenant(people, api):
    complaint = factories.complaint(people.alice, people.acme)
    before = ComplaintEvent.objects.count()
    assert put(api(people.bob), f"/complaints/{complaint.pk}/commitments/4").status_code == 403
    assert put(api(people.dave), f"/complaints/{complaint.pk}/commitments/4").status_code == 404
    assert put(api(people.erin), f"/complaints/{complaint.pk}/commitments/4").status_code == 404
    assert ComplaintCommitment.objects.count() == 0
    assert ComplaintEvent.objects.count() == before
    assert put(api(people.rita), f"/complaints/{complaint.pk}/commitments/4").status_code == 201
    # The consumer may not withdraw what the regulator alleged.
    assert api(people.alice).delete(f"/complaints/{complaint.pk}/commitments/4").status_code == 403
    assert ComplaintCommitment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0, 9, 42])
def test_a_commitment_number_outside_one_to_eight_is_refused(people, api, number):
    complaint = factories.complaint(people.alice, people.acme)
    response = put(api(people.alice), f"/complaints/{complaint.pk}/commitments/{number}")
    assert response.status_code == 422
    issue = response.json()["detail"][0]
    assert issue["loc"][-1] == "number" and "1 to 8" in issue["msg"]
    assert ComplaintCommitment.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_complaint_is_tagged_only_by_the_regulator(people, api):
    complaint = factories.complaint(people.alice, people.acme, state="closed")
    assert put(api(people.alice), f"/complaints/{complaint.pk}/commitments/2").status_code == 409
    assert put(api(people.rita), f"/complaints/{complaint.pk}/commitments/2").status_code == 201


@pytest.mark.django_db
def test_counts_per_shop_and_commitment_feed_the_statistics(people, api):
    for shop, numbers in ((people.acme, [4, 7]), (people.acme, [4]), (people.bazaar, [7])):
        complaint = factories.complaint(people.alice, shop)
        for n in numbers:
            services.tag(complaint.pk, people.rita, n)
    counts = api(people.rita).get("/pledges/tags/counts").json()
    assert [(c["merchant_name"], c["number"], c["count"]) for c in counts] == [
        ("Acme Online", 4, 2),
        ("Acme Online", 7, 1),
        ("Bazaar Mall", 7, 1),
    ]
    assert [(c["number"], c["count"]) for c in api(people.dave).get("/pledges/tags/counts").json()] == [
        (7, 1)
    ]
    assert api(people.alice).get("/pledges/tags/counts").status_code == 403


@pytest.mark.django_db
def test_the_coordinator_who_left_cannot_sign(people, api):
    _designate(people)
    _designate(people, user=people.bob, phone="138 0013 8001")
    people.carol.refresh_from_db()
    assert people.carol.role == "merchant_agent"
    version = services.current_version()
    assert api(User.objects.get(pk=people.carol.pk)).post(f"/pledges/{version.pk}/sign").status_code == 403
    assert api(people.bob).post(f"/pledges/{version.pk}/sign").status_code == 201
