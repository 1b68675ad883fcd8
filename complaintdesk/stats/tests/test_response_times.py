"""The median and 90th percentile of every phase (SPEC §6: first response, reply to a quality problem,
resolution) against the hand-computed fixture of `response_times.py`: the API summary and its OpenAPI
document, the exports and `manage.py stats`."""

import csv
import io
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from complaintdesk.stats import rollups
from complaintdesk.stats.tests import response_times
from complaintdesk.stats.tests.response_times import MARCH, MARCH_MINUTES, NOW, YEAR_REPLY_MINUTES


@pytest.fixture
def answered(people):
    response_times.build(people)
    return people


def _get(client, path, params):
    with time_machine.travel(NOW, tick=False):
        return client.get(path, params)


@pytest.mark.django_db
def test_the_summary_gives_each_phases_median_and_90th_percentile(answered, api):
    march = _get(api(answered.rita), "/stats/summary", MARCH).json()["compliance"]
    assert march["phase_minutes"] == MARCH_MINUTES
    assert march["first_response_minutes"] == MARCH_MINUTES["first_response"]
    year = _get(api(answered.rita), "/stats/summary", {"start": "2026-01-01", "end": "2026-04-10"}).json()
    assert year["compliance"]["phase_minutes"]["reply"] == YEAR_REPLY_MINUTES
    own = _get(api(answered.bob), "/stats/summary", MARCH).json()["compliance"]["phase_minutes"]
    assert own == MARCH_MINUTES
    other = _get(api(answered.dave), "/stats/summary", MARCH).json()["compliance"]["phase_minutes"]
    assert other["resolution"] == {"answered": 0, "median": None, "p90": None}


@pytest.mark.django_db
def test_the_openapi_document_describes_the_phase_minutes(api):
    schemas = api(None).get("/openapi.json").json()["components"]["schemas"]
    phase_minutes = schemas["DeadlineComplianceOut"]["properties"]["phase_minutes"]
    assert "first_response, reply, resolution" in phase_minutes["description"]
    assert "Nearest-rank 90th percentile" in schemas["MinutesOut"]["properties"]["p90"]["description"]
    assert "first_response_minutes" in schemas["DeadlineComplianceOut"]["required"]


@pytest.mark.django_db
def test_the_exports_carry_them(answered, api):
    client = api(answered.rita)
    response = _get(client, "/stats/export", {**MARCH, "table": "summary"})
    # Figure, code, value: read by the codes, which say what each time measures.
    figures = {
        code: value
        for _label, code, value in csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")))
    }
    assert (
        figures["median_reply_wall_clock_minutes_from_receipt"],
        figures["p90_reply_wall_clock_minutes_from_receipt"],
    ) == ("30", "120")
    assert (
        figures["median_resolution_wall_clock_minutes_from_receipt"],
        figures["p90_resolution_wall_clock_minutes_from_receipt"],
    ) == ("4320", "28800")
    assert figures["median_first_response_wall_clock_minutes_from_receipt"] == "30"
    response = _get(client, "/stats/export", {**MARCH, "table": "phases", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows == [
        ("Phase", "Phase (code)", "Deadlines", "Met in time", "Met late", "Missed", "Running", "Cancelled",
         "Share in time", "Met (in time or late)",
         "Median time until met (wall-clock minutes from receipt)",
         "90th percentile of the time until met (wall-clock minutes from receipt)"),
        # Due 11:00 (2 hours in working time): the answer after 240 minutes was late.
        ("First response", "first_response", 10, 9, 1, 0, 0, 0, 0.9, 10, 30, 120),
        # Due 13:00 (4 working hours): all in time.
        ("Reply to a quality issue", "reply", 10, 10, 0, 0, 0, 0, 1, 10, 30, 120),
        # Due Wednesday 11 March 18:00: the 9½- and 20-day resolutions were late, six never came.
        ("Resolution", "resolution", 10, 2, 2, 6, 0, 0, 0.2, 4, 4320, 28800),
    ]  # fmt: skip


@pytest.mark.django_db
def test_manage_py_stats_prints_them(answered):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("stats", "--start", MARCH["start"], "--end", MARCH["end"], stdout=out)
    lines = out.getvalue().splitlines()
    assert "first response: median 30 min, p90 120 min (10 met)" in lines
    assert "reply: median 30 min, p90 120 min (10 met)" in lines
    assert "resolution: median 4,320 min, p90 28,800 min (4 met)" in lines


@pytest.mark.django_db
def test_the_rollups_agree_with_the_raw_rows(answered):
    assert rollups.differences() == []
