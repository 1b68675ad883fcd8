"""The complaint list and the statistics tables download in the requester's language: headers and labels
translated, the internal codes in their own "(code)" columns, times to the second in the regulator's zone
(CSV: ISO 8601 with the offset; XLSX: real date-time cells), days as date cells. The open data keeps its
English column names."""

import csv
import io
import re
from datetime import date, datetime
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


# ------------------------------------------------------------------------------------ statistics tables

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def _table(client, fmt="xlsx", **query) -> list[list]:
    with time_machine.travel(LATER, tick=False):
        response = client.get(reverse("web:export_statistics"), {**MARCH, "format": fmt, **query})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


@pytest.fixture
def in_chinese(people, browser_of):
    client = browser_of(people.rita)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.django_db
def test_the_chinese_summary_names_each_figure_with_its_code_and_dates_as_dates(quality_issue, in_chinese):
    header, *rows = _table(in_chinese, table="summary")
    assert [c.value for c in header] == ["指标", "代码", "数值"]
    by_code = {row[1].value: row for row in rows}
    assert by_code["count"][0].value == "本期投诉数" and by_code["count"][2].value == 1
    assert by_code["online_shopping_share"][0].value == "网购投诉占比"
    # Each time says what it measures, in Chinese, with the phase by its name.
    assert by_code["median_reply_wall_clock_minutes_from_receipt"][0].value.startswith("质量问题答复：")
    assert by_code["first_response_share_in_time"][0].value == "首次回应：按时履行比例"
    # The growth in words is the Chinese one.
    assert by_code["growth_text_times"][2].value == "去年同期无投诉"
    for code, day in (("period_start", datetime(2026, 3, 1)), ("period_end", datetime(2026, 3, 31))):
        cell = by_code[code][2]
        assert cell.value == day and cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert all(row[1].value and row[0].value != row[1].value for row in rows)  # a label and a code each


@pytest.mark.django_db
def test_the_chinese_phases_and_rules_are_named_not_coded(quality_issue, in_chinese):
    header, *rows = _table(in_chinese, fmt="csv", table="phases")
    assert header[:2] == ["阶段", "阶段（代码）"] and "按时完成" in header and "逾期完成" in header
    assert [(r[0], r[1]) for r in rows] == [
        ("首次回应", "first_response"), ("质量问题答复", "reply"), ("处理完结", "resolution")
    ]  # fmt: skip
    header, *rows = _table(in_chinese, fmt="csv", table="compliance")
    assert header[:3] == ["阶段", "阶段（代码）", "规则"]
    rules = {r[1]: r[2] for r in rows}
    assert rules["reply"] == "质量问题：4个工作小时内答复"  # the default policy's rule, in Chinese
    assert not any(re.search(r"[A-Za-z]{3,}", rule) for rule in rules.values()), rules


@pytest.mark.django_db
def test_a_chinese_breakdown_and_series_label_their_keys_and_keep_the_codes(
    quality_issue, people, in_chinese
):
    header, *rows = _table(in_chinese, fmt="csv", table="breakdown", by="category")
    assert header[:3] == ["类别", "类别（代码）", "投诉"]
    assert [r[:3] for r in rows] == [["质量", "quality", "1"]]
    header, *rows = _table(in_chinese, fmt="csv", table="breakdown", by="kind")
    assert [r[:2] for r in rows] == [["质量问题", "quality_issue"]]
    header, *rows = _table(in_chinese, table="series", interval="month")
    assert [c.value for c in header][2:] == ["投诉", "去年同期"]
    (march,) = rows
    assert (march[0].value, march[1].value, march[2].value) == (
        datetime(2026, 3, 1),
        datetime(2026, 3, 31),
        1,
    )
    assert march[0].is_date and march[0].number_format == "yyyy-mm-dd"


@pytest.mark.django_db
def test_the_english_statistics_read_in_english(quality_issue, people, browser_of):
    header, *rows = _table(browser_of(people.rita), fmt="csv", table="compliance")
    assert header[:3] == ["Phase", "Phase (code)", "Rule"]
    assert {r[1]: r[2] for r in rows}["reply"] == "Quality problem: reply within 4 working hours"
    header, *rows = _table(browser_of(people.rita), fmt="csv", table="summary")
    assert header == ["Figure", "Code", "Value"]
    assert {r[1]: r[2] for r in rows}["period_start"] == date(2026, 3, 1).isoformat()
