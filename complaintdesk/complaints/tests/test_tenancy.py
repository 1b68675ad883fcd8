"""No cross-tenant read or write through any endpoint: another tenant's object answers 404, and lists,
counts and messages never show it (SPEC §1, §8)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.api import presenters
from complaintdesk.complaints import evidence
from complaintdesk.complaints.lifecycle import ACTIONS
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _endpoints(complaint_id: int, evidence_id: int):
    yield "get", f"/complaints/{complaint_id}", None
    yield "get", f"/complaints/{complaint_id}/evidence/{evidence_id}", None
    for action in ACTIONS:
        yield "post", f"/complaints/{complaint_id}/{action}", {"message": "x", "resolution": "refund"}


@pytest.fixture
def foreign(people):
    """A complaint of Erin against Bazaar, with evidence: none of Alice's, Bob's or Carol's business."""
    complaint = factories.complaint(people.erin, people.bazaar, "resolution_proposed")

    item = evidence.attach(complaint, people.erin, SimpleUploadedFile("photo.png", PNG))
    return complaint, item


def _state(complaint):
    complaint.refresh_from_db()
    return (
        complaint.state,
        ComplaintEvent.objects.filter(complaint=complaint).count(),
        Evidence.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_another_tenants_complaint_is_not_found_on_every_endpoint(people, api, foreign, who):
    complaint, item = foreign
    client = api(getattr(people, who))
    before = _state(complaint)
    for method, path, body in _endpoints(complaint.pk, item.pk):
        response = getattr(client, method)(path, body)
        assert response.status_code == 404, (who, method, path, response.content[:200])
        assert response.json() == {"detail": "not found"}
    upload = client.client.post(
        f"/api/v1/complaints/{complaint.pk}/evidence",
        {"file": __import__("io").BytesIO(PNG)},
        headers=client.headers,
    )
    assert upload.status_code == 404
    assert _state(complaint) == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_lists_and_counts_hold_only_your_own(people, api, foreign, who):
    own = factories.complaint(people.alice, people.acme)
    listed = api(getattr(people, who)).get("/complaints").json()
    assert listed["count"] == 1
    assert [c["id"] for c in listed["items"]] == [own.pk]
    filtered = api(getattr(people, who)).get("/complaints", {"merchant": people.bazaar.pk}).json()
    assert filtered["count"] == 0


@pytest.mark.django_db
def test_dave_sees_bazaar_complaints_and_the_regulator_sees_all(people, api, foreign):
    factories.complaint(people.alice, people.acme)
    assert api(people.dave).get("/complaints").json()["count"] == 1
    assert api(people.rita).get("/complaints").json()["count"] == Complaint.objects.count() == 2
    assert api(people.rita).get(f"/complaints/{foreign[0].pk}").status_code == 200


@pytest.mark.django_db
def test_a_merchant_sees_only_its_own_shop(people, api):
    client = api(people.bob)
    assert [m["id"] for m in client.get("/merchants").json()["items"]] == [people.acme.pk]
    assert client.get(f"/merchants/{people.bazaar.pk}").status_code == 404
    assert client.get(f"/merchants/{people.acme.pk}").status_code == 200


@pytest.mark.django_db
def test_without_a_token_nothing_but_public_endpoints_answer(people, api, foreign):
    anonymous = api(None)
    assert anonymous.get("/complaints").status_code == 401
    assert anonymous.get(f"/complaints/{foreign[0].pk}").status_code == 401
    assert anonymous.post("/complaints", factories.complaint_payload(people.acme.pk)).status_code == 401
    assert anonymous.get("/merchants/directory").status_code == 200


@pytest.mark.django_db
def test_a_revoked_token_no_longer_works(people, api):
    client = api(people.alice)
    assert client.get("/complaints").status_code == 200
    assert client.delete("/auth/token").status_code == 204
    assert client.get("/complaints").status_code == 401


@pytest.mark.django_db
def test_a_revoked_token_on_a_write_is_unauthenticated_not_a_csrf_failure(people, api):
    client = api(people.alice)
    client.delete("/auth/token")
    response = client.post("/complaints", factories.complaint_payload(people.acme.pk))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_page_of_the_list_presents_only_its_own_rows(people, api, monkeypatch):
    for _ in range(30):
        factories.complaint(people.alice, people.acme)
    presented = []
    real = presenters.complaint
    monkeypatch.setattr(
        presenters, "complaint", lambda c, *a, **kw: presented.append(c.pk) or real(c, *a, **kw)
    )
    page = api(people.rita).get("/complaints", {"page": 3, "page_size": 10}).json()
    assert page["count"] == 30 and len(page["items"]) == 10
    assert sorted(presented) == sorted(item["id"] for item in page["items"])
