import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from complaintdesk.complaints import evidence
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories
from complaintdesk.lib import uploads
from complaintdesk.lib.errors import FieldError

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


@pytest.mark.parametrize(
    ("sent", "extension", "shown"),
    [
        ("refund_form.pdf.cmd", ".txt", "refund_form.txt"),
        ("photo.PNG", ".png", "photo.png"),
        ("scan.jpeg", ".jpg", "scan.jpg"),
        ("receipt.pdf.exe", ".pdf", "receipt.pdf"),
        ("..\\..\\windows\\evil.bat", ".txt", "evil.txt"),
        ("../../etc/passwd", ".txt", "passwd.txt"),
        ("\u202efdp.exe", ".pdf", "fdp.pdf"),  # a right-to-left override shows "exe.pdf"
        ("refund_form\uff0epdf\uff0ecmd", ".txt", "refund_form.txt"),  # full-width dots
        ("发票 扫描件.pdf", ".pdf", "发票_扫描件.pdf"),
        (".bashrc", ".txt", "evidence.txt"),
        ("", ".png", "evidence.png"),
        ("a" * 300 + ".txt", ".txt", "a" * 100 + ".txt"),
    ],
)
def test_the_shown_name_has_one_extension_the_detected_types(sent, extension, shown):
    assert uploads.safe_name(sent, extension, fallback="evidence") == shown
    assert uploads.safe_name(shown, extension, fallback="evidence") == shown


@pytest.mark.django_db
def test_evidence_stored_before_names_were_made_safe_downloads_under_a_safe_name(people, api):
    c = factories.complaint(people.alice, people.acme)
    item = evidence.attach(c, people.alice, _named(b"hello", "note.txt"))
    Evidence.objects.filter(pk=item.pk).update(original_name="invoice.pdf.cmd")
    download = api(people.bob).get(f"/complaints/{c.pk}/evidence/{item.pk}")
    assert download["Content-Disposition"] == 'attachment; filename="invoice.txt"'


@pytest.mark.django_db
def test_a_complaint_takes_evidence_up_to_its_caps_exactly(people, settings):
    settings.EVIDENCE_MAX_FILES_PER_COMPLAINT = 3
    settings.EVIDENCE_MAX_TOTAL_BYTES = 30
    c = factories.complaint(people.alice, people.acme)
    evidence.attach_all(c, people.alice, [_named(b"1" * 10, "a.txt"), _named(b"2" * 10, "b.txt")])
    with pytest.raises(FieldError, match="the limit is 30 bytes of evidence per complaint"):
        evidence.attach(c, people.bob, _named(b"3" * 11, "c.txt"))
    evidence.attach(c, people.bob, _named(b"3" * 10, "c.txt"))  # 3 files, 30 bytes: at both caps
    with pytest.raises(FieldError, match="the limit is 3 files per complaint"):
        evidence.attach(c, people.rita, _named(b"4", "d.txt"))
    assert c.evidence.count() == 3


@pytest.mark.django_db
def test_a_batch_that_fails_half_way_leaves_no_file_and_no_row(people, settings, monkeypatch):
    c = factories.complaint(people.alice, people.acme)
    real = evidence.record_event
    calls = []

    def fails_the_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence, "record_event", fails_the_second_time)
    with pytest.raises(RuntimeError):
        evidence.attach_all(c, people.alice, [_named(b"first", "a.txt"), _named(b"second", "b.txt")])
    assert not Evidence.objects.filter(complaint=c).exists()
    root = settings.MEDIA_ROOT / "evidence"
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.django_db
def test_a_complaint_closed_meanwhile_takes_no_evidence(people):
    c = factories.complaint(people.alice, people.acme)
    Complaint.objects.filter(pk=c.pk).update(state="closed")  # another request closed it; `c` is stale
    with pytest.raises(FieldError, match="the complaint is closed"):
        evidence.attach(c, people.alice, _named(b"late", "late.txt"))
    assert not c.evidence.exists()


def _named(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "evidence"
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_filing_with_evidence_writes_its_files_before_its_transaction(people, settings, monkeypatch):
    baseline = len(connection.atomic_blocks)  # the test's own
    real, seen = evidence.default_storage.save, []

    def save(name, content, **kwargs):
        seen.append(len(connection.atomic_blocks) - baseline)
        return real(name, content, **kwargs)

    monkeypatch.setattr(evidence.default_storage, "save", save)
    files = [_named(PNG, "photo.png"), _named(PDF, "receipt.pdf")]
    c = evidence.file_with_evidence(people.alice, factories.new_complaint(people.acme), files)
    assert seen == [0, 0], "no file is written inside a transaction"
    stored = list(c.evidence.order_by("id"))
    assert [e.original_name for e in stored] == ["photo.png", "receipt.pdf"]
    assert [e.file.read() for e in stored] == [PNG, PDF]
    assert all(e.file.name.startswith(f"evidence/{c.pk}/") for e in stored)
    assert len(_stored_files(settings)) == 2, "nothing is left in the waiting place"
    assert ComplaintEvent.objects.filter(complaint=c, action="add_evidence").count() == 2


@pytest.mark.django_db
def test_a_filing_that_fails_after_its_files_were_written_leaves_no_complaint_and_no_file(
    people, settings, monkeypatch
):
    real, calls = evidence.record_event, []

    def fails_the_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence, "record_event", fails_the_second_time)
    with pytest.raises(RuntimeError):
        evidence.file_with_evidence(
            people.alice,
            factories.new_complaint(people.acme),
            [_named(b"first", "a.txt"), _named(b"second", "b.txt")],
        )
    assert not Complaint.objects.exists() and not Evidence.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_a_filing_whose_evidence_is_refused_writes_nothing(people, settings):
    settings.EVIDENCE_MAX_FILES_PER_COMPLAINT = 1
    with pytest.raises(FieldError, match="the limit is 1 files per complaint"):
        evidence.file_with_evidence(
            people.alice, factories.new_complaint(people.acme), [_named(b"1", "a.txt"), _named(b"2", "b.txt")]
        )
    assert not Complaint.objects.exists()
    assert _stored_files(settings) == []
