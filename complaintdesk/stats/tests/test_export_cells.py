"""What the CSV and XLSX downloads hold, cell by cell: numbers as numbers, text as text (never a formula,
lib.spreadsheet), and text with control characters still downloadable as XLSX."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.stats.exports import write_csv, write_xlsx


def _cells(body: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


def test_numbers_stay_numbers_and_text_stays_text():
    body = write_xlsx(["figure", "value"], [["amount", Decimal("-199.50")], ["count", -3], ["=1+1", "-12.5"]])
    rows = _cells(body)
    assert [(c.value, c.data_type) for c in rows[1]] == [("amount", "s"), (-199.5, "n")]
    assert [(c.value, c.data_type) for c in rows[2]] == [("count", "s"), (-3, "n")]
    assert [(c.value, c.data_type) for c in rows[3]] == [("'=1+1", "s"), ("-12.5", "s")]
    assert write_csv(["figure", "value"], [["count", -3], ["=1+1", None]]).decode(
        "utf-8-sig"
    ).splitlines() == [
        "figure,value",
        "count,-3",
        "'=1+1,",
    ]


@pytest.mark.django_db
def test_a_description_with_control_characters_downloads_as_xlsx_without_them(people, api):
    today = timezone.localdate().isoformat()
    payload = complaint_payload(
        people.acme.pk, order_date=today, description="bell\u0007 and form feed\u000c, tab\tkept"
    )
    assert api(people.alice).post("/complaints", payload).status_code == 201
    period = {"start": today, "end": today, "table": "complaints", "format": "xlsx"}
    response = api(people.rita).get("/stats/export", period)
    assert response.status_code == 200
    header, row = _cells(response.getvalue())
    description = row[[c.value for c in header].index("Description")].value  # the English header
    assert description == "bell and form feed, tab\tkept"
