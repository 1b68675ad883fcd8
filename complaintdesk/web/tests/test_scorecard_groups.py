"""A shop's public scorecard page lists its group complaints' public pages (SPEC §11), in both languages,
with no member named."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints import groups
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.django_db


def test_the_scorecard_page_links_the_shops_group_pages(people):
    first = factories.complaint(people.alice, people.acme, order_number="AC-1001")
    second = factories.complaint(people.erin, people.acme, order_number="AC-1002")
    group = groups.open_group(
        people.rita, product="Kettle K1", problem="Stops heating.", complaints=[first.pk, second.pk]
    )

    page = Client().get(reverse("web:scorecard", args=[people.acme.pk]), headers={"accept-language": "en"})

    text = page.content.decode()
    assert page.status_code == 200
    assert f'href="{reverse("web:group", args=[group.pk])}"' in text
    assert "Kettle K1" in text and "2 members" in text
    for secret in ("alice", "erin", "AC-1001", first.reference):
        assert secret not in text
    chinese = Client().get(
        reverse("web:scorecard", args=[people.acme.pk]), headers={"accept-language": "zh-hans"}
    )
    assert chinese.status_code == 200 and "Kettle K1" in chinese.content.decode()


def test_a_shop_without_groups_shows_no_group_section(people):
    page = Client().get(reverse("web:scorecard", args=[people.bazaar.pk]), headers={"accept-language": "en"})
    assert page.status_code == 200 and "Group complaints" not in page.content.decode()
