"""The product a complaint is about, on the web: the filing form and the complaint page."""

import pytest
from django.urls import reverse

from complaintdesk.complaints.models import Complaint
from complaintdesk.web.tests.test_consumer_portal import _form

JD_LINK = "https://item.jd.com/100012043978.html?spm=a.b&pvid=7f3e"


@pytest.mark.django_db
def test_a_product_filed_on_the_web_is_stored_and_shown_as_text_to_consumer_and_shop(people, browser_of):
    client = browser_of(people.alice)
    form = client.get(reverse("web:file_complaint")).content.decode()
    assert 'name="product"' in form and "or a link to its page in the shop" in form
    response = client.post(reverse("web:file_complaint"), _form(people, product=f" {JD_LINK} "))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.product == JD_LINK
    escaped = JD_LINK.replace("&", "&amp;")
    for viewer in (people.alice, people.bob, people.rita):
        page = browser_of(viewer).get(reverse("web:complaint", args=[complaint.pk])).content.decode()
        assert f"<dt>Product</dt><dd>{escaped}</dd>" in page  # text, never a link the shop would follow


@pytest.mark.django_db
def test_a_complaint_without_product_shows_a_dash(people, browser_of):
    client = browser_of(people.alice)
    client.post(reverse("web:file_complaint"), _form(people))
    page = client.get(reverse("web:complaint", args=[Complaint.objects.get().pk])).content.decode()
    assert "<dt>Product</dt><dd>–</dd>" in page


@pytest.mark.django_db
def test_a_web_product_over_200_characters_is_refused_at_its_field(people, browser_of):
    page = browser_of(people.alice).post(reverse("web:file_complaint"), _form(people, product="x" * 201))
    assert page.status_code == 422
    text = page.content.decode()
    block = text.split('id="field-product"', 1)[1].split('<div class="field', 1)[0]
    assert "has-error" in text.split('id="field-product"', 1)[0][-80:]
    assert "at most 200 characters" in block
    assert Complaint.objects.count() == 0
