"""Statistics tables and complaint lists as CSV and XLSX, and the anonymised open-data export.

A table is (headers, rows); `tables.*` build them from the query results, `write_csv`/`write_xlsx` turn
any table into a file. Complaint lists stream row by row, so a large export never sits in memory.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils import timezone

from complaintdesk.stats import periods
from complaintdesk.stats.scrub import scrub

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# One sheet of an XLSX file holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575


class Echo:
    def write(self, value):
        return value


def stream_csv(headers: list[str], rows: Iterable) -> Iterator[str]:
    """CSV lines for a streaming response; a BOM first so spreadsheet programs read UTF-8 (Chinese)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def write_csv(headers: list[str], rows: Iterable) -> bytes:
    return "".join(stream_csv(headers, rows)).encode("utf-8")


def write_xlsx(headers: list[str], rows: Iterable, title: str = "data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(value):
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value, periods.zone()).replace(tzinfo=None)  # XLSX has no time zones
    return value


# ------------------------------------------------------------------------------------------ tables


def summary_table(data: dict) -> tuple[list[str], list[list]]:
    g = data["growth"]
    rows = [
        ["period", f"{data['period']['start']}..{data['period']['end']}"],
        ["count", data["count"]],
        ["previous_year_count", data["previous_year_count"]],
        ["growth_percent", g["percent"]],
        ["growth_ratio", g["ratio"]],
        ["growth_text_percent", g["text_percent"]],
        ["growth_text_ratio", g["text_ratio"]],
        ["growth_text_times", g["text_times"]],
        ["online_shopping_count", data["online_shopping_count"]],
        ["online_shopping_share", data["online_shopping_share"]],
        ["resolution_rate", data["resolution"]["rate"]],
        ["median_first_response_minutes", data["compliance"]["first_response_minutes"]["median"]],
        ["p90_first_response_minutes", data["compliance"]["first_response_minutes"]["p90"]],
    ]
    for phase, figures in data["compliance"]["phases"].items():
        rows.append([f"{phase}_share_in_time", figures["share_in_time"]])
    return ["figure", "value"], rows


COMPLIANCE_COLUMNS = [
    "deadlines",
    "met_in_time",
    "met_late",
    "missed",
    "running",
    "cancelled",
    "share_in_time",
]


def compliance_table(data: dict) -> tuple[list[str], list[list]]:
    rows = [[r["phase"], r["rule"], *(r[c] for c in COMPLIANCE_COLUMNS)] for r in data["compliance"]["rules"]]
    return ["phase", "rule", *COMPLIANCE_COLUMNS], rows


def breakdown_table(data: dict) -> tuple[list[str], list[list]]:
    rows = [
        [
            r["key"], r["label"], r["count"], r["previous_year_count"],
            r["growth"]["percent"], r["growth"]["text_percent"], r["share"],
        ]
        for r in data["rows"]
    ]  # fmt: skip
    headers = [data["by"], "label", "count", "previous_year_count", "growth_percent", "growth", "share"]
    return headers, rows


def series_table(data: dict) -> tuple[list[str], list[list]]:
    rows = [[p["start"], p["end"], p["count"], p["previous_year_count"]] for p in data["points"]]
    return ["start", "end", "count", "previous_year_count"], rows


COMPLAINT_COLUMNS = [
    "reference", "received_at", "shop", "kind", "category", "channel", "sector", "state", "order_number",
    "amount", "wanted_outcome", "first_response_due", "first_response_in_time", "description",
]  # fmt: skip


def _in_time(complaint) -> str:
    for d in complaint.deadlines.all():
        if d.phase == "first_response":
            if d.met_at is not None:
                return "yes" if d.met_at <= d.due_at else "late"
            if d.status == "met":
                return "yes"
            return "" if d.due_at > timezone.now() else "no"
    return ""


def complaint_rows(complaints) -> Iterator[list]:
    """A list of complaints the user may see (a `visible_complaints` queryset), one row each."""
    for c in complaints.iterator(chunk_size=2000):
        first = next((d for d in c.deadlines.all() if d.phase == "first_response"), None)
        yield [
            c.reference, timezone.localtime(c.received_at, periods.zone()).isoformat(), c.merchant.name,
            c.kind, c.category.code, c.channel, c.sector, c.state, c.order_number, c.amount,
            c.wanted_outcome, timezone.localtime(first.due_at, periods.zone()).isoformat() if first else "",
            _in_time(c), c.description,
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------ open data

OPEN_DATA_COLUMNS = [
    "received_date", "shop", "platform", "kind", "category", "channel", "sector", "state",
    "wanted_outcome", "amount", "first_response_in_time", "description",
]  # fmt: skip


def open_data_complaints(period: periods.Period):
    """Every complaint received in the period, with only the columns that open data may show."""
    from complaintdesk.complaints.models import Complaint

    start, end = period.instants()
    return (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("merchant", "category")
        .prefetch_related("deadlines")
        .order_by("received_at", "id")
    )


def open_data_rows(complaints) -> Iterator[list]:
    """No names, phones, addresses, ID numbers, references, order numbers or account ids: the consumer
    cannot be found from a row. Free text is scrubbed (`scrub.py`)."""
    for c in complaints.iterator(chunk_size=2000):
        yield [
            timezone.localtime(c.received_at, periods.zone()).date().isoformat(), c.merchant.name,
            c.merchant.platform, c.kind, c.category.code, c.channel, c.sector, c.state, c.wanted_outcome,
            c.amount, _in_time(c), scrub(c.description),
        ]  # fmt: skip
