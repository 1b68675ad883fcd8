"""django-axes: repeated failures lock a username for one address, on the web login and the API alike."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from complaintdesk.accounts.models import ApiToken

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"


def _web_login(client, username, password, addr="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _api_login(client, username, password, addr="192.0.2.10"):
    return client.post(
        TOKEN, {"username": username, "password": password}, content_type="application/json", REMOTE_ADDR=addr
    )


@pytest.mark.django_db
def test_the_web_login_locks_after_five_failures_and_refuses_even_the_right_password(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _web_login(client, "alice", "wrong").status_code == 200  # the form again, with its error
    locked = _web_login(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    assert _web_login(client, "alice", "pw-alice").status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lock_is_per_username_and_address_so_nobody_can_lock_a_user_out_from_elsewhere(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _web_login(client, "bob", "wrong", addr="198.51.100.66")
    assert _web_login(Client(), "bob", "pw-bob", addr="192.0.2.10").status_code == 302
    assert _web_login(Client(), "carol", "pw-carol", addr="198.51.100.66").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off_time(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _web_login(client, "alice", "wrong")
    assert _web_login(client, "alice", "pw-alice").status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1), tick=False):
        assert _web_login(Client(), "alice", "pw-alice").status_code == 302


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _web_login(client, "alice", "wrong")
    assert _web_login(Client(), "alice", "pw-alice").status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _web_login(client, "alice", "wrong").status_code == 200


@pytest.mark.django_db
def test_the_api_token_endpoint_locks_with_a_json_429(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _api_login(client, "alice", "wrong")
        assert response.status_code == 401 and response.json() == {"detail": "wrong username or password"}
    locked = _api_login(client, "alice", "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "too many failed logins" in locked.json()["detail"]
    refused = _api_login(client, "alice", "pw-alice")
    assert refused.status_code == 429 and "token" not in refused.json()
    assert not ApiToken.objects.filter(user=people.alice).exists()


@pytest.mark.django_db
def test_failures_on_the_web_and_the_api_count_together(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _web_login(client, "alice", "wrong")
    assert _api_login(client, "alice", "wrong").status_code == 429


@pytest.mark.django_db
def test_a_token_is_issued_used_and_revoked(people):
    client = Client()
    response = _api_login(client, "alice", "pw-alice")
    assert response.status_code == 200
    auth = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/api/v1/complaints", headers=auth).status_code == 200
    token = ApiToken.objects.get(user=people.alice)
    assert token.key_hash != response.json()["token"]  # only the hash is stored
    assert client.delete(TOKEN, headers=auth).status_code == 204
    assert client.get("/api/v1/complaints", headers=auth).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_revoking_one_token_leaves_the_others(people):
    client = Client()
    first = _api_login(client, "alice", "pw-alice").json()["token"]
    second = _api_login(client, "alice", "pw-alice").json()["token"]
    client.delete(TOKEN, headers={"Authorization": f"Bearer {first}"})
    assert client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {second}"}).status_code == 200


@pytest.mark.django_db
def test_a_deactivated_users_tokens_stop_working(people):
    _, raw = ApiToken.issue(people.alice)
    people.alice.is_active = False
    people.alice.save()
    assert Client().get("/api/v1/complaints", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
