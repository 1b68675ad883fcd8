import io

import pytest

from complaintdesk.complaints.models import ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100


def _upload(client, complaint_id, name, content):
    file = io.BytesIO(content)
    file.name = name
    return client.client.post(
        f"/api/v1/complaints/{complaint_id}/evidence", {"file": file}, headers=client.headers
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "kind"), [("photo.png", PNG, "image/png"), ("receipt.pdf", PDF, "application/pdf")]
)
def test_a_consumer_attaches_evidence_and_the_shop_can_download_it(people, api, name, content, kind):
    c = factories.complaint(people.alice, people.acme)
    response = _upload(api(people.alice), c.pk, name, content)
    assert response.status_code == 201
    assert response.json()["content_type"] == kind
    download = api(people.bob).get(f"/complaints/{c.pk}/evidence/{response.json()['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert ComplaintEvent.objects.filter(complaint=c, action="add_evidence").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "invoice.pdf",
            b"MZ\x90\x00\x03" + b"\x00\xff" * 50,
            "type not allowed",
        ),  # an executable renamed .pdf
        ("empty.png", b"", "is empty"),
    ],
)
def test_disallowed_evidence_is_refused_and_nothing_is_stored(people, api, name, content, message):
    c = factories.complaint(people.alice, people.acme)
    response = _upload(api(people.alice), c.pk, name, content)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "file"
    assert message in response.json()["detail"][0]["msg"]
    assert Evidence.objects.count() == 0
    assert not ComplaintEvent.objects.filter(action="add_evidence").exists()


@pytest.mark.django_db
def test_oversize_evidence_is_refused(people, api, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    c = factories.complaint(people.alice, people.acme)
    response = _upload(api(people.alice), c.pk, "big.png", PNG + b"\x00" * 1000)
    assert response.status_code == 422
    assert "limit is 1000 bytes" in response.json()["detail"][0]["msg"]
    assert Evidence.objects.count() == 0
