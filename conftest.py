"""Shared test set-up: named personas (healthchecks' alice/bob/charlie) and API helpers."""

from datetime import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from complaintdesk.accounts.models import ApiToken, Role, User
from complaintdesk.deadlines.services import forget_statutory_entries
from complaintdesk.merchants.models import Merchant
from complaintdesk.merchants.uscc import check_character


def credit_code(seed: int) -> str:
    body = f"91310000MA1T{seed:05d}"
    return body + check_character(body)


class Api:
    """A JSON client for one user, authenticated with a real bearer token."""

    def __init__(self, user: User | None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, raw = ApiToken.issue(user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method, path, data=None, headers=None, **kwargs):
        fn = getattr(self.client, method)
        hdrs = {**self.headers, **(headers or {})}
        if data is not None and method != "get":
            return fn(f"/api/v1{path}", data=data, content_type="application/json", headers=hdrs, **kwargs)
        return fn(f"/api/v1{path}", data=data, headers=hdrs, **kwargs)

    def get(self, path, params=None, **kw):
        return self._call("get", path, params, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data or {}, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO",
        help="run the suite as if the wall clock had started at this aware instant (it ticks on), e.g. "
        "2026-10-02T10:00+08:00: a test that passes at one instant and fails at another depends on when "
        "it runs (docs/reliability.md lists the instants CI-like runs try)",
    )


def pytest_configure(config):
    if at := config.getoption("--clock"):
        instant = datetime.fromisoformat(at)
        if instant.tzinfo is None:
            raise pytest.UsageError(f"--clock needs an offset or zone, as in {at}+08:00")
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    # The regulator's calendar entries are cached per process; a test's rolled-back rows must not linger.
    forget_statutory_entries()
    # A request in Chinese leaves Chinese active in this thread; domain messages follow the active language.
    translation.deactivate()


@pytest.fixture
def people(db):
    """Alice shops, Bob and Carol serve Acme, Dave serves Bazaar, Erin consumes too, Rita regulates."""
    acme = Merchant.objects.create(name="Acme Online", credit_code=credit_code(1))
    bazaar = Merchant.objects.create(name="Bazaar Mall", credit_code=credit_code(2))

    def user(name, role, merchant=None):
        u = User.objects.create(username=name, role=role, merchant=merchant)
        u.set_password("pw-" + name)
        u.save()
        return u

    class People:
        pass

    p = People()
    p.acme, p.bazaar = acme, bazaar
    p.alice = user("alice", Role.CONSUMER)
    p.erin = user("erin", Role.CONSUMER)
    p.bob = user("bob", Role.MERCHANT_AGENT, acme)
    p.carol = user("carol", Role.MERCHANT_COORDINATOR, acme)
    p.dave = user("dave", Role.MERCHANT_AGENT, bazaar)
    p.rita = user("rita", Role.REGULATOR)
    return p


@pytest.fixture
def api():
    return Api
