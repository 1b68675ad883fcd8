"""Every download streams, and the streamed files hold what the downloads held before they streamed.

The complaint list and the open data used to be made from model instances (each complaint with its shop,
category and deadlines) and the XLSX by openpyxl; they are now plain values read in batches and files
written as they stream (`stats.exports`, `lib.spreadsheet`). `Before` below is that earlier code, kept as
the oracle: for a small data set that takes every branch (first response in time, late, missed, not due,
imported as met without a time, without a deadline; formulas, phone numbers, Chinese, amounts or none), the
CSV is the same byte for byte and the XLSX the same cell for cell (value, type, number format), for the
regulator, a shop (free text masked) and a consumer, in English and Chinese. Then: the rows are read in
batches (a fixed number of queries, memory flat whatever the length), and the open data's scrubbing.
"""

import csv
import io
import tracemalloc
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from complaintdesk.accounts.privacy import listed_text
from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib import spreadsheet
from complaintdesk.stats import exports, periods
from complaintdesk.stats.scrub import scrub

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def at(*args):
    return datetime(*args, tzinfo=SH)


def _filed(who, shop, when, **kw):
    with time_machine.travel(when, tick=False):
        return factories.complaint(who, shop, **kw)


@pytest.fixture
def listed(people):
    """Six complaints of March 2026 (Shanghai), one for each way a first response can stand at NOW."""
    p = people
    answered = _filed(
        p.alice, p.acme, at(2026, 3, 2, 10, 0, 0),
        description="耳机没有声音，请回电 13812345678，邮箱 alice@example.com", product='=HYPERLINK("x")',
        amount=Decimal("199.50"), publish_consent=True, order_number="=1+1",
    )  # fmt: skip
    services.perform(answered.pk, p.bob, "respond", "On it", at=at(2026, 3, 2, 10, 30))
    late = _filed(
        p.erin, p.acme, at(2026, 3, 3, 20, 15, 30), kind="quality_issue", channel="hotline_12315",
        description="-1 star: the charger swelled (鼓包) after two days", product="Power bank 20000mAh",
        publish_consent=True,
    )  # fmt: skip
    services.perform(late.pk, p.bob, "respond", "Sorry", at=at(2026, 3, 5, 9))
    _filed(p.alice, p.bazaar, at(2026, 3, 4, 23, 59, 59), amount=None, sector="offline_retail",
           description="Mouldy bread 发霉, card 6222 0212 3456 7890 123")  # fmt: skip
    _filed(p.erin, p.acme, at(2026, 3, 10, 9, 30), description="\tTab first", wanted_outcome="replacement")
    imported = _filed(p.alice, p.acme, at(2026, 3, 6, 11), description="Met, time unknown")
    Deadline.objects.filter(complaint=imported, phase="first_response").update(status="met", met_at=None)
    bare = _filed(p.erin, p.bazaar, at(2026, 3, 7, 12), description="No deadline", publish_consent=True)
    Deadline.objects.filter(complaint=bare, phase="first_response").delete()
    return p


