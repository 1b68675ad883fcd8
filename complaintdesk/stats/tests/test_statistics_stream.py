"""A statistics download sends its header row before it reads a figure (`exports.statistics_download`): at
10 M complaints the summary's figures take a few hundred ms, and the first byte no longer waits for them.
The file is the same, byte for byte, as the whole table written at once (`statistics_table`); its rows are in
the language of the request that asked for it, whatever language is active while it streams; and whatever
can refuse the request refuses it before the answer starts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.errors import FieldError
from complaintdesk.stats import exports
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, tzinfo=SH)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
# Every table, the breakdown by each of its dimensions, the series by each step.
TABLES = [
    ("summary", {}), ("phases", {}), ("compliance", {}), ("centre", {}),
    *(("breakdown", {"by": by}) for by in ("category", "shop", "kind", "commitment")),
    *(("series", {"interval": interval}) for interval in ("day", "week", "month")),
]  # fmt: skip


@pytest.fixture
def filed(people):
    """Three complaints of March 2026 at two shops, one answered."""
    for shop, day in ((people.acme, 2), (people.acme, 5), (people.bazaar, 9)):
        with time_machine.travel(datetime(2026, 3, day, 10, tzinfo=SH), tick=False):
            complaint = factories.complaint(people.alice, shop)
    services.perform(complaint.pk, people.dave, "respond", "On it", at=datetime(2026, 3, 9, 11, tzinfo=SH))
    return people


def _written(fmt: str, table: str, options: dict) -> bytes:
    headers, rows = exports.statistics_table(table, MARCH, ALL_SHOPS, **options)
    return (exports.write_csv if fmt == "csv" else exports.write_xlsx)(headers, rows)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", exports.FORMATS)
@pytest.mark.parametrize(("table", "options"), TABLES)
def test_the_header_row_leaves_before_a_figure_is_read_and_the_file_is_the_whole_table(
    filed, table, options, fmt
):
    with time_machine.travel(NOW, tick=False):
        expected = _written(fmt, table, options)
        with CaptureQueriesContext(connection) as before_first_byte:
            response = exports.statistics_download(table, MARCH, ALL_SHOPS, fmt, "figures", **options)
            chunks = iter(response.streaming_content)
            first = next(chunks)
        with CaptureQueriesContext(connection) as after:
            rest = b"".join(chunks)
    assert before_first_byte.captured_queries == []
    assert after.captured_queries  # the figures are read as the file streams
    assert first + rest == expected
    assert response["Content-Disposition"] == f'attachment; filename="figures.{fmt}"'


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["summary", "compliance", "breakdown"])
def test_the_rows_are_in_the_language_of_the_request_whatever_is_active_while_they_stream(filed, table):
    with time_machine.travel(NOW, tick=False):
        with translation.override("zh-hans"):
            chinese = _written("csv", table, {})
            response = exports.statistics_download(table, MARCH, ALL_SHOPS, "csv", "figures")
        with translation.override("en"):
            english = _written("csv", table, {})
            streamed = b"".join(response.streaming_content)
    assert chinese != english
    assert streamed == chinese


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "options", "field"),
    [
        ("nope", {}, "table"),
        ("breakdown", {"by": "nope"}, "by"),
        ("series", {"interval": "year"}, "interval"),
        ("summary", {"fmt": "pdf"}, "format"),
    ],
)
def test_a_refused_request_is_refused_before_the_answer_starts(people, table, options, field):
    arguments = {"fmt": "csv", **options}
    with CaptureQueriesContext(connection) as queries, pytest.raises(FieldError) as refused:
        exports.statistics_download(table, MARCH, ALL_SHOPS, name="figures", **arguments)
    assert refused.value.field == field
    assert queries.captured_queries == []


@pytest.mark.django_db
def test_the_centre_figures_are_refused_to_a_shop_before_the_answer_starts(people):
    with pytest.raises(PermissionDenied):
        exports.statistics_download("centre", MARCH, people.acme.pk, "csv", "figures")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_the_api_download_reads_its_figures_as_it_streams(filed, api, fmt):
    query = {"start": "2026-03-01", "end": "2026-03-31", "table": "summary", "format": fmt}
    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as answering:
            response = api(filed.rita).get("/stats/export", query)
        body = b"".join(response.streaming_content)
        expected = _written(fmt, "summary", {})
    assert response.status_code == 200
    assert not [q["sql"] for q in answering.captured_queries if '"stats_' in q["sql"]]
    assert body == expected
    refused = api(filed.rita).get("/stats/export", {**query, "table": "breakdown", "by": "nope"})
    assert refused.status_code in (400, 422) and "by" in refused.content.decode()
