"""Who reported a shop never reaches the shop's side (issue 13 item 3, SPEC §10): not in any API answer its
staff can get, any web page they can open (the workbench, the shop's pages, the letters), its downloads, the
open data, or any notice or webhook sent to the shop or its staff. A shop sees no report at all: there is no
shop view of a matter, so not even the facts of one reach it.

Every API operation is read from the OpenAPI document and every web address from the URL configuration (as
the tenancy matrix does), so a page or an endpoint added later is checked the day it lands."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.api.tests import world
from complaintdesk.api.tests.test_tenancy_matrix import (
    OPERATIONS,
    WEB_PATTERNS,
    Caller,
    _text,
    _url,
    _web_url,
)
from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind
from complaintdesk.complaints.tests import factories
from complaintdesk.notify import outbox
from complaintdesk.notify.models import Notification, OutboxMessage

# What identifies the reporter: their account, the name and contacts they left.
REPORTER = "whistle-zhou"
NAME, PHONE, EMAIL = "Zhou Xiaoming", "13912345678", "zhou.reporter@example.test"
MARKS = (REPORTER, NAME, PHONE, EMAIL)
SHOP_ROLES = ("bob", "carol")  # Acme's agent and coordinator


@pytest.fixture
def reported(people):
    """Acme's world (a complaint, a filing, letters…) and a named report about Acme, decided, whose reporter
    is also one of its consumers with a complaint of her own (a shop sees its consumers' names masked, SPEC
    §1, so that complaint names her to nobody at the shop either); and an enquiry about Acme by her."""
    own, _other, version = world.build(people)
    reporter = User.objects.create(username=REPORTER, role=Role.CONSUMER, email=EMAIL, first_name=NAME)
    factories.complaint(reporter, people.acme, order_number="ORD-R")
    report = matters.file(
        reporter,
        Filing(MatterKind.REPORT, "Acme sells fake chargers as originals.", merchant=people.acme.pk,
               contact_name=NAME, contact_phone=PHONE, contact_email=EMAIL),
    )  # fmt: skip
    matters.decide_report(report.pk, people.rita, "open_case", "Test purchases confirm it.")
    enquiry = matters.file(reporter, Filing(MatterKind.ENQUIRY, "Is Acme allowed to do this?", merchant=people.acme.pk,
                                            contact_phone=PHONE))  # fmt: skip
    matters.answer_enquiry(enquiry.pk, people.rita, "No.")
    # The notices go out (in-app ones become notifications under the bell).
    for message_id in outbox.due_message_ids(timezone.now() + timedelta(minutes=1)):
        outbox.deliver(message_id)
    return own, version


def _clean(text: str, where: str) -> None:
    for mark in MARKS:
        assert mark not in text, f"{where} shows the reporter's {mark!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", SHOP_ROLES)
def test_no_api_answer_a_shop_can_get_names_the_reporter(people, client, reported, role):
    own, version = reported
    call = Caller(client, getattr(people, role))
    reached = 0
    for method, path, operation in OPERATIONS:
        if method != "GET":
            continue
        answer = call(method, _url(path, own, version), operation, own)
        assert answer.status_code < 500
        if "/reports" in path or "/enquiries" in path:
            assert answer.status_code == 403, path  # a shop sees no report, not even its facts
        _clean(_text(answer), f"GET {path} as {role}")
        reached += answer.status_code == 200
    assert reached > 10


@pytest.mark.django_db
@pytest.mark.parametrize("role", SHOP_ROLES)
def test_no_web_page_or_download_a_shop_can_open_names_the_reporter(people, client, reported, role):
    own, version = reported
    client.force_login(getattr(people, role))
    reached = 0
    for name, route in WEB_PATTERNS:
        url = _web_url(route, own, version)
        answer = client.get(url)
        assert answer.status_code < 500, url
        if name in ("matters", "matter", "decide_matter"):
            assert answer.status_code == 403, url
        _clean(_text(answer), f"{url} as {role}")
        reached += answer.status_code == 200
    # The downloads in each format: the spreadsheet is read inside its zip.
    for url in ("/exports/complaints/?format=csv", "/exports/complaints/?format=xlsx",
                "/exports/statistics/?table=summary&format=csv"):  # fmt: skip
        answer = client.get(url)
        assert answer.status_code == 200, url
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        if url.endswith("xlsx"):
            with zipfile.ZipFile(io.BytesIO(body)) as sheet:
                body = b"".join(sheet.read(n) for n in sheet.namelist())
        _clean(body.decode(errors="replace"), f"{url} as {role}")
    # The letters of the report and the enquiry are not the shop's: as if they did not exist.
    for matter in Matter.objects.all():
        for letter in matter.notices.all():
            assert client.get(f"/letters/{letter.pk}/").status_code == 404
    assert reached > 5


@pytest.mark.django_db
def test_no_notice_or_webhook_to_the_shop_or_its_staff_names_the_reporter(people, reported):
    staff = [people.bob, people.carol]
    reporter = User.objects.get(username=REPORTER)
    to_shop = OutboxMessage.objects.exclude(kind="user", target=str(reporter.pk)).exclude(target=EMAIL)
    assert to_shop.exists()
    for message in to_shop:
        _clean(
            f"{message.subject} {message.body} {message.payload} {message.notice}", f"outbox {message.event}"
        )
    for notification in Notification.objects.filter(user__in=staff):
        _clean(f"{notification.title} {notification.body}", "a shop's notification")
    # The public open data, for anyone.
    _clean(Client().get("/api/v1/stats/open-data").content.decode(), "the open data")
