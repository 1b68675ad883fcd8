"""The web's statistics download (`/exports/statistics/`) answers before it reads a figure: the header row
is the first chunk, the figures are read as the file streams (`stats.exports.statistics_download`), and the
file is the whole table, the same as before, for the regulator, a district officer's bureau and a shop. A
request it refuses is refused before the answer starts, naming the parameter."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.stats import exports
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, tzinfo=SH)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def filed(people):
    for shop, day in ((people.acme, 2), (people.acme, 5), (people.bazaar, 9)):
        with time_machine.travel(datetime(2026, 3, day, 10, tzinfo=SH), tick=False):
            factories.complaint(people.alice, shop)
    return people


def _figures_read(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"stats_' in q["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "shop"),
    [
        ({"table": "summary"}, ALL_SHOPS),
        ({"table": "breakdown", "by": "shop", "format": "xlsx"}, ALL_SHOPS),
        ({"table": "series", "interval": "week"}, ALL_SHOPS),
        ({"table": "compliance"}, "acme"),
    ],
)
def test_the_download_answers_before_reading_a_figure(filed, browser_of, query, shop):
    who, shop = (filed.rita, ALL_SHOPS) if shop == ALL_SHOPS else (filed.bob, filed.acme.pk)
    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as answering:
            response = browser_of(who).get(reverse("web:export_statistics"), {**MARCH, **query})
            first = next(iter(response.streaming_content))
        with CaptureQueriesContext(connection) as streaming:
            body = first + b"".join(response.streaming_content)
        headers, rows = exports.statistics_table(
            query["table"], PERIOD, shop, query.get("by", "category"), query.get("interval", "month")
        )
    fmt = query.get("format", "csv")
    assert response.status_code == 200 and response.streaming
    assert _figures_read(answering) == []
    assert _figures_read(streaming)
    assert body == (exports.write_csv if fmt == "csv" else exports.write_xlsx)(headers, rows)


@pytest.mark.django_db
def test_a_refused_download_is_refused_before_it_reads_a_figure(filed, browser_of):
    client = browser_of(filed.rita)
    with CaptureQueriesContext(connection) as answering:
        refused = client.get(
            reverse("web:export_statistics"), {**MARCH, "table": "series", "interval": "year"}
        )
        backwards = client.get(
            reverse("web:export_statistics"), {"start": "2026-03-31", "end": "2026-03-01", "table": "summary"}
        )
    assert refused.status_code == 400 and refused.content.decode().startswith("interval:")
    assert backwards.status_code == 422 and "end" in backwards.content.decode()
    assert _figures_read(answering) == []
