import pytest
from django.test import Client


@pytest.fixture
def browser_of():
    """A logged-in web client (session cookie, CSRF checks on) for a persona."""

    def make(user):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make