class Before:
    """The downloads as they were made before they streamed (model instances; openpyxl)."""

    @staticmethod
    def in_time(complaint, now):
        for d in complaint.deadlines.all():
            if d.phase == "first_response":
                if d.met_at is not None:
                    return "yes" if d.met_at <= d.due_at else "late"
                if d.status == "met":
                    return "yes"
                return "" if d.due_at > now else "no"
        return ""

    @classmethod
    def complaint_rows(cls, complaints, viewer, now):
        zh = (translation.get_language() or "").startswith("zh")
        for c in complaints:
            first = next((d for d in c.deadlines.all() if d.phase == "first_response"), None)
            in_time = cls.in_time(c, now)
            yield [
                c.reference, c.received_at, c.merchant.name, c.get_kind_display(), c.kind,
                c.category.name_zh if zh else c.category.name_en, c.category.code,
                c.get_channel_display(), c.channel, c.get_sector_display(), c.sector,
                c.get_state_display(), c.state, c.order_number, listed_text(c.product, viewer), c.amount,
                c.get_wanted_outcome_display(), c.wanted_outcome, first.due_at if first else None,
                str(exports.IN_TIME_LABELS[in_time]) if in_time else "", listed_text(c.description, viewer),
            ]  # fmt: skip

    @classmethod
    def open_data_rows(cls, complaints, now):
        for c in complaints:
            yield [
                timezone.localtime(c.received_at, periods.zone()).date().isoformat(), c.merchant.name,
                c.merchant.platform, c.kind, c.category.code, c.channel, c.sector, c.state, c.wanted_outcome,
                c.amount, cls.in_time(c, now), scrub(c.description) if c.publish_consent else "",
            ]  # fmt: skip

    @staticmethod
    def local(value):
        return timezone.localtime(value, periods.zone()).replace(microsecond=0)

    @classmethod
    def csv(cls, headers, rows) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else cls.local(v).isoformat()
                    if isinstance(v, datetime)
                    else spreadsheet.cell(v)
                    for v in row
                ]
            )
        return ("\ufeff" + out.getvalue()).encode()

    @classmethod
    def xlsx(cls, headers, rows) -> bytes:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")

        def cell(value):
            if isinstance(value, str):
                text = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", spreadsheet.cell(value)))
                text.data_type = "s"
                return text
            if isinstance(value, datetime):
                stamp = WriteOnlyCell(sheet, cls.local(value).replace(tzinfo=None))
                stamp.number_format = exports.XLSX_DATETIME_FORMAT
                return stamp
            return value

        sheet.append(headers)
        for row in rows:
            sheet.append([cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _cells(body: bytes) -> list[list[tuple]]:
    # An empty cell has no type (openpyxl wrote empty text as an empty text cell; the stream writes none).
    return [
        [(c.value, c.data_type if c.value is not None else None, c.number_format) for c in row]
        for row in load_workbook(io.BytesIO(body)).active.iter_rows()
    ]


def _list(user):
    start, end = periods.Period.parse(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date()).instants()
    return (
        visible_complaints(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("who", ["rita", "bob", "erin"])
def test_the_complaint_list_downloads_as_it_did_before_it_streamed(listed, who, language, api):
    viewer = getattr(listed, who)
    headers = {"Accept-Language": language}
    with time_machine.travel(NOW, tick=False):
        csv_body = api(viewer).get("/stats/export", {**MARCH, "table": "complaints"}, headers=headers)
        xlsx_body = api(viewer).get(
            "/stats/export", {**MARCH, "table": "complaints", "format": "xlsx"}, headers=headers
        )
        with translation.override(language):
            columns = exports.complaint_columns()
            before = list(Before.complaint_rows(_list(viewer), viewer, timezone.now()))
    assert csv_body.streaming and xlsx_body.streaming
    assert len(before) == {"rita": 6, "bob": 4, "erin": 3}[who]
    assert csv_body.getvalue() == Before.csv(columns, before)
    assert _cells(xlsx_body.getvalue()) == _cells(Before.xlsx(columns, before))


@pytest.mark.django_db
def test_every_branch_of_the_rows_is_taken(listed):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        rows = list(exports.complaint_rows(_list(listed.rita), listed.rita))
    by_description = {row[-1]: row for row in rows}
    in_time = {description: row[-2] for description, row in by_description.items()}
    assert in_time == {
        "耳机没有声音，请回电 13812345678，邮箱 alice@example.com": "Met in time",
        "-1 star: the charger swelled (鼓包) after two days": "Met late",
        "Mouldy bread 发霉, card 6222 0212 3456 7890 123": "Missed",
        "Met, time unknown": "Met in time",
        "No deadline": "",
        "\tTab first": "",  # not due yet
    }
    assert by_description["No deadline"][-3] is None  # no first response due
    assert by_description["Mouldy bread 发霉, card 6222 0212 3456 7890 123"][15] is None  # no amount


@pytest.mark.django_db
def test_a_shop_sees_free_text_masked_in_its_download(listed, api):
    with time_machine.travel(NOW, tick=False):
        body = api(listed.bob).get("/stats/export", {**MARCH, "table": "complaints"}).getvalue().decode()
    assert "13812345678" not in body and "alice@example.com" not in body
    assert "Bazaar" not in body


@pytest.mark.django_db
def test_the_web_download_of_the_list_streams_the_same_file(listed):
    browser = Client()
    browser.force_login(listed.rita)
    with time_machine.travel(NOW, tick=False):
        web = browser.get(reverse("web:export_complaints"), {"format": "csv"})
        rows = list(Before.complaint_rows(visible_complaints(listed.rita).order_by("-received_at", "-id"),
                                          listed.rita, timezone.now()))  # fmt: skip
    assert web.streaming and web["Content-Disposition"].startswith('attachment; filename="complaintdesk-')
    assert web.getvalue() == Before.csv(exports.complaint_columns(), rows)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_open_data_is_what_it_was_before_it_streamed(listed, fmt, client):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/stats/open-data", {**MARCH, "format": fmt})
        complaints = Complaint.objects.filter(received_at__gte=at(2026, 3, 1)).order_by("received_at", "id")
        before = list(Before.open_data_rows(complaints, timezone.now()))
    assert response.streaming and len(before) == 6
    if fmt == "csv":
        assert response.getvalue() == Before.csv(exports.OPEN_DATA_COLUMNS, before)
    else:
        assert _cells(response.getvalue()) == _cells(Before.xlsx(exports.OPEN_DATA_COLUMNS, before))


@pytest.mark.django_db
def test_the_open_data_publishes_scrubbed_descriptions_with_consent_only(listed, client):
    with time_machine.travel(NOW, tick=False):
        body = client.get("/api/v1/stats/open-data", MARCH).getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["description"] for r in rows] == [
        "耳机没有声音，请回电 [phone]，邮箱 [email]",
        "'-1 star: the charger swelled (鼓包) after two days",
        "",  # no consent, card number and all
        "",
        "No deadline",
        "",
    ]
    for private in ("TS-2026", "=1+1", "alice", "erin", "13812345678", "6222", "HYPERLINK"):
        assert private not in body


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_statistics_tables_stream_too(listed, fmt, api):
    with time_machine.travel(NOW, tick=False):
        response = api(listed.rita).get(
            "/stats/export", {**MARCH, "table": "breakdown", "by": "shop", "format": fmt}
        )
    assert response.streaming and response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    body = response.getvalue()
    shops = (
        [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))]
        if fmt == "csv"
        else [row[0][0] for row in _cells(body)]
    )
    assert {"Acme Online", "Bazaar Mall"} <= set(shops)


def _bulk(template: Complaint, n: int) -> None:
    """`n` copies of `template` with a first-response deadline each, written in two statements."""
    fields = {f.attname: getattr(template, f.attname) for f in Complaint._meta.concrete_fields}
    fields.pop("id")
    first = Complaint.objects.count()
    copies = Complaint.objects.bulk_create(
        Complaint(**{**fields, "reference": f"TS-2026-B{i:06d}", "description": f"Copy {i} " + "x" * 200})
        for i in range(first, first + n)
    )
    deadline = template.deadlines.get(phase="first_response")
    values = {f.attname: getattr(deadline, f.attname) for f in Deadline._meta.concrete_fields}
    values.pop("id")
    Deadline.objects.bulk_create(Deadline(**{**values, "complaint_id": c.pk}) for c in copies)


def _streamed(complaints, viewer, fmt: str) -> tuple[int, int]:
    """Bytes of the download, and the peak of Python's memory while it streamed (each piece dropped)."""
    stream = exports.csv_stream if fmt == "csv" else exports.xlsx_stream
    tracemalloc.start()
    try:
        rows = exports.complaint_rows(complaints, viewer)
        size = sum(len(piece) for piece in stream(exports.complaint_columns(), rows))
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_list_streams_in_flat_memory(people, monkeypatch, fmt):
    # Small batches and pieces, so that 150 and 1,200 rows are many of each: the memory of the longer
    # download stays that of the shorter, where rows held all at once would take eight times as much.
    monkeypatch.setattr(exports, "BATCH_ROWS", 25)
    monkeypatch.setattr(spreadsheet, "CHUNK_CHARS", 4096)
    template = _filed(people.alice, people.acme, at(2026, 3, 2, 10))
    _bulk(template, 149)
    regulator = visible_complaints(people.rita).order_by("received_at", "id")
    short_size, short_peak = _streamed(regulator, people.rita, fmt)
    _bulk(template, 1050)
    long_size, long_peak = _streamed(regulator, people.rita, fmt)
    assert long_size > 5 * short_size
    assert long_peak < 1.5 * short_peak, (short_peak, long_peak)


@pytest.mark.django_db
def test_a_list_download_reads_its_rows_in_one_query_whatever_their_number(people, monkeypatch, api):
    # Not one query per complaint, nor per batch of them (the deadlines' prefetch did that): one query,
    # read BATCH_ROWS at a time, beside the few every download makes (the user, the categories).
    monkeypatch.setattr(exports, "BATCH_ROWS", 10)
    template = _filed(people.alice, people.acme, at(2026, 3, 2, 10))
    client = api(people.rita)

    def queries():
        with CaptureQueriesContext(connection) as captured, time_machine.travel(NOW, tick=False):
            response = client.get("/stats/export", {**MARCH, "table": "complaints"})
            lines = response.getvalue().count(b"\n")
        return lines, len(captured.captured_queries)

    queries()  # the first request of a token records its use
    few = queries()
    _bulk(template, 95)
    many = queries()
    assert (few[0], many[0]) == (2, 97)
    assert few[1] == many[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_the_rows_stream_inside_a_transaction_that_ends_with_the_download(people):
    # Out of a transaction PostgreSQL would store every row of the server-side cursor (WITH HOLD) before
    # sending the first; SQLite streams without one (a transaction would hold its write lock).
    for hour in (10, 11, 12):
        _filed(people.alice, people.acme, at(2026, 3, 2, hour))
    on_postgresql = connection.vendor == "postgresql"
    complaints = visible_complaints(people.rita).order_by("id")
    read = exports.complaint_rows(complaints, people.rita)
    assert not connection.in_atomic_block
    next(read)
    assert connection.in_atomic_block is on_postgresql
    assert len(list(read)) == 2 and not connection.in_atomic_block
    abandoned = exports.complaint_rows(complaints, people.rita)
    next(abandoned)
    abandoned.close()  # the client went away: what the response's close() does to its stream
    assert not connection.in_atomic_block


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_web_download_of_a_search_holds_its_matches_only(listed, fmt):
    # The words of the list's search box filter and order the rows by rank (an expression, not a column):
    # the rows read as values keep that, and the other filters (state, overdue) as the page has them.
    browser = Client()
    browser.force_login(listed.rita)
    with time_machine.travel(NOW, tick=False):
        found = browser.get(reverse("web:export_complaints"), {"q": "charger 鼓包", "format": fmt}).getvalue()
        none = browser.get(
            reverse("web:export_complaints"), {"q": "发霉", "overdue": "on", "state": "closed"}
        )
    descriptions = (
        [row[-1] for row in csv.reader(io.StringIO(found.decode("utf-8-sig")))]
        if fmt == "csv"
        else [row[-1][0] for row in _cells(found)]
    )
    assert descriptions[1:] == ["'-1 star: the charger swelled (鼓包) after two days"]
    assert none.getvalue().decode("utf-8-sig").count("\n") == 1  # the header alone
