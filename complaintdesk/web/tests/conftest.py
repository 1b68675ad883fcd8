import pytest
from django.test import Client

# The browser tests' fixtures (their modules set `pytestmark = browser_kit.MARKS`).
from complaintdesk.web.tests.browser_kit import _taxonomy, browser, clock, open_page  # noqa: F401


@pytest.fixture
def browser_of():
    """A logged-in web client (session cookie, CSRF checks on) for a persona."""

    def make(user):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make
