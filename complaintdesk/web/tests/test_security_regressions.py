"""The outside security probe's attacks on the web pages, as it made them: evidence with executable names
and no cap, 500s on odd query parameters, and a consumer learning the names of unreviewed filings."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints import evidence
from complaintdesk.complaints.models import Complaint, ComplaintEvent, Evidence
from complaintdesk.complaints.tests import factories
from complaintdesk.promotions.tests.helpers import past_filing
from complaintdesk.web.tests.test_consumer_portal import _form


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "evidence"
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


# Evidence keeps executable names; no cap per complaint -----------------------------------------------------


@pytest.mark.django_db
def test_a_text_file_named_refund_form_pdf_cmd_reaches_the_shop_as_a_txt_file(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    sent = browser_of(people.alice).post(
        reverse("web:add_evidence", args=[c.pk]),
        {"files": [SimpleUploadedFile("refund_form.pdf.cmd", b"@echo off\r\ndel /q C:\\*\r\n")]},
    )
    assert sent.status_code == 302
    shop = browser_of(people.bob)
    page = shop.get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert "refund_form.txt" in page and ".cmd" not in page
    item = Evidence.objects.get(complaint=c)
    download = shop.get(reverse("web:evidence", args=[c.pk, item.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="refund_form.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert item.file.name.endswith(".txt")


@pytest.mark.django_db
def test_the_21st_file_on_the_complaint_page_is_refused_at_its_field_and_nothing_is_stored(
    people, browser_of, settings
):
    c = factories.complaint(people.alice, people.acme)
    for n in range(19):
        evidence.attach(c, people.alice, SimpleUploadedFile(f"n{n}.txt", f"note {n}".encode()))
    files_before = _stored_files(settings)

    two = [SimpleUploadedFile("a.txt", b"twentieth"), SimpleUploadedFile("b.txt", b"twenty-first")]
    page = browser_of(people.alice).post(reverse("web:add_evidence", args=[c.pk]), {"files": two})
    assert page.status_code == 422
    text = page.content.decode()
    field = text.split('id="field-files"', 1)[1]
    assert "the complaint has 19 evidence files already; the limit is 20 files per complaint" in field
    assert Evidence.objects.filter(complaint=c).count() == 19
    assert ComplaintEvent.objects.filter(complaint=c, action="add_evidence").count() == 19
    assert _stored_files(settings) == files_before


@pytest.mark.django_db
def test_a_filing_whose_evidence_passes_the_total_is_refused_and_nothing_is_stored(
    people, browser_of, settings
):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 100
    files = [SimpleUploadedFile("a.txt", b"a" * 60), SimpleUploadedFile("b.txt", b"b" * 60)]
    page = browser_of(people.alice).post(reverse("web:file_complaint"), _form(people, evidence=files))
    assert page.status_code == 422
    field = page.content.decode().split('id="field-evidence"', 1)[1]
    assert "the limit is 100 bytes of evidence per complaint" in field
    assert Complaint.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert _stored_files(settings) == []


# 500s on odd query parameters ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("merchant", ["%C2%B2", "99999999999999999999"])
def test_an_odd_merchant_on_the_console_list_and_its_download_answers_400_naming_it(
    people, browser_of, merchant
):
    factories.complaint(people.alice, people.acme)
    rita = browser_of(people.rita)
    page = rita.get(f"/console/complaints/?merchant={merchant}")
    assert page.status_code == 400
    assert "<code>merchant</code>" in page.content.decode()
    download = rita.get(f"/exports/complaints/?merchant={merchant}&format=csv")
    assert download.status_code == 400
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download.content.decode().startswith("merchant: ")


@pytest.mark.django_db
def test_a_nul_in_the_directory_search_answers_400_naming_q(people):
    page = Client().get("/shops/?q=a%00b")
    assert page.status_code == 400
    assert "<code>q</code>: Null characters are not allowed." in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["q", "category"])
def test_a_nul_in_the_console_and_export_filters_answers_400_naming_it(people, browser_of, name):
    factories.complaint(people.alice, people.acme)
    for user in (people.rita, people.bob):
        client = browser_of(user)
        if user == people.rita:
            page = client.get(f"/console/complaints/?{name}=a%00b")
            assert page.status_code == 400 and f"<code>{name}</code>" in page.content.decode()
        download = client.get(f"/exports/complaints/?{name}=a%00b&format=csv")
        assert download.status_code == 400
        assert download.content.decode().startswith(f"{name}: ")


# A consumer learns the names of unreviewed filings (the web filing form names none by id) -------------------


@pytest.mark.django_db
def test_the_web_filing_form_names_no_filing_by_id(people, browser_of):
    starts = timezone.now() - timedelta(days=3)
    secret = past_filing(
        people.acme, people.carol, starts, starts + timedelta(days=10), name="Secret Sale", state="submitted"
    )
    alice = browser_of(people.alice)
    sent = alice.post(reverse("web:file_complaint"), _form(people, promotion=secret.pk))
    assert sent.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.promotion_name == ""
    assert "Secret Sale" not in alice.get(sent.url).content.decode()
