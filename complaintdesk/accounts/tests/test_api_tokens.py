"""API tokens expire (API_TOKEN_DAYS) and end when the account they speak for changes: a new password,
deactivation, another role or shop. Expired and revoked tokens answer 401 saying so."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import ApiToken, Role
from complaintdesk.accounts.tests.forms import posted_form
from complaintdesk.merchants import profile

ROOT = Path(__file__).resolve().parents[3]
ISSUED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _get(raw: str):
    return Client().get("/api/v1/complaints", headers={"Authorization": f"Bearer {raw}"})


def _revoked(raw: str) -> bool:
    response = _get(raw)
    return response.status_code == 401 and response.json()["detail"].startswith("this token was revoked")


@pytest.fixture
def tokens(people):
    """A live token for each of Alice, Bob and Rita."""
    return {name: ApiToken.issue(getattr(people, name))[1] for name in ("alice", "bob", "rita")}


@pytest.mark.django_db
def test_the_token_endpoint_says_when_the_token_expires(people, settings):
    settings.API_TOKEN_DAYS = 7
    with time_machine.travel(ISSUED, tick=False):
        response = Client().post(
            "/api/v1/auth/token",
            {"username": "alice", "password": "pw-alice"},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert response.json()["expires_at"] == "2026-12-08T09:00:00Z"
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["TokenOut"]
    assert set(schema["required"]) == {"token", "expires_at"}


@pytest.mark.django_db
def test_a_shorter_setting_applies_to_tokens_already_out(people, settings):
    with time_machine.travel(ISSUED, tick=False):
        _, raw = ApiToken.issue(people.alice)
    with time_machine.travel(ISSUED + timedelta(days=10), tick=False):
        assert _get(raw).status_code == 200
        settings.API_TOKEN_DAYS = 7
        assert "expired at 2026-12-08T09:00:00Z (tokens last 7 days)" in _get(raw).json()["detail"]


@pytest.mark.django_db
def test_an_unknown_token_hears_the_general_rule(people):
    response = _get("not-a-token-we-issued")
    assert response.status_code == 401
    assert response.json() == {"detail": "authentication required: send Authorization: Bearer <token>"}


@pytest.mark.django_db
def test_signing_out_revokes_the_token_it_was_sent_with(people, tokens):
    assert (
        Client()
        .delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {tokens['alice']}"})
        .status_code
        == 204
    )
    assert _revoked(tokens["alice"])


@pytest.mark.django_db
def test_an_officer_deactivating_shop_staff_revokes_their_tokens_only(people, tokens):
    officer = Client()
    officer.force_login(people.rita)
    url = reverse("admin:accounts_user_change", args=[people.bob.pk])
    data = posted_form(officer.get(url), "user_form")
    data.pop("is_active")
    assert officer.post(url, data).status_code == 302
    people.bob.refresh_from_db()
    assert not people.bob.is_active and _revoked(tokens["bob"])
    assert _get(tokens["alice"]).status_code == 200 and _get(tokens["rita"]).status_code == 200


@pytest.mark.django_db
def test_a_password_reset_in_the_back_office_revokes_the_tokens(people, tokens):
    officer = Client()
    officer.force_login(people.rita)
    new = {"password1": "Fresh-start-2026", "password2": "Fresh-start-2026", "usable_password": "true"}
    assert (
        officer.post(reverse("admin:auth_user_password_change", args=[people.alice.pk]), new).status_code
        == 302
    )
    assert _revoked(tokens["alice"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.alice.set_password("another-one"),
        lambda p: p.alice.set_unusable_password(),
        lambda p: setattr(p.alice, "is_active", False),
        lambda p: setattr(p.alice, "role", Role.REGULATOR),
    ],
    ids=["password", "no-password", "deactivated", "role"],
)
def test_a_change_of_what_the_token_speaks_for_revokes_it(people, tokens, change):
    change(people)
    people.alice.save()
    assert _revoked(tokens["alice"])
    assert _get(tokens["bob"]).status_code == 200


@pytest.mark.django_db
def test_shop_staff_moved_to_another_shop_lose_their_tokens(people, tokens):
    people.bob.merchant = people.bazaar
    people.bob.save(update_fields=["merchant"])
    assert _revoked(tokens["bob"])


@pytest.mark.django_db
def test_other_changes_and_logging_in_keep_the_tokens(people, tokens):
    people.alice.first_name, people.alice.email = "Alice", "alice@example.org"
    people.alice.save()
    web = Client()
    assert web.post("/accounts/login/", {"username": "alice", "password": "pw-alice"}).status_code == 302
    assert _get(tokens["alice"]).status_code == 200


def test_every_token_expires_a_zero_setting_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "complaintdesk.settings",
            "API_TOKEN_DAYS": "0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "API_TOKEN_DAYS must be at least 1 (every token expires): 0" in result.stderr


@pytest.mark.django_db
def test_handing_over_the_coordinator_role_revokes_both_peoples_tokens(people):
    """Designating a coordinator changes two roles (the new one's, the former one's): both lose their tokens;
    the shop's other staff keep theirs."""
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "138 0013 8000")
    carol, bob, dave = (ApiToken.issue(u)[1] for u in (people.carol, people.bob, people.dave))
    profile.designate_coordinator(people.acme.pk, people.rita, people.bob.pk, "138 0013 8001")
    assert _revoked(carol) and _revoked(bob)
    assert _get(dave).status_code == 200
