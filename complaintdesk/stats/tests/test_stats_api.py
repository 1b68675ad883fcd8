"""Statistics over HTTP against hand-computed figures, at the year and month edges of Asia/Shanghai.

The fixture (Shanghai time; the shops serve Monday–Friday 09:00–18:00):
  bazaar  2025-01-01 10:00  (a year before January 2026)
  acme    2025-12-31 23:59  C  never answered                       → day 2025-12-31 although UTC says so too
  acme    2026-01-01 00:00  A  answered 00:37 (37 min, in time), then resolved; tags commitment 7
  acme    2026-01-31 23:30  B  offline retail, never answered      → January, although UTC is 15:30
  acme    2026-02-01 00:10  D  never answered                       → February, although UTC is 31 January
All four acme complaints arrive outside working time: first response due 12 hours later.
"""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.pledges.models import ComplaintCommitment
from complaintdesk.stats import rollups

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 10, 10, 0, tzinfo=SH)
RULE = "Received outside working time: first response within 12 hours"


def at(*args):
    return datetime(*args, tzinfo=SH)


def _file(who, merchant, when, **kw):
    with time_machine.travel(when, tick=False):
        return factories.complaint(who, merchant, **kw)


@pytest.fixture
def figures(people):
    _file(people.erin, people.bazaar, at(2025, 1, 1, 10))
    _file(people.alice, people.acme, at(2025, 12, 31, 23, 59))
    a = _file(
        people.alice,
        people.acme,
        at(2026, 1, 1, 0, 0),
        description="耳机没有声音 13812345678",
        publish_consent=True,
    )
    _file(people.erin, people.acme, at(2026, 1, 31, 23, 30), sector="offline_retail")
    _file(people.alice, people.acme, at(2026, 2, 1, 0, 10))
    services.perform(a.pk, people.bob, "respond", "We are on it", at=at(2026, 1, 1, 0, 37))
    services.perform(
        a.pk, people.bob, "propose_resolution", "Refund", {"type": "refund"}, at=at(2026, 1, 2, 10)
    )
    services.perform(a.pk, people.alice, "accept", "", at=at(2026, 1, 2, 11))
    ComplaintCommitment.objects.create(complaint=a, number=7)
    return people


def _get(client, path, params):
    with time_machine.travel(NOW, tick=False):
        return client.get(path, params)


