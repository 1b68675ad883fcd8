"""An officer's bureau in the back office (SPEC §11): it decides what the officer sees, so a superuser sets
it, as making someone an officer; an officer sees its own and anyone's, and changes none."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import User
from complaintdesk.accounts.tests.forms import posted_form
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="root-secret-1")


def test_the_user_list_shows_and_filters_by_bureau(world, root):
    page = logged_in(root).get(
        reverse("admin:accounts_user_changelist"), {"bureau__id__exact": world.d1.bureau.pk}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "officer-d1" in text and "officer-d2" not in text and "Huangpu District Bureau" in text


def test_a_superuser_moves_an_officer_to_another_bureau(world, root):
    client = logged_in(root)
    page = client.get(change_url(world.d1.officer))
    assert "bureau" in page.context["adminform"].form.fields
    data = posted_form(page, "user_form")
    data["bureau"] = str(world.d2.bureau.pk)
    assert client.post(change_url(world.d1.officer), data).status_code == 302
    world.d1.officer.refresh_from_db()
    assert world.d1.officer.bureau == world.d2.bureau


def test_a_superuser_gives_a_new_officer_a_bureau(world, root):
    page = logged_in(root).get(reverse("admin:accounts_user_add"))
    assert "bureau" in page.context["adminform"].form.fields


def test_an_officer_sees_a_bureau_and_cannot_change_it(world):
    client = logged_in(world.city_officer)
    other = client.get(change_url(world.d1.officer))
    assert "bureau" in other.context["adminform"].readonly_fields
    assert "Huangpu District Bureau" in other.content.decode()
    page = client.get(change_url(world.city_officer))
    data = posted_form(page, "user_form")
    data["bureau"] = str(world.d1.bureau.pk)
    refused = client.post(change_url(world.city_officer), data)
    assert refused.status_code == 403 and "bureau cannot be changed" in refused.content.decode()
    world.city_officer.refresh_from_db()
    assert world.city_officer.bureau == world.city


@pytest.mark.parametrize(
    "page",
    ["admin:index", "admin:complaints_complaint_changelist", "admin:merchants_merchant_changelist",
     "admin:accounts_user_changelist", "admin:centre_bureau_changelist"],
)  # fmt: skip
def test_a_district_officer_has_no_back_office(world, page):
    """The back office lists every bureau's complaints, shops and users: a district officer, who sees its own
    bureau's only, works in the console; the bureaus and settings are the city centre's."""
    response = logged_in(world.d1.officer).get(reverse(page))
    assert (
        response.status_code == 403 or "have permission to view or edit anything" in response.content.decode()
    )
    assert "Bazaar" not in response.content.decode()  # D2's shop
    city = logged_in(world.city_officer).get(reverse(page))
    assert city.status_code == 200


def test_an_officer_cannot_give_a_consumer_or_a_new_user_a_bureau(world):
    client = logged_in(world.city_officer)
    page = client.get(change_url(world.d1.consumer))
    assert "bureau" in page.context["adminform"].readonly_fields
    data = posted_form(page, "user_form")
    data["bureau"] = str(world.d1.bureau.pk)
    assert client.post(change_url(world.d1.consumer), data).status_code == 403
    world.d1.consumer.refresh_from_db()
    assert world.d1.consumer.bureau is None
    assert "bureau" not in client.get(reverse("admin:accounts_user_add")).context["adminform"].form.fields


@pytest.mark.parametrize("role", ["consumer", "merchant_coordinator"])
def test_only_an_officer_belongs_to_a_bureau(world, role):
    person = world.d1.consumer if role == "consumer" else world.d1.staff
    person.bureau = world.d1.bureau
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict["bureau"] == ["Only regulator officers belong to a bureau."]
    world.d1.officer.full_clean()  # an officer with a bureau is valid
