"""The complaint list downloads in the requester's language: headers and labels translated,
the internal codes in their own "(code)" columns, times to the second in the regulator's zone (CSV: ISO 8601
with the offset; XLSX: real date-time cells). The open data keeps its English column names."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
FILED = datetime(2026, 3, 3, 10, 15, 30, 123456, tzinfo=SH)  # microseconds that no file may show
LATER = datetime(2026, 3, 4, 9, tzinfo=SH)


@pytest.fixture
def quality_issue(people):
    with time_machine.travel(FILED, tick=False):
        return factories.complaint(people.alice, people.acme, category="quality", kind="quality_issue")


def _csv(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def _sheet(response) -> tuple[list[str], list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    header, row = load_workbook(io.BytesIO(content)).active.iter_rows()
    return [c.value for c in header], row


@pytest.mark.django_db
def test_an_english_csv_shows_labels_beside_codes_and_times_to_the_second(quality_issue, people, browser_of):
    with time_machine.travel(LATER, tick=False):
        response = browser_of(people.rita).get(reverse("web:export_complaints"), {"format": "csv"})
    (row,) = _csv(response)
    assert (row["Kind"], row["Kind (code)"]) == ("Quality issue", "quality_issue")
    assert (row["Category"], row["Category (code)"]) == ("Quality", "quality")
    assert (row["Channel"], row["Channel (code)"]) == ("Web", "web")
    assert (row["Sector"], row["Sector (code)"]) == ("Online shopping", "online_shopping")
    assert (row["State"], row["State (code)"]) == ("Submitted", "submitted")
    assert (row["Wanted outcome"], row["Wanted outcome (code)"]) == ("Refund", "refund")
    assert row["Received at"] == "2026-03-03T10:15:30+08:00"
    assert row["First response due"] == "2026-03-03T12:15:30+08:00"  # 2 working hours later


@pytest.mark.django_db
def test_a_chinese_xlsx_has_chinese_headers_and_labels_and_real_date_cells(quality_issue, people, browser_of):
    client = browser_of(people.rita)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with time_machine.travel(LATER, tick=False):
        response = client.get(reverse("web:export_complaints"), {"format": "xlsx"})
    header, row = _sheet(response)
    assert header[:5] == ["编号", "收到时间", "商家", "类型", header[4]]
    assert header[4].startswith("类型") and header[4] != "类型"  # the code column, named after its label
    cells = dict(zip(header, row, strict=True))
    assert cells["类型"].value == "质量问题" and cells[header[4]].value == "quality_issue"
    assert cells["类别"].value == "质量"
    assert (cells["渠道"].value, cells["状态"].value, cells["诉求"].value) == ("网站", "已提交", "退款")
    received = cells["收到时间"]
    assert received.value == datetime(2026, 3, 3, 10, 15, 30)  # Shanghai wall clock, no microseconds
    assert received.is_date and received.number_format == "yyyy-mm-dd hh:mm:ss"


@pytest.mark.django_db
def test_the_api_answers_in_the_accept_language(quality_issue, people, api):
    period = {"start": "2026-03-01", "end": "2026-03-31", "table": "complaints"}
    with time_machine.travel(LATER, tick=False):
        english = api(people.rita).get("/stats/export", period)
        chinese = api(people.rita).get("/stats/export", period, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    (en,) = _csv(english)
    (zh,) = _csv(chinese)
    assert (en["Kind"], en["Received at"]) == ("Quality issue", "2026-03-03T10:15:30+08:00")
    assert (zh["类型"], zh["收到时间"]) == ("质量问题", "2026-03-03T10:15:30+08:00")
    assert en["Kind (code)"] == "quality_issue" and "quality_issue" in zh.values()


@pytest.mark.django_db
def test_rows_streamed_after_the_request_keep_its_language(quality_issue, people, api):
    # The rows are made while the file streams, after the view returned: not in whatever language is
    # active then, but in the request's.
    period = {"start": "2026-03-01", "end": "2026-03-31", "table": "complaints"}
    with time_machine.travel(LATER, tick=False):
        chinese = api(people.rita).get("/stats/export", period, headers={"Accept-Language": "zh-hans"})
        with translation.override("en"):
            (row,) = _csv(chinese)
    assert (row["类型"], row["状态"]) == ("质量问题", "已提交")


@pytest.mark.django_db
def test_the_open_data_keeps_its_english_column_names_in_any_language(quality_issue, client):
    with time_machine.travel(LATER, tick=False):
        response = client.get(
            "/api/v1/stats/open-data",
            {"start": "2026-03-01", "end": "2026-03-31"},
            headers={"Accept-Language": "zh-hans"},
        )
    (row,) = _csv(response)
    assert list(row)[:5] == ["received_date", "shop", "platform", "kind", "category"]
    assert (row["received_date"], row["kind"], row["category"]) == ("2026-03-03", "quality_issue", "quality")
