"""A filing after it is filed: the shop amends it, resubmits a returned one and attaches the plan as a PDF;
the page shows the log and the staffing verdict."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaintdesk.promotions import services
from complaintdesk.promotions.models import Promotion
from complaintdesk.web.tests.test_promotion_filings import _form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def filed(people, browser_of):
    browser_of(people.bob).post(reverse("web:new_filing"), _form())
    return Promotion.objects.get()


def _returned(promotion, people):
    services.review(promotion.pk, people.rita, "return", "Add night shifts.")
    promotion.refresh_from_db()
    return promotion


@pytest.mark.django_db
def test_the_shop_amends_a_filing_waiting_for_review(people, browser_of, filed):
    client = browser_of(people.carol)
    page = client.get(reverse("web:amend_filing", args=[filed.pk])).content.decode()
    assert "Double 11 mega sale" in page and "Save the changes" in page
    response = client.post(reverse("web:amend_filing", args=[filed.pk]), _form(staff_per_shift="40"))
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.staff_per_shift == 40 and filed.state == "submitted"
    assert list(filed.events.values_list("action", flat=True)) == ["file", "amend"]
    assert filed.events.last().data["changed"] == {"staff_per_shift": [2, 40]}
    detail = client.get(reverse("web:filing", args=[filed.pk])).content.decode()
    assert "Amended" in detail and "Changed: Customer-service staff per shift" in detail


@pytest.mark.django_db
def test_amending_with_errors_shows_them_and_changes_nothing(people, browser_of, filed):
    page = browser_of(people.bob).post(
        reverse("web:amend_filing", args=[filed.pk]), _form(peak_hour_orders="999999999", staff_per_shift="5")
    )
    assert page.status_code == 422
    field = page.content.decode().split('id="field-peak_hour_orders"', 1)[1].split("</div>", 1)[0]
    assert "cannot exceed the expected orders in total" in field
    filed.refresh_from_db()
    assert filed.staff_per_shift == 2 and filed.events.count() == 1


@pytest.mark.django_db
def test_the_shop_resubmits_a_returned_filing_with_a_message(people, browser_of, filed):
    _returned(filed, people)
    client = browser_of(people.bob)
    detail = client.get(reverse("web:filing", args=[filed.pk])).content.decode()
    assert "Change and resubmit" in detail
    page = client.get(reverse("web:amend_filing", args=[filed.pk])).content.decode()
    assert "Add night shifts." in page and "Save and resubmit for review" in page
    response = client.post(
        reverse("web:amend_filing", args=[filed.pk]),
        {**_form(staff_per_shift="30"), "message": "Night shifts added.", "resubmit": "1"},
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.state == "submitted" and filed.staff_per_shift == 30
    assert list(filed.events.values_list("action", flat=True)) == ["file", "return", "resubmit"]
    assert "Night shifts added." in client.get(reverse("web:filing", args=[filed.pk])).content.decode()


@pytest.mark.django_db
def test_a_returned_filing_can_be_saved_without_resubmitting(people, browser_of, filed):
    _returned(filed, people)
    browser_of(people.bob).post(reverse("web:amend_filing", args=[filed.pk]), _form(name="Double 11 (v2)"))
    filed.refresh_from_db()
    assert filed.state == "returned" and filed.name == "Double 11 (v2)"


@pytest.mark.django_db
def test_an_accepted_filing_cannot_be_changed(people, browser_of, filed):
    services.review(filed.pk, people.rita, "accept")
    client = browser_of(people.bob)
    assert "Change the filing" not in client.get(reverse("web:filing", args=[filed.pk])).content.decode()
    response = client.post(reverse("web:amend_filing", args=[filed.pk]), _form(staff_per_shift="40"))
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.staff_per_shift == 2 and filed.state == "accepted"


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("dave", 404), ("alice", 403), ("rita", 403)])
def test_only_the_shop_amends_its_filing(people, browser_of, filed, who, status):
    client = browser_of(getattr(people, who))
    response = client.post(reverse("web:amend_filing", args=[filed.pk]), _form(staff_per_shift="40"))
    assert response.status_code == status
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    assert client.post(reverse("web:upload_plan", args=[filed.pk]), {"file": upload}).status_code == status
    filed.refresh_from_db()
    assert filed.staff_per_shift == 2 and not filed.plan_name


@pytest.mark.django_db
def test_the_shop_attaches_the_plan_and_the_regulator_downloads_it(people, browser_of, filed):
    client = browser_of(people.bob)
    upload = SimpleUploadedFile("notfall.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("web:upload_plan", args=[filed.pk]), {"file": upload})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.plan_name == "notfall.pdf"
    assert "notfall.pdf" in client.get(reverse("web:filing", args=[filed.pk])).content.decode()
    download = browser_of(people.rita).get(reverse("web:filing_plan", args=[filed.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert browser_of(people.dave).get(reverse("web:filing_plan", args=[filed.pk])).status_code == 404
    assert browser_of(people.alice).get(reverse("web:filing_plan", args=[filed.pk])).status_code == 404


@pytest.mark.django_db
def test_a_plan_that_is_not_a_pdf_is_refused_next_to_the_field(people, browser_of, filed):
    upload = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = browser_of(people.bob).post(reverse("web:upload_plan", args=[filed.pk]), {"file": upload})
    assert page.status_code == 422
    assert "is not a PDF document" in page.content.decode().split('id="field-file"', 1)[1]
    filed.refresh_from_db()
    assert not filed.plan_name and filed.events.count() == 1
    assert browser_of(people.bob).get(reverse("web:filing_plan", args=[filed.pk])).status_code == 404


@pytest.mark.django_db
def test_an_understaffed_filing_shows_the_minimum_staff(people, browser_of, filed):
    assert not filed.meets_staffing_target
    page = browser_of(people.bob).get(reverse("web:filing", args=[filed.pk])).content.decode()
    need = filed.staffing["min_staff_for_target"]
    assert f'<dd id="min-staff">{need}</dd>' in page
    assert f"Plan at least {need} staff per shift (filed: 2)" in page


@pytest.mark.django_db
def test_the_filing_page_speaks_chinese(people, browser_of, filed):
    zh = {"accept-language": "zh-hans"}
    page = browser_of(people.bob).get(reverse("web:filing", args=[filed.pk]), headers=zh).content.decode()
    assert "应急预案（PDF）" in page and "修改备案" in page and "每班至少需安排" in page
