"""The report and enquiry pages point to the complaint form only for those who may file one: a consumer,
and a visitor (who logs in on the way). A shop's staff or an officer would get 403 there: no link for them."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PAGES = ["web:report", "web:enquiry"]


def _links(page: str) -> set[str]:
    return set(re.findall(r'<a href="([^"]+)"', page))


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", [None, "alice"])
def test_a_consumer_and_a_visitor_are_shown_the_complaint_form_and_it_opens(people, page, who):
    client = Client()
    if who:
        client.force_login(getattr(people, who))
    links = _links(client.get(reverse(page)).content.decode())
    form = reverse("web:file_complaint")
    assert form in links
    opened = client.get(form)
    if who:
        assert opened.status_code == 200
    else:  # through the login page, back to the form
        assert opened.status_code == 302 and opened["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["bob", "carol", "rita"])
def test_shop_staff_and_officers_get_no_link_they_could_not_follow(people, page, who, language):
    client = Client()
    client.force_login(getattr(people, who))
    client.cookies["django_language"] = language
    response = client.get(reverse(page))
    assert response.status_code == 200
    links = _links(response.content.decode())
    assert reverse("web:file_complaint") not in links
    assert client.get(reverse("web:file_complaint")).status_code == 403  # what the link led to
    if page == "web:enquiry":  # the other way the page offers stays
        assert reverse("web:report") in links


@pytest.fixture(params=["en", "zh-hans"])
def language(request):
    return request.param
