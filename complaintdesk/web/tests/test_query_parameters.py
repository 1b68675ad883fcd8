"""Every web page's query parameters go through its form in web/filters.py: hostile values answer 4xx naming
the parameter, never 500 (run on SQLite and PostgreSQL: PostgreSQL text cannot hold a NUL), and downloads
refuse before they stream. Valid values keep filtering and paging as before."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse

from complaintdesk.alerts.models import AlertKind
from complaintdesk.alerts.services import raise_alert
from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Flag, FlagReason, MatterKind
from complaintdesk.complaints import evidence, groups
from complaintdesk.complaints.tests import factories
from complaintdesk.notify.models import Notification
from complaintdesk.pledges.models import PledgeVersion
from complaintdesk.promotions.tests.helpers import FILING_DAY, past_filing
from complaintdesk.web import urls
from complaintdesk.web.filters import PeriodForm

WEB = Path(__file__).resolve().parents[1]
HOSTILE = ["²", "99999999999999999999", "a\x00b", "-1", "x" * 5000, "1e400"]
# The views that read the statistics period besides their own form (`filters.requested_period`).
PERIOD_READERS = {"dashboard", "export_statistics"}
# Every parameter any page reads: sent all at once to the pages that declare none, to find a hidden reader.
EVERY_PARAMETER = ["q", "state", "merchant", "category", "overdue", "page", "view", "format", "table", "by",
                   "kind"]  # fmt: skip
ROLES = ["anonymous", "alice", "bob", "carol", "rita"]


@pytest.fixture
def world(people):
    """One of each thing a web address names: a complaint with evidence, a filing, an alert, a pledge."""
    complaint = factories.complaint(people.alice, people.acme)
    item = evidence.attach(complaint, people.alice, SimpleUploadedFile("note.txt", b"a note"))
    filing = past_filing(people.acme, people.carol, FILING_DAY, FILING_DAY.replace(day=21))
    alert, _ = raise_alert(
        AlertKind.SURGE,
        people.acme,
        "2026-11-11T10",
        "Surge",
        complaints=[complaint],
        observed=30,
        expected=2.5,
    )
    version = PledgeVersion.objects.create(number=99, title="A draft")
    report = matters.file(people.alice, Filing(MatterKind.REPORT, "Fakes", merchant=people.acme.pk))
    group = groups.open_group(people.rita, product="Headphones", problem="Silent", complaints=[complaint])
    notice = Notification.objects.create(
        user=people.alice, title="A notice", link=f"/complaints/{complaint.pk}/"
    )
    return {
        "complaint_id": complaint.pk,
        "evidence_id": item.pk,
        "promotion_id": filing.pk,
        "alert_id": alert.pk,
        "merchant_id": people.acme.pk,
        "version_id": version.pk,
        "action": "respond",
        "mail_id": "none@complaintdesk",
        "notification_id": notice.pk,
        "matter_id": report.pk,
        "group_id": group.pk,
        "flag_id": Flag.objects.create(
            complaint=complaint, reason=FlagReason.REPEAT, raised_at=complaint.received_at
        ).pk,
        "notice_id": 987654,  # a letter's page: any id answers without reading a parameter
    }


def _parameters(pattern: URLPattern) -> tuple[list[str], dict]:
    """The page's parameters, and valid values of its required ones (each hostile value is sent with them,
    so that it is the one the page reads)."""
    form = getattr(pattern.callback, "query_form", None)
    fields = form.base_fields if form else {}
    names = list(fields)
    if pattern.name in PERIOD_READERS:
        names += list(PeriodForm.base_fields)
    return names, {name: field.choices[0][0] for name, field in fields.items() if field.required}


def _client(people, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(people, role))
    return client


def _fetch(client, url, params):
    response = client.get(url, params)
    if response.streaming:  # a download that failed half-way would raise here
        b"".join(response.streaming_content)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_web_page_answers_500_to_hostile_query_parameters(people, world, role):
    client = _client(people, role)
    checked = 0
    for pattern in urls.urlpatterns:
        url = reverse(f"web:{pattern.name}", kwargs={k: world[k] for k in pattern.pattern.converters})
        names, required = _parameters(pattern)
        if not names:
            for value in HOSTILE:
                response = _fetch(client, url, dict.fromkeys(EVERY_PARAMETER, value))
                assert response.status_code < 500, (url, value)
            continue
        for name in names:
            for value in HOSTILE:
                response = _fetch(client, url, {**required, name: value})
                assert response.status_code < 500, (url, name, value)
                if response.status_code in (400, 422):
                    body = response.content.decode()
                    assert f"<code>{name}</code>" in body or f"{name}: " in body or f"field-{name}" in body, (
                        url,
                        name,
                        value,
                    )
                checked += 1
    assert checked > 100  # the pages with forms were reached, whoever was turned away at the door


def test_no_web_view_reads_the_query_string_but_through_filters():
    readers = [
        str(path.relative_to(WEB))
        for path in WEB.rglob("*.py")
        if "tests" not in path.parts and "request.GET" in path.read_text()
    ]
    assert readers == ["filters.py"]
    period_readers = {
        m.group(1)
        for path in (WEB / "views").glob("*.py")
        for m in re.finditer(r"def (\w+)\(request[^)]*\):\n(?:.*\n)*?.*requested_period\(", path.read_text())
    }
    views = {p.callback.__name__: p.name for p in urls.urlpatterns}
    assert {views.get(v, v) for v in period_readers} == {"dashboard", "export_statistics"}


@pytest.mark.django_db
def test_a_bad_parameter_is_named_with_its_reason_and_a_way_back(people, browser_of):
    page = browser_of(people.rita).get(reverse("web:all_complaints"), {"merchant": "²", "state": "lost"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "<code>merchant</code>: Enter a whole number." in text
    assert "<code>state</code>: Select a valid choice. lost is not one of the available choices." in text
    assert f'href="{reverse("web:all_complaints")}"' in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"merchant": "0"}, "merchant: Ensure this value is greater than or equal to 1."),
        (
            {"merchant": str(2**63)},
            "merchant: Ensure this value is less than or equal to 9223372036854775807.",
        ),
        ({"q": "x" * 101}, "q: Ensure this value has at most 100 characters (it has 101)."),
        ({"format": "pdf"}, "format: Select a valid choice. pdf is not one of the available choices."),
    ],
)
def test_the_complaint_download_refuses_before_writing_a_byte(people, browser_of, params, message):
    factories.complaint(people.alice, people.acme)
    response = browser_of(people.rita).get(reverse("web:export_complaints"), params)
    assert (response.status_code, response["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert not response.streaming
    assert response.content.decode() == message


@pytest.mark.django_db
def test_a_statistics_download_names_its_missing_table(people, browser_of):
    response = browser_of(people.rita).get(reverse("web:export_statistics"), {"interval": "year"})
    assert response.status_code == 400
    assert response.content.decode().splitlines() == [
        "table: This field is required.",
        "interval: Select a valid choice. year is not one of the available choices.",
    ]


@pytest.mark.django_db
def test_the_complaint_list_filters_and_pages_with_valid_values(people, browser_of, settings):
    acme = [factories.complaint(people.alice, people.acme) for _ in range(51)]
    bazaar = factories.complaint(people.erin, people.bazaar, category="quality")
    rita = browser_of(people.rita)
    url = reverse("web:all_complaints")

    first = rita.get(url, {"merchant": people.acme.pk})
    cursor = first.context["page"].next
    assert f"merchant={people.acme.pk}&amp;cursor=" in first.content.decode()  # the pager keeps the filter
    second = rita.get(url, {"merchant": people.acme.pk, "cursor": cursor})
    page = second.content.decode()
    assert acme[0].reference in page and bazaar.reference not in page  # newest first: the oldest is on page 2
    # The shop picker shows the shop chosen by its id, by its name (web.forms.complaint_filter).
    assert f'<input type="hidden" name="merchant" value="{people.acme.pk}">' in page
    assert 'name="merchant_name" value="Acme Online"' in page
    back = rita.get(url, {"merchant": people.acme.pk, "cursor": second.context["page"].previous})
    assert [row["complaint"] for row in back.context["rows"]] == acme[:0:-1]  # "Previous": the first page
    assert bazaar.reference in rita.get(url, {"category": "quality", "q": " "}).content.decode()
    assert rita.get(url, {"overdue": "1"}).status_code == 200


@pytest.mark.django_db
def test_the_queue_and_the_lists_keep_their_defaults(people, browser_of):
    assert browser_of(people.bob).get(reverse("web:queue")).context["view"] == "open"
    rita = browser_of(people.rita)
    assert rita.get(reverse("web:alerts")).context["state"] == "open"
    assert rita.get(reverse("web:alerts"), {"state": "all"}).context["state"] == "all"
    assert rita.get(reverse("web:filings")).context["state"] == "submitted"
    assert rita.get(reverse("web:filings"), {"state": "bogus"}).status_code == 400


@pytest.mark.django_db
def test_a_link_to_the_filing_form_chooses_the_shop(people, browser_of):
    alice = browser_of(people.alice)
    form = alice.get(reverse("web:file_complaint"), {"merchant": people.bazaar.pk}).context["form"]
    assert form.initial == {"merchant": people.bazaar.pk}
    assert alice.get(reverse("web:file_complaint"), {"merchant": "²"}).status_code == 400
