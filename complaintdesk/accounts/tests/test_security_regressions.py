"""The outside security probe's attacks on accounts, reproduced as it made them: an officer making
themselves superuser, and API tokens that never expired and survived a password change."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import ApiToken, Role, User
from complaintdesk.accounts.tests.forms import posted_form


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _logs_in(username: str, password: str) -> bool:
    """Through the back office's own login page, as the attacker would."""
    response = Client().post(reverse("admin:login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="root-secret-1")


@pytest.mark.django_db
def test_a_plain_officer_who_reposts_their_own_change_form_with_is_superuser_on_is_refused(people):
    """Making oneself superuser: re-post your own user change form in the admin with is_superuser=on → it
    was saved."""
    officer = _logged_in(people.rita)
    url = reverse("admin:accounts_user_change", args=[people.rita.pk])
    data = posted_form(officer.get(url), "user_form")
    group = Group.objects.create(name="everything")
    data.update(
        first_name="Rita",
        is_superuser="on",
        is_staff="on",
        groups=[str(group.pk)],
        user_permissions=[str(p.pk) for p in Permission.objects.filter(codename="change_user")],
    )
    refused = officer.post(url, data)
    assert refused.status_code == 403
    assert "Nothing was saved: groups, is_staff, is_superuser, user_permissions cannot be changed" in (
        refused.content.decode()
    )
    people.rita.refresh_from_db()
    assert not people.rita.is_superuser and people.rita.first_name == ""  # nothing was saved
    assert not people.rita.groups.exists() and not people.rita.user_permissions.exists()
    assert not people.rita.has_perm("auth.change_group")


@pytest.mark.django_db
def test_a_second_officer_cannot_set_a_superusers_password_through_the_admin(people, root):
    """Taking over a superuser: a second officer set a superuser's password with the admin's password form,
    then logged in as them."""
    second = User.objects.create_user("rhea", password="pw-rhea", role=Role.REGULATOR)
    officer = _logged_in(second)
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert officer.get(url).status_code == 403
    stolen = {"password1": "Taken-over-2026", "password2": "Taken-over-2026", "usable_password": "true"}
    assert officer.post(url, stolen).status_code == 403
    assert not _logs_in("root", "Taken-over-2026")
    assert _logs_in("root", "root-secret-1")
    # Nor another officer's, whose account is no more theirs to take over.
    url = reverse("admin:auth_user_password_change", args=[people.rita.pk])
    assert officer.post(url, stolen).status_code == 403
    assert not _logs_in("rita", "Taken-over-2026")


def _token(username: str, password: str) -> str:
    response = Client().post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _complaints(token: str):
    return Client().get("/api/v1/complaints", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
def test_a_token_stops_working_when_its_owner_changes_the_password(people):
    """A token survived a password change (the owner's answer to a stolen password)."""
    token = _token("alice", "pw-alice")
    assert _complaints(token).status_code == 200
    web = _logged_in(people.alice)
    new = {"old_password": "pw-alice", "new_password1": "Alice-anew-2026", "new_password2": "Alice-anew-2026"}
    assert web.post(reverse("password_change"), new).status_code == 302
    refused = _complaints(token)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("this token was revoked")
    assert refused["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert _complaints(_token("alice", "Alice-anew-2026")).status_code == 200


@pytest.mark.django_db
def test_a_token_expires_after_api_token_days(people, settings):
    """Tokens never expired."""
    settings.API_TOKEN_DAYS = 30
    issued = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(issued, tick=False):
        token = _token("alice", "pw-alice")
    with time_machine.travel(issued + timedelta(days=30, seconds=-1), tick=False):
        assert _complaints(token).status_code == 200
    with time_machine.travel(issued + timedelta(days=30), tick=False):
        refused = _complaints(token)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "this token expired at 2026-12-31T09:00:00Z (tokens last 30 days); "
        "get a new one from POST /api/v1/auth/token"
    )


# Found by a review of these fixes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_cannot_bring_back_a_revoked_token_in_the_admin(people, root):
    """Clearing `revoked_at` on a superuser's revoked token in the admin made the API accept it again."""
    token, raw = ApiToken.issue(root, name="api")
    ApiToken.revoke_all(root)
    officer = _logged_in(people.rita)
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    page = officer.get(url)
    assert page.status_code == 200  # its name no longer breaks the page
    officer.post(url, {"revoked_at_0": "", "revoked_at_1": "", "_save": "Save"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = Client().get("/api/v1/complaints", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 401


@pytest.mark.django_db
def test_the_admin_revokes_selected_tokens_and_never_un_revokes(people):
    live, _ = ApiToken.issue(people.alice, name="api")
    officer = _logged_in(people.rita)
    officer.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [live.pk]}
    )
    live.refresh_from_db()
    assert live.revoked_at is not None


@pytest.mark.django_db
def test_an_officer_writing_their_own_id_with_a_leading_zero_still_needs_the_current_password(people):
    """/admin/accounts/user/06/password/ skipped the redirect to the form that asks for the current one."""
    officer = _logged_in(people.rita)
    url = f"/admin/accounts/user/0{people.rita.pk}/password/"
    assert officer.get(url).url == reverse("admin:password_change")
    officer.post(
        url, {"password1": "Brand-new-pw-2026", "password2": "Brand-new-pw-2026", "usable_password": "true"}
    )
    people.rita.refresh_from_db()
    assert not people.rita.check_password("Brand-new-pw-2026")
