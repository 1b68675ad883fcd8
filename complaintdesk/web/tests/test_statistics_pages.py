"""The regulator's dashboard over the period the reader picks, with every phase's median and 90th
percentile; the downloads of its tables and of the complaint list (the regulator's of every shop, a shop's
of its own); the public open-data link. The figures are the hand-computed ones of
`stats/tests/response_times.py` (nearest-rank percentiles)."""

import csv
import html
import io
import re
from datetime import datetime, time
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from complaintdesk.complaints.tests import factories
from complaintdesk.stats.tests import response_times
from complaintdesk.stats.tests.response_times import MARCH, NOW, SH

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Tables(HTMLParser):
    """The rows of every table with an id, as (data-key, [cell texts])."""

    def __init__(self, page: str):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None and "data-key" in attrs:
            self._row = (attrs["data-key"], [])
            self._table.append(self._row)
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row[1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _get(client, url, params=None):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


def _figure(page: str, figure_id: str) -> str:
    return re.search(rf'id="{figure_id}"><dt>.*?</dt><dd>(.*?)</dd>', page, re.S).group(1)


def _rows(response) -> list[list[str]]:
    """A downloaded file's rows, header first, every cell as text ("" for empty, as in the CSV)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == CSV:
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [["" if v is None else _text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _figures(response) -> dict:
    """A summary download's values by their codes (its columns: figure, code, value)."""
    return {code: value for _label, code, value in _rows(response)[1:]}


def _text(value) -> str:
    if isinstance(value, datetime) and value.time() == time():  # XLSX keeps a day as its midnight
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _numbers_as_numbers(rows: list[list[str]]) -> list[list]:
    """XLSX keeps 1.0 as the number 1, CSV writes "1.0": compare the two files by value."""

    def value(cell: str):
        try:
            return float(cell)
        except ValueError:
            return cell

    return [[value(cell) for cell in row] for row in rows]


def _download_links(page: str) -> dict[str, dict[str, str]]:
    """The dashboard's download links by table (and breakdown dimension), then by format."""
    section = page.split('id="downloads"', 1)[1].split("</ul>", 1)[0]
    links = {}
    for href, table in re.findall(r'href="([^"]+)" data-table="(\w+)"', section):
        href = html.unescape(href)
        by = re.search(r"by=(\w+)", href)
        fmt = re.search(r"format=(\w+)", href).group(1)
        links.setdefault(f"{table}-{by.group(1)}" if by else table, {})[fmt] = href
    return links


@pytest.fixture
def answered(people):
    response_times.build(people)
    return people


@pytest.mark.django_db
def test_the_dashboard_shows_each_phases_median_and_90th_percentile(answered, browser_of):
    page = _get(browser_of(answered.rita), reverse("web:dashboard"), MARCH).content.decode()
    assert _figure(page, "minutes-first_response") == "30 min / 2.0 h"
    assert _figure(page, "minutes-reply") == "30 min / 2.0 h"
    assert _figure(page, "minutes-resolution") == "3.0 d / 20.0 d"
    phases = dict(_Tables(page).tables["table-phases"])
    assert phases["reply"] == ["Reply to a quality issue", "10", "0", "0", "0", "100.0 %", "30 min", "2.0 h"]
    assert phases["resolution"] == ["Resolution", "2", "2", "6", "0", "20.0 %", "3.0 d", "20.0 d"]
    assert "90th percentile" in page


@pytest.mark.django_db
def test_the_period_picker_changes_the_figures(answered, browser_of):
    client = browser_of(answered.rita)
    year = _get(client, reverse("web:dashboard")).content.decode()
    assert 'name="start" value="2026-01-01"' in year and 'name="end" value="2026-04-10"' in year
    assert _figure(year, "received") == "11"
    assert _figure(year, "minutes-reply") == "45 min / 4.0 h"  # the April reply after 600 minutes counts
    march = _get(client, reverse("web:dashboard"), MARCH).content.decode()
    assert 'name="start" value="2026-03-01"' in march
    assert "Period: 2026-03-01 – 2026-03-31" in march
    from_march = _get(client, reverse("web:dashboard"), {"start": "2026-03-01"}).content.decode()
    assert "Period: 2026-03-01 – 2026-04-10" in from_march  # an empty end is today
    assert _figure(march, "received") == "10"  # the complaint of 1 April is outside the period
    assert _figure(march, "minutes-reply") == "30 min / 2.0 h"
    series = _Tables(march).tables["table-series"]
    assert len(series) == 31 and series[1] == ("2026-03-02", ["2026-03-02", "2026-03-02", "10", "0"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end", "must not be before start (2026-03-31)"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "start", "Enter a valid date."),
        ({"start": "2000-01-01", "end": "2026-03-01"}, "end", "a period may span at most 3700 days"),
    ],
)
def test_bad_dates_answer_422_with_the_message(people, browser_of, params, field, message):
    client = browser_of(people.rita)
    response = _get(client, reverse("web:dashboard"), params)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="field-{field}"' in page and message in page.split(f'id="field-{field}"', 1)[1]
    assert 'id="dashboard-data"' not in page  # no figures of a period that is none
    download = _get(client, reverse("web:export_statistics"), {**params, "table": "summary"})
    assert (download.status_code, download["Content-Type"]) == (422, "text/plain; charset=utf-8")
    assert f"{field}: {message}" in download.content.decode()


@pytest.mark.django_db
def test_each_download_is_the_table_on_the_page(answered, browser_of):
    client = browser_of(answered.rita)
    page = _get(client, reverse("web:dashboard"), MARCH).content.decode()
    tables = _Tables(page).tables
    files = {}
    for table, hrefs in _download_links(page).items():
        csv_file, xlsx_file = _get(client, hrefs["csv"]), _get(client, hrefs["xlsx"])
        assert csv_file["Content-Type"] == CSV and xlsx_file["Content-Type"] == XLSX
        assert "attachment" in xlsx_file["Content-Disposition"]
        rows = _rows(csv_file)
        assert _numbers_as_numbers(_rows(xlsx_file)) == _numbers_as_numbers(rows)
        files[table] = rows[1:]
    assert set(files) == {
        "summary", "phases", "compliance", "breakdown-category", "breakdown-shop", "series", "centre",
    }  # fmt: skip
    # The centre's figures, one a row by code (test_centre_dashboard checks them with the centre's rows).
    assert {r[2]: r[3] for r in files["centre"]}["received.total"] == _figure(page, "centre-received") == "0"

    summary = {code: value for _label, code, value in files["summary"]}  # figure, code, value
    assert summary["count"] == _figure(page, "received") == "10"
    assert (
        summary["median_reply_wall_clock_minutes_from_receipt"],
        summary["p90_resolution_wall_clock_minutes_from_receipt"],
    ) == ("30", "28800")
    # The phase's label as the page says it, its code, then met in time, met late, missed, running: the
    # page's columns 1–4 are the file's 3–6 (the deadlines' total comes before them).
    assert [(r[0], r[1], r[3:7]) for r in files["phases"]] == [
        (cells[0], k, cells[1:5]) for k, cells in tables["table-phases"]
    ]
    # Phase and its code, rule, then the same four.
    assert [(r[0], r[1], r[2], r[4:8]) for r in files["compliance"]] == [
        (cells[0], k, cells[1], cells[2:6]) for k, cells in tables["table-rules"]
    ]
    # A category's label, its code, the count and last year's.
    assert [(r[0], r[1], r[2], r[3]) for r in files["breakdown-category"]] == [
        (cells[0], k, cells[1], cells[2]) for k, cells in tables["table-category"]
    ]
    shops = [(r[1], r[2]) for r in files["breakdown-shop"]]
    assert shops[: len(tables["table-shops"])] == [(k, cells[1]) for k, cells in tables["table-shops"]]
    assert shops == [(str(answered.acme.pk), "10")]
    assert [r[:3] for r in files["series"]] == [cells[:3] for _, cells in tables["table-series"]]


@pytest.mark.django_db
def test_the_complaint_list_downloads_the_rows_of_the_page(answered, browser_of):
    client = browser_of(answered.rita)
    page = _get(client, reverse("web:all_complaints"), {"state": "resolved"}).content.decode()
    on_page = re.findall(r"TS-\d{4}-\d{7}", page)
    assert len(set(on_page)) == 4
    for link_id, content_type in (("download-csv", CSV), ("download-xlsx", XLSX)):
        href = html.unescape(re.search(rf'id="{link_id}" href="([^"]+)"', page).group(1))
        response = _get(client, href)
        assert response["Content-Type"] == content_type
        rows = _rows(response)
        assert rows[0][:3] == ["Reference", "Received at", "Shop"]
        assert [r[0] for r in rows[1:]] == list(dict.fromkeys(on_page))
        state, state_code = rows[0].index("State"), rows[0].index("State (code)")
        assert {(r[state], r[state_code]) for r in rows[1:]} == {("Resolved", "resolved")}


@pytest.mark.django_db
def test_a_shop_downloads_its_own_rows_only_and_a_consumer_none(answered, browser_of):
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=SH), tick=False):
        factories.complaint(answered.erin, answered.bazaar)
    complaints, statistics = reverse("web:export_complaints"), reverse("web:export_statistics")
    summary = {**MARCH, "table": "summary"}

    bob = browser_of(answered.bob)
    assert {r[2] for r in _rows(_get(bob, complaints))[1:]} == {"Acme Online"}
    assert len(_rows(_get(bob, complaints))) == 1 + 11
    assert len(_rows(_get(bob, complaints, {"merchant": answered.bazaar.pk}))) == 1  # no one else's
    assert _figures(_get(bob, statistics, summary))["count"] == "10"
    shops = _rows(_get(bob, statistics, {**summary, "table": "breakdown", "by": "shop"}))[1:]
    assert [r[0] for r in shops] == ["Acme Online"]

    dave = browser_of(answered.dave)
    assert [r[2] for r in _rows(_get(dave, complaints))[1:]] == ["Bazaar Mall"]
    assert _figures(_get(dave, statistics, summary))["count"] == "1"
    assert _figures(_get(browser_of(answered.rita), statistics, summary))["count"] == "11"

    alice = browser_of(answered.alice)
    assert _get(alice, complaints).status_code == 403
    assert _get(alice, statistics, summary).status_code == 403
    anonymous = _get(Client(), statistics, summary)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_the_public_open_data_link_works_without_login_and_holds_no_personal_data(answered):
    with time_machine.travel(datetime(2026, 4, 2, 10, tzinfo=SH), tick=False):
        factories.complaint(
            answered.erin, answered.bazaar, description="耳机没有声音 13812345678", publish_consent=True
        )
    page = _get(Client(), reverse("web:scorecards")).content.decode()
    section = page.split('id="open-data"', 1)[1]
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', section.split("</section>", 1)[0])]
    assert hrefs == [
        "/api/v1/stats/open-data?start=2025-04-11&end=2026-04-10&format=csv",
        "/api/v1/stats/open-data?start=2025-04-11&end=2026-04-10&format=xlsx",
    ]
    response = _get(Client(), hrefs[0])
    assert (response.status_code, response["Content-Type"]) == (200, CSV)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12
    assert rows[-1]["description"] == "耳机没有声音 [phone]"
    for private in ("TS-2026", "ORD-1", "alice", "erin", "13812345678"):
        assert private not in text
    assert _get(Client(), hrefs[1])["Content-Type"] == XLSX


@pytest.mark.django_db
def test_the_workbench_links_the_download_of_the_shops_complaints(answered, browser_of):
    bob = browser_of(answered.bob)
    page = bob.get(reverse("web:queue")).content.decode()
    href = html.unescape(re.search(r'id="download-csv" href="([^"]+)"', page).group(1))
    rows = _rows(_get(bob, href))
    assert len(rows) == 1 + 11 and {r[2] for r in rows[1:]} == {"Acme Online"}


@pytest.mark.django_db
def test_a_shops_download_masks_personal_data_in_free_text_as_its_lists_do(answered, browser_of):
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=SH), tick=False):
        factories.complaint(
            answered.alice,
            answered.acme,
            description="Call me on 13812345678",
            product="寄到 alice@example.com",
        )
    url = reverse("web:export_complaints")
    header, *rows = _rows(_get(browser_of(answered.bob), url))
    shop_row = next(r for r in rows if "138" in r[header.index("Description")])
    assert "13812345678" not in shop_row[header.index("Description")]
    assert "alice@example.com" not in shop_row[header.index("Product")]
    header, *rows = _rows(_get(browser_of(answered.rita), url))
    assert any("13812345678" in r[header.index("Description")] for r in rows)  # the regulator sees it whole
