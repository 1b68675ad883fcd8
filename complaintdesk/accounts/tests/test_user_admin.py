"""Users in the back office: officers manage consumers and shop staff and their own personal details; the
rest (superuser and staff status, groups, permissions, officers' accounts) is the superuser's."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.tests.forms import posted_form

PRIVILEGES = {"is_superuser", "is_staff", "groups", "user_permissions"}


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def _password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def _logs_in(username: str, password: str) -> bool:
    return Client().post("/accounts/login/", {"username": username, "password": password}).status_code == 302


@pytest.fixture
def officer(people):
    return _logged_in(people.rita)


@pytest.fixture
def rhea(db):
    return User.objects.create_user("rhea", password="pw-rhea", role=Role.REGULATOR)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="root-secret-1")


@pytest.mark.django_db
def test_an_officers_own_page_offers_personal_details_and_alerts_only(people, officer):
    page = officer.get(_change_url(people.rita))
    form = page.context["adminform"].form
    assert set(form.fields) == {
        "username", "password", "first_name", "last_name", "email", "phone", "alert_notices"
    }  # fmt: skip
    assert {"role", "merchant", "is_active"} <= set(page.context["adminform"].readonly_fields)
    data = posted_form(page, "user_form")
    data.update(first_name="Rita", phone="021-12315")
    assert officer.post(_change_url(people.rita), data).status_code == 302
    people.rita.refresh_from_db()
    assert (people.rita.first_name, people.rita.phone, people.rita.role) == (
        "Rita",
        "021-12315",
        Role.REGULATOR,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("role", "consumer"), ("is_active", ""), ("merchant", "acme")])
def test_an_officer_cannot_change_their_own_standing(people, officer, field, value):
    data = posted_form(officer.get(_change_url(people.rita)), "user_form")
    data[field] = str(people.acme.pk) if value == "acme" else value
    refused = officer.post(_change_url(people.rita), data)
    assert (
        refused.status_code == 403
        and f"Nothing was saved: {field} cannot be changed" in refused.content.decode()
    )
    people.rita.refresh_from_db()
    assert people.rita.role == Role.REGULATOR and people.rita.is_active and people.rita.merchant is None


@pytest.mark.django_db
def test_an_officer_edits_moves_and_deactivates_shop_staff(people, officer):
    page = officer.get(_change_url(people.bob))
    assert not PRIVILEGES & set(page.context["adminform"].form.fields)
    data = posted_form(page, "user_form")
    data.update(email="bob@acme.example", merchant=str(people.bazaar.pk), role=Role.MERCHANT_COORDINATOR)
    data.pop("is_active")
    assert officer.post(_change_url(people.bob), data).status_code == 302
    people.bob.refresh_from_db()
    assert people.bob.email == "bob@acme.example" and people.bob.merchant == people.bazaar
    assert people.bob.role == Role.MERCHANT_COORDINATOR and not people.bob.is_active


@pytest.mark.django_db
def test_an_officer_cannot_make_a_consumer_an_officer_or_a_superuser(people, officer):
    data = posted_form(officer.get(_change_url(people.alice)), "user_form")
    refused = officer.post(_change_url(people.alice), {**data, "role": Role.REGULATOR})
    assert refused.status_code == 200  # the form again, with the reason at the field
    assert refused.context["adminform"].form.errors["role"] == [
        "Select a valid choice. regulator is not one of the available choices."
    ]
    refused = officer.post(_change_url(people.alice), {**data, "is_superuser": "on"})
    assert (
        refused.status_code == 403
        and "Nothing was saved: is_superuser cannot be changed" in refused.content.decode()
    )
    people.alice.refresh_from_db()
    assert people.alice.role == Role.CONSUMER and not people.alice.is_superuser and not people.alice.is_staff


@pytest.mark.django_db
def test_an_officer_adds_consumers_and_shop_staff_but_no_officers(people, officer):
    url = reverse("admin:accounts_user_add")
    page = officer.get(url)
    assert Role.REGULATOR not in dict(page.context["adminform"].form.fields["role"].choices)
    new = {"username": "frank", "usable_password": "true", "password1": "Long-enough-42", "password2": ""}
    new["password2"] = new["password1"]
    added = officer.post(url, {**new, "role": Role.MERCHANT_AGENT, "merchant": people.acme.pk})
    assert added.status_code == 302
    frank = User.objects.get(username="frank")
    assert frank.role == Role.MERCHANT_AGENT and frank.merchant == people.acme and not frank.is_staff
    refused = officer.post(url, {**new, "username": "grace", "role": Role.REGULATOR})
    assert refused.status_code == 200 and "role" in refused.context["adminform"].form.errors
    refused = officer.post(url, {**new, "username": "grace", "role": Role.CONSUMER, "is_superuser": "on"})
    assert (
        refused.status_code == 403
        and "Nothing was saved: is_superuser cannot be changed" in refused.content.decode()
    )
    assert not User.objects.filter(username="grace").exists()


@pytest.mark.django_db
def test_an_officer_resets_a_consumers_password(people, officer):
    new = {"password1": "Fresh-start-2026", "password2": "Fresh-start-2026", "usable_password": "true"}
    assert officer.post(_password_url(people.alice), new).status_code == 302
    assert _logs_in("alice", "Fresh-start-2026")


@pytest.mark.django_db
def test_an_officers_own_password_goes_through_the_form_that_asks_for_the_current_one(people, officer):
    assert officer.get(_password_url(people.rita)).url == reverse("admin:password_change")
    new = {
        "old_password": "pw-rita",
        "new_password1": "Rita-renewed-2026",
        "new_password2": "Rita-renewed-2026",
    }
    assert officer.post(reverse("admin:password_change"), new).status_code == 302
    assert _logs_in("rita", "Rita-renewed-2026")


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["rhea", "root"])
def test_an_officer_only_views_another_officers_or_a_superusers_account(people, officer, rhea, root, target):
    user = {"rhea": rhea, "root": root}[target]
    page = officer.get(_change_url(user))
    assert page.status_code == 200 and not page.context["has_change_permission"]  # read-only
    assert officer.post(_change_url(user), {"username": user.username, "first_name": "X"}).status_code == 403
    assert (
        officer.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"}).status_code
        == 403
    )
    bulk = {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    officer.post(reverse("admin:accounts_user_changelist"), bulk)
    user.refresh_from_db()
    assert user.first_name == "" and user.is_active


@pytest.mark.django_db
def test_a_superuser_manages_officers_and_their_privileges(people, rhea, root):
    admin = _logged_in(root)
    page = admin.get(_change_url(rhea))
    assert set(page.context["adminform"].form.fields) >= PRIVILEGES
    data = posted_form(page, "user_form")
    assert admin.post(_change_url(rhea), {**data, "is_superuser": "on"}).status_code == 302
    rhea.refresh_from_db()
    assert rhea.is_superuser
    new = {"password1": "Rhea-reset-2026", "password2": "Rhea-reset-2026", "usable_password": "true"}
    assert admin.post(_password_url(rhea), new).status_code == 302
    assert _logs_in("rhea", "Rhea-reset-2026")
    added = admin.post(
        reverse("admin:accounts_user_add"),
        {"username": "sam", "usable_password": "true", "password1": "Officer-new-42", "password2": "Officer-new-42",
         "role": Role.REGULATOR},
    )  # fmt: skip
    assert added.status_code == 302 and User.objects.get(username="sam").is_staff


@pytest.mark.django_db
def test_api_tokens_are_not_made_in_the_back_office(people):
    admin = _logged_in(User.objects.create_superuser("root", password="x"))
    assert admin.get(reverse("admin:accounts_apitoken_add")).status_code == 403
