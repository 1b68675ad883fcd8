"""The outside security probe's attacks on complaints, as it made them, through the API."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.promotions.tests.helpers import past_filing

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _upload(client, complaint_id, name, content):
    file = io.BytesIO(content)
    file.name = name
    return client.client.post(
        f"/api/v1/complaints/{complaint_id}/evidence", {"file": file}, headers=client.headers
    )


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "evidence"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


# Evidence keeps executable names; no cap per complaint ----------------------------------------------------


@pytest.mark.django_db
def test_a_text_file_named_refund_form_pdf_cmd_reaches_the_shop_as_a_txt_file(people, api, settings):
    c = factories.complaint(people.alice, people.acme)
    sent = _upload(api(people.alice), c.pk, "refund_form.pdf.cmd", b"@echo off\r\ndel /q C:\\*\r\n")
    assert sent.status_code == 201, sent.content
    assert sent.json()["original_name"] == "refund_form.txt"
    assert sent.json()["content_type"] == "text/plain"

    download = api(people.bob).get(f"/complaints/{c.pk}/evidence/{sent.json()['id']}")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="refund_form.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "text/plain"
    listed = api(people.bob).get(f"/complaints/{c.pk}").json()["evidence"]
    assert [e["original_name"] for e in listed] == ["refund_form.txt"]
    assert all(name.endswith(".txt") for name in _stored_files(settings))
    event = ComplaintEvent.objects.get(complaint=c, action="add_evidence")
    assert event.data["name"] == "refund_form.txt"


@pytest.mark.django_db
def test_the_21st_evidence_file_of_a_complaint_is_refused_and_nothing_is_stored(people, api, settings):
    c = factories.complaint(people.alice, people.acme)
    alice = api(people.alice)
    for n in range(20):
        assert _upload(alice, c.pk, f"note{n}.txt", f"note {n}".encode()).status_code == 201
    files_before = _stored_files(settings)

    refused = _upload(alice, c.pk, "note20.txt", b"one too many")
    assert refused.status_code == 422
    issue = refused.json()["detail"][0]
    assert issue["loc"][-1] == "file"
    assert issue["msg"] == "the complaint has 20 evidence files already; the limit is 20 files per complaint"
    assert Evidence.objects.filter(complaint=c).count() == 20
    assert ComplaintEvent.objects.filter(complaint=c, action="add_evidence").count() == 20
    assert _stored_files(settings) == files_before


@pytest.mark.django_db
def test_evidence_past_50_mb_in_total_is_refused_and_nothing_is_stored(people, api, settings):
    settings.EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    c = factories.complaint(people.alice, people.acme)
    alice = api(people.alice)
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 - 9)
    for n in range(2):
        assert _upload(alice, c.pk, f"scan{n}.pdf", big[:-n] if n else big).status_code == 201
    files_before = _stored_files(settings)

    refused = _upload(alice, c.pk, "scan2.pdf", big)
    assert refused.status_code == 422
    issue = refused.json()["detail"][0]
    assert issue["loc"][-1] == "file"
    assert "the limit is 52428800 bytes of evidence per complaint" in issue["msg"]
    assert Evidence.objects.filter(complaint=c).count() == 2
    assert _stored_files(settings) == files_before


# A consumer learns the names of unreviewed promotion filings ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["submitted", "returned"])
def test_a_consumer_cannot_learn_the_name_of_an_unreviewed_filing(people, api, state):
    starts = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    secret = past_filing(
        people.acme, people.carol, starts, starts + timedelta(days=11), name="Secret Sale", state=state
    )
    unknown = secret.pk + 1000
    with time_machine.travel(datetime(2026, 11, 12, 10, tzinfo=SHANGHAI), tick=False):
        linked = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, promotion=secret.pk))
        missing = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, promotion=unknown))
    assert linked.status_code == missing.status_code == 422
    assert linked.json()["detail"][0]["loc"][-1] == "promotion"
    assert linked.json()["detail"][0]["msg"] == f"no promotion filing {secret.pk} of this shop"
    assert missing.json()["detail"][0]["msg"] == f"no promotion filing {unknown} of this shop"
    assert "Secret Sale" not in linked.content.decode()
    assert Complaint.objects.count() == 0
