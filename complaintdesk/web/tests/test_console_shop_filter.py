"""The console's complaint list filters by shop with the filing forms' shop picker (web.forms.complaint_filter),
not a <select> of every shop in the officer's charge (5,000 at 10 M complaints): the page lists no shop and
answers with the same queries however many shops there are. `merchant` stays the shop's id (links, bookmarks,
a shop no longer active); a name typed narrows the list to the one shop it names, its download too; a name
several shops hold is offered as a choice, one none holds is said, and then no list is shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants.models import Merchant
from complaintdesk.web.tests.test_shop_picker import field_block, hidden_choice, more_shops, radios, text_box
from conftest import credit_code

pytestmark = pytest.mark.django_db

URL = reverse("web:all_complaints")


@pytest.fixture
def filed(people):
    return {
        "acme": factories.complaint(people.alice, people.acme),
        "bazaar": factories.complaint(people.erin, people.bazaar),
    }


def listed(response) -> set[str]:
    return {row["complaint"].reference for row in response.context["rows"]}


@pytest.mark.parametrize("query", [{}, {"merchant": "{acme}"}, {"overdue": "1"}])
def test_the_list_names_no_shop_and_its_queries_do_not_grow_with_the_shops(people, browser_of, query):
    rita = browser_of(people.rita)
    query = {k: v.format(acme=people.acme.pk) for k, v in query.items()}

    def get() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = rita.get(URL, query)
        assert response.status_code == 200
        return len(ctx.captured_queries), field_block(response.content.decode(), "merchant_name")

    get()  # the session's first read and the translations' loading are not the page's
    few, _ = get()
    more_shops(300)
    many, block = get()
    assert many == few
    assert not re.search(r"Shop \d{4}|Bazaar Mall", block)  # no shop but the one chosen
    assert ("Acme Online" in block) == bool(query.get("merchant"))


def test_a_shop_chosen_by_its_id_narrows_the_list_and_shows_its_name(people, browser_of, filed):
    people.bazaar.is_active = False  # no longer in the directory: its complaints are still the console's
    people.bazaar.save()
    response = browser_of(people.rita).get(URL, {"merchant": people.bazaar.pk})
    page = response.content.decode()
    assert listed(response) == {filed["bazaar"].reference}
    assert text_box(page) == "Bazaar Mall" and hidden_choice(page) == str(people.bazaar.pk)
    gone = browser_of(people.rita).get(URL, {"merchant": 10**9})  # no such shop: an empty list, as before
    assert gone.status_code == 200 and listed(gone) == set()


def test_a_name_typed_narrows_the_list_and_its_download_to_that_shop(people, browser_of, filed):
    response = browser_of(people.rita).get(URL, {"merchant_name": " bazaar ", "state": ""})
    page = response.content.decode()
    assert response.status_code == 200 and listed(response) == {filed["bazaar"].reference}
    assert text_box(page) == "Bazaar Mall" and hidden_choice(page) == str(people.bazaar.pk)
    download = re.search(r'id="download-csv" href="([^"]+)"', page)[1].replace("&amp;", "&")
    assert f"merchant={people.bazaar.pk}" in download
    csv = browser_of(people.rita).get(download)
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert filed["bazaar"].reference in body and filed["acme"].reference not in body


def test_another_name_typed_wins_over_the_shop_chosen_before(people, browser_of, filed):
    response = browser_of(people.rita).get(URL, {"merchant": people.acme.pk, "merchant_name": "Bazaar"})
    assert listed(response) == {filed["bazaar"].reference}
    kept = browser_of(people.rita).get(URL, {"merchant": people.acme.pk, "merchant_name": "acme"})
    assert listed(kept) == {filed["acme"].reference}  # a part of the chosen shop's name keeps it


def test_a_name_several_shops_hold_is_offered_as_a_choice_without_a_list(people, browser_of, filed):
    outlet = Merchant.objects.create(name="Acme Outlet", credit_code=credit_code(9))
    rita = browser_of(people.rita)
    response = rita.get(URL, {"merchant_name": "acme"})
    page = response.content.decode()
    assert response.status_code == 422 and "rows" not in response.context
    assert "Several shops have “acme” in their name: choose yours below." in field_block(
        page, "merchant_name"
    )
    assert radios(page) == [people.acme.pk, outlet.pk] and filed["acme"].reference not in page
    chosen = rita.get(URL, {"merchant": people.acme.pk, "merchant_name": "acme"})
    assert chosen.status_code == 200 and listed(chosen) == {filed["acme"].reference}


def test_a_name_no_shop_holds_is_said_and_no_list_is_shown(people, browser_of, filed):
    response = browser_of(people.rita).get(URL, {"merchant_name": "Nowhere"})
    page = response.content.decode()
    assert response.status_code == 422 and "rows" not in response.context
    assert "No shop in the directory has “Nowhere” in its name" in field_block(page, "merchant_name")
    assert filed["acme"].reference not in page and filed["bazaar"].reference not in page


def test_a_district_officer_neither_sees_nor_finds_another_bureaus_shop(world, client):
    """The picker looks among the shops in the officer's charge: another bureau's is not named by its id
    (the list holds none of its complaints) nor found by its name."""
    client.force_login(world.d1.officer)
    other = world.d2.shop
    by_id = client.get(URL, {"merchant": other.pk})
    assert by_id.status_code == 200
    assert other.name not in by_id.content.decode()  # not named in the box
    assert not by_id.context["rows"]
    by_name = client.get(URL, {"merchant_name": other.name})
    assert by_name.status_code == 422  # "no shop of that name", as for a shop that does not exist
    assert by_name.context["shop"].merchant is None and by_name.context["shop"].error
    assert other.pk not in radios(by_name.content.decode())
    assert hidden_choice(by_name.content.decode()) is None
    own = client.get(URL, {"merchant_name": world.d1.shop.name})
    assert own.status_code == 200 and own.context["shop"].merchant == world.d1.shop.pk
