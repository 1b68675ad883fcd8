"""The filing form keeps the evidence chosen when another field is refused and never drops it silently."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints import evidence, intake
from complaintdesk.complaints.models import Complaint
from complaintdesk.web.tests.test_consumer_portal import PNG, _form

NOW = "2026-11-20 10:00 +08:00"


def _pending_ids(page) -> list[str]:
    text = page.content.decode()
    return [part.split('"', 1)[0] for part in text.split('name="pending_evidence" value="')[1:]]


def _held_files() -> list[str]:
    folder = settings.MEDIA_ROOT / "evidence" / "incoming" / "pending"
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_photo_chosen_with_a_bad_amount_is_kept_and_filed_on_the_next_try(people, browser_of):
    client = browser_of(people.alice)
    url = reverse("web:file_complaint")
    page = client.post(url, _form(people, amount="abc", evidence=[SimpleUploadedFile("photo.png", PNG)]))
    assert page.status_code == 422 and Complaint.objects.count() == 0
    block = page.content.decode().split('id="pending-evidence"', 1)[1].split("</div>", 1)[0]
    assert "Already attached" in block and "photo.png" in block
    ids = _pending_ids(page)
    assert len(ids) == 1 and len(_held_files()) == 1

    response = client.post(url, _form(people, amount="199.00", pending_evidence=ids))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert list(complaint.evidence.values_list("original_name", flat=True)) == ["photo.png"]
    assert complaint.evidence.get().file.read() == PNG
    assert _held_files() == []
    assert "pending-evidence" not in client.get(url).content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_unticked_held_file_is_removed_and_not_filed(people, browser_of):
    client = browser_of(people.alice)
    url = reverse("web:file_complaint")
    page = client.post(url, _form(people, amount="abc", evidence=[SimpleUploadedFile("photo.png", PNG)]))
    assert _pending_ids(page)
    assert client.post(url, _form(people)).status_code == 302
    assert not Complaint.objects.get().evidence.exists() and _held_files() == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_another_consumer_cannot_use_someone_elses_held_file(people, browser_of):
    alice, erin = browser_of(people.alice), browser_of(people.erin)
    url = reverse("web:file_complaint")
    ids = _pending_ids(
        alice.post(url, _form(people, amount="abc", evidence=[SimpleUploadedFile("photo.png", PNG)]))
    )
    assert "photo.png" not in erin.get(url).content.decode()
    page = erin.post(url, _form(people, pending_evidence=ids))
    assert page.status_code == 422 and Complaint.objects.count() == 0
    assert "1 file you attached earlier was not kept; choose it again." in page.content.decode()
    # Alice's file is still hers to file.
    assert alice.post(url, _form(people, pending_evidence=ids)).status_code == 302
    assert Complaint.objects.get().consumer == people.alice
    assert Complaint.objects.get().evidence.count() == 1


@pytest.mark.django_db
def test_a_held_file_older_than_a_day_is_deleted_and_the_form_says_so(people, browser_of):
    client = browser_of(people.alice)
    url = reverse("web:file_complaint")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ids = _pending_ids(
            client.post(url, _form(people, amount="abc", evidence=[SimpleUploadedFile("a.png", PNG)]))
        )
    folder = settings.MEDIA_ROOT / "evidence" / "incoming" / "pending"
    old = (start - timedelta(days=2)).timestamp()
    for name in os.listdir(folder):
        os.utime(folder / name, (old, old))
    assert evidence.discard_stale_pending() == 1 and _held_files() == []
    page = client.post(url, _form(people, pending_evidence=ids))
    assert page.status_code == 422 and Complaint.objects.count() == 0
    assert "was not kept; choose it again" in page.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_refused_file_is_not_kept_and_the_page_says_to_choose_again(people, browser_of):
    client = browser_of(people.alice)
    page = client.post(
        reverse("web:file_complaint"),
        _form(people, amount="abc", evidence=[SimpleUploadedFile("photo.png", b"MZ\x90\x00")]),
    )
    text = page.content.decode()
    assert "The files you chose were not kept: choose them again." in text
    assert "pending-evidence" not in text and _held_files() == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_held_file_goes_back_to_being_held_when_the_filing_fails_after_moving_it(people, monkeypatch):
    held = evidence.hold_pending(people.alice, [SimpleUploadedFile("photo.png", PNG)])
    new = intake.build_new_complaint(
        people.alice, merchant=people.acme.pk, category="quality", kind=None, channel="web",
        sector="online_shopping", order_number="JD-1", amount=None, order_date=None,
        wanted_outcome="refund", description="Broken.",
    )  # fmt: skip

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The event is written after the file moved to its stored name.
    monkeypatch.setattr(evidence, "record_event", fail)
    with pytest.raises(RuntimeError):
        evidence.file_with_evidence(people.alice, new, [], pending=held)
    assert evidence.still_held(held[0]) and Complaint.objects.count() == 0
    monkeypatch.undo()
    complaint = evidence.file_with_evidence(people.alice, new, [], pending=held)
    assert complaint.evidence.get().sha256 == held[0]["sha256"] and not evidence.still_held(held[0])
