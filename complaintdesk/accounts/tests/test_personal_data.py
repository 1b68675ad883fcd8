"""Personal data (SPEC §1): a shop sees its consumers masked, lists mask phone and ID numbers, the public and
other shops see none of it."""

import pytest
from django.test import Client

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories

DESCRIPTION = "Call me on 13812345678; my ID is 11010119900307123X. The parcel never arrived."


@pytest.fixture
def filed(people):
    people.alice.email, people.alice.phone = "alice@example.com", "13900001111"
    people.alice.save()
    c = factories.complaint(people.alice, people.acme, description=DESCRIPTION)
    services.perform(c.pk, people.alice, "withdraw", "Reach me at 13812345678")
    return c


def _web(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_shops_api_list_masks_phone_and_id_numbers(people, api, filed):
    listed = api(people.bob).get("/complaints").json()["items"][0]["description"]
    assert "13812345678" not in listed and "11010119900307123X" not in listed
    assert "138****5678" in listed and "110101********X" in listed
    # The complaint's own page: the shop that must answer reads what the consumer wrote.
    assert api(people.bob).get(f"/complaints/{filed.pk}").json()["description"] == DESCRIPTION


@pytest.mark.django_db
def test_the_consumer_and_the_regulator_see_the_description_whole_in_lists(people, api, filed):
    for who in (people.alice, people.rita):
        assert api(who).get("/complaints").json()["items"][0]["description"] == DESCRIPTION


@pytest.mark.django_db
def test_a_shop_sees_the_consumers_account_name_masked_in_events(people, api, filed):
    events = api(people.bob).get(f"/complaints/{filed.pk}").json()["events"]
    assert {e["actor"] for e in events} == {"a***e"}
    events = api(people.rita).get(f"/complaints/{filed.pk}").json()["events"]
    assert {e["actor"] for e in events} == {"alice"}
    events = api(people.alice).get(f"/complaints/{filed.pk}").json()["events"]
    assert {e["actor"] for e in events} == {"alice"}


@pytest.mark.django_db
def test_the_shops_web_page_masks_the_consumer_and_the_regulators_does_not(people, filed):
    shop_page = _web(people.bob).get(f"/complaints/{filed.pk}/").content.decode()
    assert "a***e" in shop_page
    for secret in ("alice", "alice@example.com", "13900001111"):
        assert secret not in shop_page
    assert "alice" in _web(people.rita).get(f"/complaints/{filed.pk}/").content.decode()


@pytest.mark.django_db
def test_other_shops_and_the_public_see_nothing_of_the_consumer(people, api, filed):
    assert api(people.dave).get(f"/complaints/{filed.pk}").status_code == 404
    assert api(people.dave).get("/complaints").json()["items"] == []
    anonymous = Client()
    for path in ("/", "/shops/", "/scorecards/", f"/shops/{people.acme.pk}/"):
        page = anonymous.get(path).content.decode()
        for secret in ("alice", "13812345678", "13900001111", "11010119900307123X", "alice@example.com"):
            assert secret not in page, (path, secret)
