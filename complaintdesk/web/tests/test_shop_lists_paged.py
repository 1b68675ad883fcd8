"""The lists of every shop (the home page, the public directory, the public and the console's scorecards,
the API's directory) read a page of shops by name, whatever the number of shops: every shop once across the
pages, in name order, a page's scorecards the statistics engine's figures of its shops, and the same
number of queries for a page among 6 shops as among 12."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.merchants.models import Merchant
from complaintdesk.web import metrics, paging
from complaintdesk.web.views import public, regulator
from conftest import credit_code

PER_PAGE = 2


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(paging, "PER_PAGE", PER_PAGE)
    monkeypatch.setattr(public, "HOME_SHOPS", PER_PAGE)


def _add_shops(count: int) -> None:
    start = Merchant.objects.count()
    for i in range(start, start + count):
        Merchant.objects.create(name=f"Shop {i:02d}", credit_code=credit_code(200 + i))


def _walk(client, url: str) -> tuple[list[str], list]:
    """Every page of a list from the first by its Next links: the shops' names in order, and the pages."""
    names, pages, query = [], [], ""
    while True:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        pages.append(response)
        names += [m.name for m in _shops_of(response)]
        if not response.context["page"].has_next:
            return names, pages
        query = response.context["page"].next_query


def _shops_of(response) -> list:
    context = response.context
    if "rows" in context:
        return [row["shop"] for row in context["rows"]]
    return [card["merchant"] for card in context["cards"]]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_each_list_of_shops_shows_every_shop_once_by_name_a_page_at_a_time(people, browser_of, small_pages):
    _add_shops(3)
    people.bazaar.is_active = False
    people.bazaar.save()
    active = list(
        Merchant.objects.filter(is_active=True).order_by("name", "id").values_list("name", flat=True)
    )
    everyone = list(Merchant.objects.order_by("name", "id").values_list("name", flat=True))
    assert len(active) > PER_PAGE
    for url, client, expected in (
        (reverse("web:directory"), Client(), active),
        (reverse("web:scorecards"), Client(), active),
        (reverse("web:regulator_scorecards"), browser_of(people.rita), everyone),
    ):
        names, pages = _walk(client, url)
        assert names == expected, url
        assert all(len(_shops_of(p)) <= PER_PAGE for p in pages)
    home = Client().get("/").content.decode()
    assert all(name in home for name in active[:PER_PAGE]) and active[PER_PAGE] not in home
    assert reverse("web:directory") in home


@pytest.mark.django_db
def test_a_page_of_scorecards_holds_its_shops_figures(people, small_pages):
    _add_shops(3)
    for response in _walk(Client(), reverse("web:scorecards"))[1]:
        cards = response.context["cards"]
        assert cards == metrics.scorecards([card["merchant"] for card in cards])


@pytest.mark.django_db
def test_the_api_directory_pages_by_name(people, api):
    _add_shops(3)
    names, cursor = [], None
    while True:
        answer = api(None).get(
            "/merchants/directory", {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["count"] == Merchant.objects.filter(is_active=True).count()
        names += [entry["name"] for entry in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert names == list(
        Merchant.objects.filter(is_active=True).order_by("name", "id").values_list("name", flat=True)
    )
    refused = api(None).get("/merchants/directory", {"cursor": "forged"})
    assert refused.status_code == 422 and "cursor" in str(refused.json()["detail"][0]["loc"])


@pytest.mark.django_db
def test_a_page_of_shops_takes_as_many_queries_among_twelve_shops_as_among_six(
    people, browser_of, small_pages
):
    regulator = browser_of(people.rita)
    urls = [
        (Client(), "/"),
        (Client(), reverse("web:directory")),
        (Client(), reverse("web:scorecards")),
        (regulator, reverse("web:regulator_scorecards")),
        (Client(), "/api/v1/merchants/directory?page_size=2"),
    ]
    _add_shops(4)
    six = [_queries(client, url) for client, url in urls]
    _add_shops(6)
    assert Merchant.objects.count() == 12
    assert [_queries(client, url) for client, url in urls] == six


@pytest.mark.django_db
def test_the_console_names_the_first_shops_missing_obligations_and_counts_the_others(
    people, browser_of, monkeypatch
):
    monkeypatch.setattr(regulator, "MISSING_SHOWN", 2)
    _add_shops(3)  # none has a coordinator: with acme and bazaar, 5 miss an obligation
    page = browser_of(people.rita).get(reverse("web:regulator_scorecards"))
    named = [state.merchant.name for state in page.context["missing"]]
    assert named == list(Merchant.objects.order_by("name", "id").values_list("name", flat=True)[:2])
    assert "And 3 more shops" in page.content.decode()
