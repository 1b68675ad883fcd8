"""Sign-up applies AUTH_PASSWORD_VALIDATORS: length, not common, not all digits, not like the username."""

import pytest
from django.test import Client

from complaintdesk.accounts.models import Role, User


def _signup(username, password, email=""):
    return Client().post(
        "/signup/", {"username": username, "email": email, "password1": password, "password2": password}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!pw", "too short"),
        ("password1234", "too common"),
        ("8273645190123", "entirely numeric"),
        ("wangxiaoming2026", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    response = _signup("wangxiaoming2026", password)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not User.objects.filter(username="wangxiaoming2026").exists()


@pytest.mark.django_db
def test_a_strong_password_makes_a_consumer_account_and_logs_in():
    response = _signup("wangxiaoming2026", "violet-harbour-lantern-42")
    assert response.status_code == 302
    user = User.objects.get(username="wangxiaoming2026")
    assert user.role == Role.CONSUMER and user.merchant is None and not user.is_staff
    assert user.check_password("violet-harbour-lantern-42")
