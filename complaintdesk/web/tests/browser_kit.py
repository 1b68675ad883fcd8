"""What every browser test module shares: Debian's Chromium driven by Playwright against the live test
server, at a fixed clock. A browser test module sets `pytestmark = browser_kit.MARKS` (which uses the
`clock` and `_taxonomy` fixtures); web/tests/conftest.py makes the fixtures available to every module there."""

import importlib
import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.db import connections
from django.utils import timezone

try:
    from playwright import sync_api

    expect = sync_api.expect
except ImportError:  # the skip mark below says why
    sync_api = expect = None

CHROMIUM = "/usr/bin/chromium"
MARKS = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
    pytest.mark.skipif(sync_api is None, reason="browser tests need the playwright package"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clock", "_taxonomy"),
]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
TIMEOUT_MS = 20_000

# Instants (Asia/Shanghai) the live server's and the browser's clocks start at. A quality issue's deadlines
# come in a different order at each: filed in working time, the 2-hour first response falls due before the
# 4-working-hour reply; filed in the small hours or on a holiday, the 12-hour first response falls due after it.
CLOCKS = {
    "working-hours": "2026-11-10T10:00:00+08:00",  # a Tuesday
    "small-hours": "2026-11-11T03:00:00+08:00",  # a Wednesday, before the shop opens
    "holiday": "2026-10-02T10:00:00+08:00",  # National Day
}


_SERIALIZED: dict = {}  # the serialized test database, as django_db_setup left it on the connection


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from it unless
    # told they are safe (they are: this thread serves no requests, the live server's thread does). Only for
    # this module: the rest of the suite keeps Django's check.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Taken while this thread still has the connection the test database was set up with (see _taxonomy).
    _SERIALIZED["default"] = getattr(connections["default"], "_test_serialized_contents", None)
    try:
        yield from _chromium()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _chromium():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture
def clock(request):
    """No test here depends on when it runs: the live server (a thread of this process, so time_machine
    reaches it) starts at a chosen instant and ticks on from there; `open_page` starts each browser's clock
    at the same instant, so live countdowns count against the server's deadlines. Tests pick an instant of
    CLOCKS with indirect parametrisation; working hours otherwise."""
    instant = datetime.fromisoformat(getattr(request, "param", CLOCKS["working-hours"]))
    with time_machine.travel(instant, tick=True):
        yield instant


@pytest.fixture
def open_page(browser, live_server, clock):
    """A new browser context (own cookies) per person; pages time out rather than hang."""
    contexts = []
    expect.set_options(timeout=TIMEOUT_MS)

    def make(locale="en-GB", width=1280, height=900, **options):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height}, **options)
        context.clock.install(time=timezone.now())
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def _taxonomy(transactional_db):
    """The default categories, deadline policy and the centre's rule version are migration data that a
    transactional test's flush removes, and Django's serialized rollback does not put them back for the first
    test here: once Playwright's greenlets run, this thread gets a fresh database connection without the
    serialized copy. So the migrations' own functions put them back.

    After each test the copy taken in `browser` is handed to that fresh connection: the flush ending the
    test then skips post_migrate as it should, and the next serialized-rollback test (here or in any
    module run after this one) reloads the database instead of tripping over content types that
    post_migrate re-created."""
    importlib.import_module("complaintdesk.complaints.migrations.0002_default_categories").create(apps, None)
    importlib.import_module("complaintdesk.deadlines.migrations.0004_default_policy").seed(apps, None)
    importlib.import_module("complaintdesk.centre.migrations.0002_default_rules").seed(apps, None)
    yield
    if _SERIALIZED.get("default") is not None:
        connections["default"]._test_serialized_contents = _SERIALIZED["default"]


def log_in(page, username, password):
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text(username)


def act(page, action_summary, message, **extra):
    """Open an action's form on the complaint page, fill it and send it (htmx swaps the panel in place)."""
    box = page.locator("details.action", has=page.locator("summary", has_text=action_summary))
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    if message is not None:
        box.get_by_role("textbox").first.fill(message)
    for label, value in extra.items():
        text = label.replace("_", " ")
        if value is True:
            box.get_by_label(text, exact=True).check()
            continue
        control = box.get_by_label(text + ":", exact=True)
        if label == "Resolution":
            control.select_option(label=value)
        else:
            control.fill(value)
    box.get_by_role("button", name=action_summary).click()
