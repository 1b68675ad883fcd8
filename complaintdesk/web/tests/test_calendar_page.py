"""The console's statutory calendar page: the regulator uploads the State Council notice (holiday-cn JSON or
.ics) or enters one day, instead of running `import_holidays`; every bad input is named and stores nothing."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import CalendarOverride
from complaintdesk.deadlines.services import calendar_warnings

DATA = Path(__file__).parents[2] / "deadlines" / "tests" / "data"
SH = ZoneInfo("Asia/Shanghai")
# Late 2026: chinesecalendar knows 2026, nothing knows 2027 yet.
LATE_2026 = datetime(2026, 12, 28, 10, tzinfo=SH)
URL = "/console/calendar/"


@pytest.fixture(autouse=True)
def late_2026():
    # Signed in and posting at the same frozen time: a session from another day would have expired.
    with time_machine.travel(LATE_2026, tick=False):
        yield


def _upload(client, name: str, content: bytes):
    return client.post(URL, {"form": "file", "file-file": SimpleUploadedFile(name, content)})


def _day(client, **fields):
    return client.post(URL, {"form": "day", **{f"day-{k}": v for k, v in fields.items()}})


def test_the_console_page_has_its_address():
    assert reverse("web:statutory_calendar") == URL


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["holiday-cn-2027-illustrative.json", "cn-holidays-2027-illustrative.ics"])
def test_uploading_the_notice_covers_the_year_and_moves_guessed_deadlines(people, browser_of, name):
    c = factories.complaint(people.alice, people.acme)
    assert c.deadlines.get(phase="resolution").warning  # guessed: 2027 is unknown
    page = browser_of(people.rita).get(URL).content.decode()
    assert "2027: no statutory calendar covers this year yet" in page
    client = browser_of(people.rita)
    response = _upload(client, name, (DATA / name).read_bytes())
    assert response.status_code == 302 and response["Location"] == URL
    assert CalendarOverride.objects.get(date="2027-01-01").is_day_off
    assert CalendarOverride.objects.filter(date__year=2027).first().created_by == people.rita
    assert c.deadlines.get(phase="resolution").warning == ""
    assert not any(w.startswith("2027") for w in calendar_warnings())
    page = client.get(URL).content.decode()
    assert "Saved " in page and "2027-01-01" in page and 'id="calendar-warnings"' not in page


BAD_FILES = [
    ("2027.json", b'{"year": 2027, "days": [', "2027.json could not be read: 2027.json: not valid JSON"),
    ("2027.json", b'{"year": 2027, "days": []}', '"days" must be a non-empty list'),
    ("2027.txt", b"2027-01-01 off", "unknown holiday file type"),
    ("2027.ics", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "2027.ics is not a text file (JSON or iCalendar)."),
    ("2027.json", b"", "The submitted file is empty."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_file_is_named_with_its_reason_and_nothing_is_stored(
    people, browser_of, name, content, message
):
    response = _upload(browser_of(people.rita), name, content)
    assert response.status_code == 422
    assert message in response.content.decode().replace("&quot;", '"')
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(people, browser_of, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    content = (DATA / "holiday-cn-2027-illustrative.json").read_bytes()
    response = _upload(browser_of(people.rita), "2027.json", content + b" " * (1024 * 1024))
    assert response.status_code == 422
    assert "2027.json is too large: the limit is 1 MB." in response.content.decode()
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_one_day_off_and_one_working_day_are_entered_and_replace_the_earlier_entry(people, browser_of):
    client = browser_of(people.rita)
    assert _day(client, date="2027-01-01", kind="off", note="元旦").status_code == 302
    assert _day(client, date="2027-02-20", kind="working", note="").status_code == 302
    assert _day(client, date="2027-01-01", kind="working", note="changed").status_code == 302
    assert list(CalendarOverride.objects.values_list("date", "is_day_off", "note", "notice_year")) == [
        (date(2027, 1, 1), False, "changed", 2027),
        (date(2027, 2, 20), False, "", 2027),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"date": "2027-02-30", "kind": "off"}, "date", "Enter a valid date."),
        ({"date": "", "kind": "off"}, "date", "This field is required."),
        ({"date": "2027-01-01", "kind": "holiday"}, "kind", "Select a valid choice."),
        ({"date": "2027-01-01"}, "kind", "This field is required."),
        (
            {"date": "2027-01-01", "kind": "off", "note": "x" * 201},
            "note",
            "“Name or note” may have at most 200 characters (it has 201).",
        ),
    ],
)
def test_a_bad_day_is_named_at_its_field_and_nothing_is_stored(people, browser_of, fields, field, message):
    response = _day(browser_of(people.rita), **fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_day-{field}_error"' in page and message in page
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_only_the_regulator_has_the_page(people, browser_of):
    assert Client().get(URL).status_code == 302  # to the login page
    for user in (people.alice, people.bob):
        client = browser_of(user)
        assert client.get(URL).status_code == 403
        assert _day(client, date="2027-01-01", kind="off").status_code == 403
        content = (DATA / "holiday-cn-2027-illustrative.json").read_bytes()
        assert _upload(client, "2027.json", content).status_code == 403
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_the_dashboard_warning_points_to_the_calendar_page(people, browser_of):
    page = browser_of(people.rita).get(reverse("web:dashboard")).content.decode()
    assert "on the console&#x27;s Calendar page" in page and f'href="{URL}"' in page
    assert "import_holidays" not in page