@pytest.mark.django_db
def test_january_summary_counts_in_shanghai_days_with_last_year_growth_and_compliance(figures, api):
    response = _get(api(figures.rita), "/stats/summary", {"start": "2026-01-01", "end": "2026-01-31"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["previous_year_count"]) == (2, 1)
    assert body["growth"]["text_percent"] == "+100.0 %"
    assert body["growth"]["text_ratio"] == "2.00 × last year"
    assert body["growth"]["text_times"] == "increased by 1.00 times"
    assert (body["online_shopping_count"], body["online_shopping_share"]) == (1, 0.5)
    assert body["resolution"] == {"finished": 1, "resolved": 1, "rate": 1.0}
    compliance = body["compliance"]
    first = next(r for r in compliance["rules"] if r["phase"] == "first_response")
    assert first == {
        "phase": "first_response", "rule": RULE, "deadlines": 2, "met_in_time": 1, "met_late": 0,
        "missed": 1, "running": 0, "cancelled": 0, "share_in_time": 0.5,
    }  # fmt: skip
    assert compliance["first_response_minutes"] == {"answered": 1, "median": 37, "p90": 37}
    resolution = compliance["phases"]["resolution"]
    assert (resolution["deadlines"], resolution["met_in_time"]) == (2, 1)


@pytest.mark.django_db
def test_the_year_edge_belongs_to_the_day_in_shanghai(figures, api):
    client = api(figures.rita)
    year_2025 = _get(client, "/stats/summary", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert year_2025["count"] == 2  # bazaar's New Year complaint and C at 23:59 on 31 December
    one_day = _get(client, "/stats/summary", {"start": "2026-01-01", "end": "2026-01-01"}).json()
    assert one_day["count"] == 1  # `end` is included


@pytest.mark.django_db
def test_a_monthly_series_puts_each_complaint_in_its_local_month(figures, api):
    body = _get(
        api(figures.rita), "/stats/series", {"start": "2025-12-15", "end": "2026-02-28", "interval": "month"}
    ).json()
    assert [(p["start"], p["end"], p["count"]) for p in body["points"]] == [
        ("2025-12-15", "2025-12-31", 1),
        ("2026-01-01", "2026-01-31", 2),
        ("2026-02-01", "2026-02-28", 1),
    ]
    assert body["points"][1]["previous_year_count"] == 1


@pytest.mark.django_db
def test_breakdowns_by_sector_shop_and_pledge_commitment(figures, api):
    client = api(figures.rita)
    period = {"start": "2026-01-01", "end": "2026-01-31"}
    sectors = _get(client, "/stats/breakdown", {**period, "by": "sector"}).json()
    assert {r["key"]: r["count"] for r in sectors["rows"]} == {"online_shopping": 1, "offline_retail": 1}
    shops = _get(client, "/stats/breakdown", {**period, "by": "shop"}).json()
    assert [(r["label"], r["count"], r["previous_year_count"]) for r in shops["rows"]] == [
        ("Acme Online", 2, 0),
        ("Bazaar Mall", 0, 1),
    ]
    pledge = _get(client, "/stats/breakdown", {**period, "by": "commitment"}).json()
    assert [(r["key"], r["count"]) for r in pledge["rows"]] == [("7", 1)]
    assert pledge["rows"][0]["label"] == "Respond to complaints within the deadlines"
    bad = _get(client, "/stats/breakdown", {**period, "by": "colour"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "by"]


@pytest.mark.django_db
def test_shop_staff_see_their_own_shop_only_and_consumers_none(figures, api):
    period = {"start": "2025-01-01", "end": "2026-01-31"}
    bob = api(figures.bob)
    own = _get(bob, "/stats/summary", period).json()
    assert (own["merchant"], own["count"]) == (figures.acme.pk, 3)
    assert _get(bob, "/stats/summary", {**period, "merchant": figures.bazaar.pk}).status_code == 404
    assert _get(bob, "/stats/breakdown", {**period, "by": "shop"}).json()["rows"][0]["label"] == "Acme Online"
    assert len(_get(bob, "/stats/breakdown", {**period, "by": "shop"}).json()["rows"]) == 1
    dave = _get(api(figures.dave), "/stats/summary", period).json()
    assert dave["count"] == 1
    assert _get(api(figures.alice), "/stats/summary", period).status_code == 403
    assert _get(api(None), "/stats/summary", period).status_code == 401
    rita = api(figures.rita)
    assert _get(rita, "/stats/summary", period).json()["count"] == 4
    assert _get(rita, "/stats/summary", {**period, "merchant": 999}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
        ({"end": "2026-01-01"}, "start"),
        ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
    ],
)
def test_bad_periods_are_422_naming_the_field(figures, api, params, field):
    response = _get(api(figures.rita), "/stats/summary", params)
    assert response.status_code == 422
    assert field in response.json()["detail"][0]["loc"]


@pytest.mark.django_db
def test_the_public_scorecard_shows_the_last_12_months_without_personal_data(figures, api):
    response = _get(api(None), f"/merchants/{figures.acme.pk}/scorecard", None)
    assert response.status_code == 200
    card = response.json()
    assert card["period"] == {"start": "2025-02-11", "end": "2026-02-10", "days": 365}
    assert card["complaints"] == 4
    assert card["answered_in_time_share"] == 0.25  # A in time; C, B, D missed
    assert card["resolution_rate"] == 1.0
    assert card["median_first_response_minutes"] == 37
    assert card["pledge"] == {"signed": False, "version": None, "signed_on": None}
    assert "alice" not in response.content.decode() and "13812345678" not in response.content.decode()
    figures.bazaar.is_active = False
    figures.bazaar.save()
    assert _get(api(None), f"/merchants/{figures.bazaar.pk}/scorecard", None).status_code == 404


@pytest.mark.django_db
def test_tables_export_as_csv_and_xlsx(figures, api):
    client = api(figures.rita)
    period = {"start": "2026-01-01", "end": "2026-01-31"}
    response = _get(client, "/stats/export", {**period, "table": "breakdown", "by": "sector"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Sector", "Sector (code)", "Complaints"]
    assert sorted(r[1] for r in rows[1:]) == ["offline_retail", "online_shopping"]
    response = _get(client, "/stats/export", {**period, "table": "summary", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True)}  # figure, code, value
    assert (values["count"], values["growth_text_percent"]) == (2, "+100.0 %")
    bad = _get(client, "/stats/export", {**period, "table": "summary", "format": "pdf"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "format"]


@pytest.mark.django_db
def test_complaint_lists_export_what_the_user_may_see(figures, api):
    period = {"start": "2025-01-01", "end": "2026-02-28", "table": "complaints"}
    bob_rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(_get(api(figures.bob), "/stats/export", period).streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert {r["Shop"] for r in bob_rows} == {"Acme Online"} and len(bob_rows) == 4
    erin = _get(api(figures.erin), "/stats/export", {**period, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(erin.getvalue())).active
    assert sheet.max_row == 1 + 2  # her own two complaints
    assert _get(api(figures.erin), "/stats/export", {**period, "table": "summary"}).status_code == 403


@pytest.mark.django_db
def test_open_data_is_public_and_anonymised(figures, api):
    response = _get(api(None), "/stats/open-data", {"start": "2026-01-01", "end": "2026-01-31"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[0]["description"] == "耳机没有声音 [phone]"
    assert rows[1]["description"] == ""  # filed without consent to publish its text
    assert rows[0]["received_date"] == "2026-01-01" and rows[0]["first_response_in_time"] == "yes"
    for private in ("TS-2026", "ORD-1", "alice", "erin", "13812345678"):
        assert private not in text
    too_long = _get(api(None), "/stats/open-data", {"start": "2024-01-01", "end": "2026-01-31"})
    assert too_long.status_code == 422


@pytest.mark.django_db
def test_the_rollups_agree_with_the_raw_rows(figures):
    assert rollups.differences() == []


@pytest.mark.django_db
def test_a_paused_or_not_yet_due_deadline_is_running_not_missed(people, api):
    c = _file(people.alice, people.acme, at(2026, 3, 2, 10))  # Monday 10:00: first response due 12:00
    services.perform(c.pk, people.bob, "request_info", "Photos please", at=at(2026, 3, 2, 10, 30))
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        body = api(people.rita).get("/stats/summary", {"start": "2026-03-02", "end": "2026-03-02"}).json()
    phases = body["compliance"]["phases"]
    assert phases["first_response"]["met_in_time"] == 1
    assert (phases["resolution"]["running"], phases["resolution"]["missed"]) == (1, 0)  # paused
    assert body["compliance"]["first_response_minutes"]["median"] == 30
