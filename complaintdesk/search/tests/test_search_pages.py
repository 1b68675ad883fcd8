"""The search boxes of the regulator's complaint list and the shop's workbench: results best first, the
matched words highlighted in an excerpt (the text escaped first), another shop's complaints never shown
nor counted, and the list's links keeping the words."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def complaints(people):
    acme = factories.complaint(
        people.alice,
        people.acme,
        description='充电宝用了三天就<b>鼓包</b>了，客服说"人为损坏"拒绝退款 & 不给换。',
        product="罗马仕充电宝",
        order_number="JD-20250601-8848",
    )
    bazaar = factories.complaint(
        people.erin, people.bazaar, description="滑板车电池鼓包，充电时冒烟。", order_number="BZ-777"
    )
    quiet = factories.complaint(people.alice, people.acme, description="快递三天没有更新物流信息。")
    return acme, bazaar, quiet


def _references(page: str) -> list[str]:
    return re.findall(r">(TS-\d{4}-\d{7})</a>", page)


@pytest.mark.django_db
def test_the_console_finds_words_and_marks_them_in_an_escaped_excerpt(people, complaints):
    acme, bazaar, quiet = complaints
    page = _client(people.rita).get(reverse("web:all_complaints"), {"q": "鼓包"}).content.decode()
    assert sorted(_references(page)) == sorted([acme.reference, bazaar.reference])
    assert "2 complaints" in page
    # The consumer's <b> is text, shown as written; only the search's own <mark> is markup.
    assert "&lt;b&gt;<mark>鼓包</mark>&lt;/b&gt;了" in page
    assert "&quot;人为损坏&quot;拒绝退款 &amp; 不给换" in page
    assert "<b>鼓包</b>" not in page
    assert "滑板车电池<mark>鼓包</mark>" in page


@pytest.mark.django_db
def test_the_console_still_finds_a_complaint_by_its_reference_and_by_words_of_its_order_number(
    people, complaints
):
    acme, _, _ = complaints
    client = _client(people.rita)
    assert _references(
        client.get(reverse("web:all_complaints"), {"q": acme.reference.lower()}).content.decode()
    ) == [acme.reference]
    page = client.get(reverse("web:all_complaints"), {"q": "8848"}).content.decode()
    assert _references(page) == [acme.reference]
    assert "JD-20250601-<mark>8848</mark>" in page


@pytest.mark.django_db
def test_the_workbench_searches_only_its_own_shop_and_counts_only_those(people, complaints):
    acme, bazaar, _ = complaints
    bob = _client(people.bob)
    page = bob.get(reverse("web:queue"), {"q": "鼓包"}).content.decode()
    assert _references(page) == [acme.reference]
    assert bazaar.reference not in page and "滑板车" not in page
    assert "1 complaint of the shop matches" in page
    assert 'value="鼓包"' in page
    page = bob.get(reverse("web:queue"), {"q": "滑板车 冒烟"}).content.decode()
    assert _references(page) == [] and "0 complaints of the shop match" in page
    dave = _client(people.dave).get(reverse("web:queue"), {"q": "鼓包"}).content.decode()
    assert _references(dave) == [bazaar.reference]


@pytest.mark.django_db
def test_the_workbench_finds_a_finished_complaint_and_a_message_written_later(people, complaints):
    acme, _, _ = complaints
    services.perform(acme.pk, people.bob, "respond", "已安排顺丰上门取件，检测后三个工作日内退款。")
    page = _client(people.bob).get(reverse("web:queue"), {"q": "顺丰 取件"}).content.decode()
    assert _references(page) == [acme.reference]
    assert "已安排<mark>顺丰</mark>上门<mark>取件</mark>" in page


@pytest.mark.django_db
def test_the_workbench_refresh_and_pages_keep_the_words(people):
    for n in range(51):
        factories.complaint(people.alice, people.acme, description=f"第{n}号订单的耳机左耳没有声音。")
    page = _client(people.bob).get(reverse("web:queue"), {"q": "耳机"}).content.decode()
    assert len(_references(page)) == 50
    assert 'hx-get="?q=%E8%80%B3%E6%9C%BA"' in page
    assert 'href="?q=%E8%80%B3%E6%9C%BA&amp;cursor=' in page


@pytest.mark.django_db
def test_a_query_of_only_search_syntax_finds_nothing_and_fails_nothing(people, complaints):
    for user, url in ((people.rita, "web:all_complaints"), (people.bob, "web:queue")):
        for q in ('"', "NEAR(", "'; DROP TABLE search_complainttext; --", "*:"):
            answer = _client(user).get(reverse(url), {"q": q})
            assert answer.status_code == 200
            assert _references(answer.content.decode()) == []
