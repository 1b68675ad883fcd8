"""Reading an import's CSV file: its header, then its rows streamed and checked one by one (UTF-8, with or
without a byte-order mark; the column count; a file cut inside a row), moving a progress bar."""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

PROGRESS_EVERY = 1000


def read_rows(path: Path, progress=None) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number, the row's values or None, rejection reason). Line numbers are the file's, 1 = header.
    The file is streamed (decoded as it is read; bytes that are not UTF-8 become lone surrogates, so the
    row holding them is rejected and the others are not)."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        yield from _read(f, progress)


def _read(f, progress) -> Iterator[tuple[int, list[str] | None, str]]:
    reader = csv.reader(f, strict=True)
    width = len(next(reader, []))
    held = None  # the last good row waits until we know whether the file was cut inside the next one
    pending = 0  # rows read since the progress bar was last moved (moving it for every row is costly)
    try:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "end of data" in str(exc):
                    if held:
                        yield held
                    yield start, None, "the file ends inside a quoted field (cut mid-row?)"
                    return
                yield start, None, f"not valid CSV: {exc}"
                continue
            pending += 1
            if pending == PROGRESS_EVERY and progress is not None:
                progress.update(pending)
                pending = 0
            if _blank(values):
                continue
            if held:
                yield held
                held = None
            if len(values) != width:
                yield (
                    start,
                    None,
                    f"has {len(values)} columns, the header has {width} (cut mid-row, or shifted?)",
                )
            elif _not_utf8(values):
                yield start, None, "contains bytes that are not UTF-8"
            else:
                held = (start, values, "")
        if held:
            yield held
    finally:
        if progress is not None and pending:
            progress.update(pending)


def _blank(values: list[str]) -> bool:
    return not any(values) or (not values[0].strip() and not any(v.strip() for v in values))


_SURROGATES = re.compile("[\udc80-\udcff]")


def _not_utf8(values: list[str]) -> bool:
    return any(_SURROGATES.search(v) for v in values if not v.isascii())


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return [h.strip() for h in next(csv.reader(f), [])]
