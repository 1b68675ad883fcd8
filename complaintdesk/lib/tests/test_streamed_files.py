"""The streamed CSV and XLSX files (lib.spreadsheet.csv_stream, xlsx_stream): what a spreadsheet program
reads back (the XLSX through openpyxl, as the tests of the downloads do), the first piece before any row is
read, pieces of about CHUNK_CHARS, and a sheet too large for its zip part cut with a note."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from complaintdesk.lib import spreadsheet
from complaintdesk.lib.spreadsheet import column_letters, csv_stream, xlsx_stream


def _sheet(body: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


class Pulls:
    """Rows handed out one at a time, counting how many were taken."""

    def __init__(self, rows):
        self.rows, self.taken = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.taken += 1
            yield row


def test_an_xlsx_holds_text_numbers_booleans_and_dates_as_such():
    rows = [
        ["text", "number", "other"],
        ["=1+1", -199.5, True],
        ["a & b < c > d", 3, date(2026, 1, 2)],
        ["  spaces kept  ", None, datetime(2026, 3, 3, 10, 15, 30)],
        ["bell\u0007 and form feed\u000c, tab\tkept", "", "line\nbreak"],
        ["退款 iPhone 15", 0, False],
    ]
    cells = _sheet(b"".join(xlsx_stream(rows, title="data")))
    assert [[(c.value, c.data_type) for c in row] for row in cells] == [
        [("text", "s"), ("number", "s"), ("other", "s")],
        [("'=1+1", "s"), (-199.5, "n"), (True, "b")],
        [("a & b < c > d", "s"), (3, "n"), (datetime(2026, 1, 2), "d")],
        [("  spaces kept  ", "s"), (None, "n"), (datetime(2026, 3, 3, 10, 15, 30), "d")],
        [("bell and form feed, tab\tkept", "s"), (None, "n"), ("line\nbreak", "s")],
        [("退款 iPhone 15", "s"), (0, "n"), (False, "b")],
    ]
    assert cells[2][2].number_format == "yyyy-mm-dd"
    assert cells[3][2].number_format == "yyyy-mm-dd hh:mm:ss"


def test_an_xlsx_shows_an_aware_time_on_the_wall_clock_it_is_given():
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 3, 3, 2, 15, 30, 123456, tzinfo=UTC)
    wall = lambda value: value.astimezone(shanghai).replace(microsecond=0)  # noqa: E731
    (header, row) = _sheet(b"".join(xlsx_stream([["at"], [moment]], wall_clock=wall)))
    assert row[0].value == datetime(2026, 3, 3, 10, 15, 30)


def test_an_xlsx_names_columns_past_z_and_its_sheet():
    row = list(range(30))
    book = load_workbook(
        io.BytesIO(b"".join(xlsx_stream([[f"c{i}" for i in row], row], title="统计 & data")))
    )
    assert book.sheetnames == ["统计 & data"]
    assert [c.value for c in list(book.active.iter_rows())[1]] == row
    assert [column_letters(i) for i in (0, 25, 26, 29, 701, 702)] == ["A", "Z", "AA", "AD", "ZZ", "AAA"]


def test_the_first_piece_of_an_xlsx_leaves_before_any_row_is_read():
    rows = Pulls([["h"], *[[f"row {i}"] for i in range(10)]])
    stream = xlsx_stream(rows)
    first = next(stream)
    assert first.startswith(b"PK") and rows.taken == 0
    body = first + b"".join(stream)
    assert rows.taken == 11 and len(_sheet(body)) == 11


def test_the_same_rows_make_the_same_xlsx_byte_for_byte():
    rows = [["a", "b"], ["x", 1]]
    assert b"".join(xlsx_stream(rows)) == b"".join(xlsx_stream(rows))


def test_a_sheet_too_large_for_its_zip_part_ends_with_the_note(monkeypatch):
    monkeypatch.setattr(spreadsheet, "XLSX_SHEET_BYTES", 20_000)
    rows = [["n", "text"], *([i, "x" * 100] for i in range(1000))]
    cells = _sheet(b"".join(xlsx_stream(rows, cut_note="Cut here.")))
    assert 10 < len(cells) < 100
    assert [c.value for c in cells[-1]] == ["Cut here.", None]  # openpyxl pads a row to the widest
    assert [c.value for c in cells[-2]] == [len(cells) - 3, "x" * 100]  # every row before it, whole


def test_an_xlsx_is_a_zip_of_the_parts_spreadsheet_programs_look_for():
    names = zipfile.ZipFile(io.BytesIO(b"".join(xlsx_stream([["a"]])))).namelist()
    assert names == [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
    ]


def test_a_csv_starts_with_its_header_alone_then_pieces_of_about_chunk_chars(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK_CHARS", 1000)
    rows = Pulls([["n", "text"], *([i, "=x" * 50] for i in range(100))])
    stream = csv_stream(rows)
    assert next(stream) == "\ufeffn,text\r\n".encode() and rows.taken == 1
    pieces = list(stream)
    assert len(pieces) > 5 and all(len(p) < 1000 + 200 for p in pieces)
    lines = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert lines[0] == ["0", "'" + "=x" * 50] and len(lines) == 100


def test_a_csv_shows_times_on_the_wall_clock_it_is_given_and_none_as_empty():
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 3, 3, 2, 15, 30, 123456, tzinfo=UTC)
    wall = lambda value: value.astimezone(shanghai).replace(microsecond=0)  # noqa: E731
    body = b"".join(csv_stream([["at", "none", "day"], [moment, None, date(2026, 1, 2)]], wall_clock=wall))
    assert body.decode("utf-8-sig").splitlines()[1] == "2026-03-03T10:15:30+08:00,,2026-01-02"


@pytest.mark.parametrize("stream", [csv_stream, xlsx_stream])
def test_a_table_without_even_a_header_is_an_empty_file_or_an_empty_sheet(stream):
    body = b"".join(stream([]))
    assert body == b"" if stream is csv_stream else _sheet(body) == []
