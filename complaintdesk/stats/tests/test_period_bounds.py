"""Periods at the ends of the calendar: days whose year before, or day after, is no date answer 422 naming
the parameter on every statistics endpoint (they used to surface as a 404 or a 500); the outermost days
that are allowed work, with a running deadline in the database so that the period's instants are used."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib.errors import FieldError
from complaintdesk.stats.models import ShopCount
from complaintdesk.stats.periods import Period

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OUT_OF_RANGE = "must be between 0002-01-01 and 9998-12-31"
ENDPOINTS = [
    "/stats/summary",
    "/stats/breakdown?by=shop",
    "/stats/series?interval=day",
    "/stats/series?interval=week",
    "/stats/series?interval=month",
    "/stats/export?table=summary",
    "/stats/export?table=series&interval=month",
    "/stats/export?table=complaints",
    "/stats/open-data",
]
BAD_PERIODS = [
    ("0001-01-01", "0001-01-01", "start"),  # no year before it
    ("0001-12-31", "0002-01-31", "start"),
    ("9999-12-31", "9999-12-31", "start"),  # no day after it
    ("9998-12-01", "9999-01-01", "end"),
]


@pytest.fixture
def running(people):
    """A complaint whose first response is not yet due, so every compliance figure reads raw instants."""
    with time_machine.travel(NOW, tick=False):
        return factories.complaint(people.alice, people.acme)


def _stored():
    return Complaint.objects.count(), Deadline.objects.count(), ShopCount.objects.count()


def _get(client, path, start, end):
    joiner = "&" if "?" in path else "?"
    with time_machine.travel(NOW, tick=False):
        return client.get(f"{path}{joiner}start={start}&end={end}")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(("start", "end", "field"), BAD_PERIODS)
def test_days_beyond_the_calendar_are_422_naming_the_parameter(running, people, api, path, start, end, field):
    client = api(None if "open-data" in path else people.rita)
    before = _stored()
    response = _get(client, path, start, end)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", field], "msg": OUT_OF_RANGE, "type": "value_error"}]
    assert _stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(("start", "end"), [("0002-01-01", "0002-12-31"), ("9998-01-01", "9998-12-31")])
def test_the_first_and_last_allowed_years_are_answered(running, people, api, path, start, end):
    client = api(None if "open-data" in path else people.rita)
    response = _get(client, path, start, end)
    assert response.status_code == 200, response.content


def test_a_period_is_refused_before_its_date_arithmetic_could_overflow():
    with pytest.raises(FieldError) as refused:
        Period.parse(date(9999, 12, 31), date(9999, 12, 31))
    assert (refused.value.field, refused.value.reason) == ("start", OUT_OF_RANGE)
    period = Period.parse(date(2, 1, 1), date(2, 1, 1))
    assert period.previous_year() == Period(date(1, 1, 1), date(1, 1, 1))


@pytest.mark.django_db
def test_the_stats_command_names_the_option(people):
    with pytest.raises(CommandError, match=f"--end: {OUT_OF_RANGE}"):
        call_command("stats", "--start", "2026-01-01", "--end", "9999-12-31", stdout=StringIO())


@pytest.mark.django_db
def test_an_id_in_the_path_beyond_any_database_integer_is_still_not_found(people, api):
    response = api(None).get(f"/merchants/{'9' * 25}/scorecard")
    assert (response.status_code, response.json()) == (404, {"detail": "not found"})
