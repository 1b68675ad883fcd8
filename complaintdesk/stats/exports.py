"""Statistics tables and complaint lists as CSV and XLSX, and the anonymised open-data export.

A table is (headers, rows); `statistics_table` builds one from the query results, `write_csv`/`write_xlsx`
turn any table into a file and `download` into the HTTP answer that the API and the web both send.
Complaint lists stream row by row, so a large export never sits in memory. Every cell of either format
goes through `lib.spreadsheet.cell`: no text in a download is a formula.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.privacy import listed_text
from complaintdesk.complaints.models import Complaint
from complaintdesk.lib import spreadsheet
from complaintdesk.lib.errors import FieldError
from complaintdesk.stats import centre, periods, queries
from complaintdesk.stats.models import ALL_BUREAUS, ALL_SHOPS
from complaintdesk.stats.scrub import scrub

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# One sheet of an XLSX file holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
# How an XLSX date or time cell shows (ISO order, to the second, in the regulator's zone).
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_DATE_FORMAT = "yyyy-mm-dd"


class Echo:
    def write(self, value):
        return value


def local_instant(value: datetime) -> datetime:
    """An aware instant in the regulator's zone, to the second (no download shows microseconds)."""
    return timezone.localtime(value, periods.zone()).replace(microsecond=0)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_instant(value).isoformat()  # ISO 8601 with the zone's offset
    return spreadsheet.cell(value)


def stream_csv(headers: list[str], rows: Iterable) -> Iterator[str]:
    """CSV lines for a streaming response; a BOM first so spreadsheet programs read UTF-8 (Chinese)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def write_csv(headers: list[str], rows: Iterable) -> bytes:
    return "".join(stream_csv(headers, rows)).encode("utf-8")


def write_xlsx(headers: list[str], rows: Iterable, title: str = "data") -> bytes:
    # Imported here: a process that never writes XLSX does not load openpyxl (60 ms).
    from openpyxl import Workbook  # noqa: PLC0415 - as the comment above says
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - as above
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415 - as above

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])

    def cell(value):
        if isinstance(value, str):
            # Stored as text whatever it begins with (openpyxl stores '=…' as a formula), without the
            # control characters XML cannot hold (openpyxl refuses them: the whole file would fail).
            text = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", spreadsheet.cell(value)))
            text.data_type = "s"
            return text
        if isinstance(value, datetime):
            # A real date-time cell; XLSX has no time zones, so the regulator's wall clock, naive.
            moment = local_instant(value) if value.tzinfo is not None else value.replace(microsecond=0)
            stamp = WriteOnlyCell(sheet, moment.replace(tzinfo=None))
            stamp.number_format = XLSX_DATETIME_FORMAT
            return stamp
        if isinstance(value, date):
            day = WriteOnlyCell(sheet, value)
            day.number_format = XLSX_DATE_FORMAT
            return day
        return value

    sheet.append(headers)
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise FieldError("format", f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")


def download(headers: list[str], rows: Iterable, fmt: str, name: str, streaming: bool = False):
    """The table as an attachment `name`.csv or .xlsx; a streamed CSV when `streaming` (long lists)."""
    check_format(fmt)
    if fmt == "csv" and streaming:
        response = StreamingHttpResponse(stream_csv(headers, rows), content_type=CONTENT_TYPES[fmt])
    else:
        writer = write_csv if fmt == "csv" else write_xlsx
        response = HttpResponse(writer(headers, rows), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def list_download(columns: list[str], rows_of: Callable, complaints, fmt: str, name: str):
    """A list of complaints (an ordered queryset) streamed as `rows_of` writes them; as XLSX only while
    one sheet holds it."""
    check_format(fmt)
    if fmt == "xlsx" and complaints.count() > XLSX_MAX_ROWS:
        raise FieldError("format", "more rows than one XLSX sheet holds; export as csv")
    return download(columns, rows_of(complaints), fmt, name, streaming=True)


# ------------------------------------------------------------------------------------------ tables

STATISTICS_TABLES = ("summary", "phases", "compliance", "breakdown", "series", "centre")


def statistics_table(
    table: str,
    period: periods.Period,
    shop: int,
    by: str = "category",
    interval: str = "month",
    bureau: int = ALL_BUREAUS,
) -> tuple[list[str], list[list]]:
    """One of STATISTICS_TABLES for the period and shop (ALL_SHOPS: every shop); `by` is the breakdown's
    dimension, `interval` the series' step. `centre`, the 12315 centre's figures of `bureau` (ALL_BUREAUS:
    every bureau), is the regulator's only: PermissionDenied (403) for a shop's staff (the API asks
    `scope.bureau_scope` first)."""
    if table == "centre":
        if shop != ALL_SHOPS:
            raise PermissionDenied("the centre's figures are for regulator officers")
        return centre_table(centre.figures(period, bureau))
    if table == "breakdown":
        return breakdown_table(queries.breakdown(period, by, shop))
    if table == "series":
        if interval not in periods.INTERVALS:
            raise FieldError(
                "interval", f"unknown interval {interval!r}; intervals are: {', '.join(periods.INTERVALS)}"
            )
        return series_table(queries.series(period, interval, shop))
    builders = {"summary": summary_table, "phases": phases_table, "compliance": compliance_table}
    if table not in builders:
        raise FieldError("table", f"unknown table {table!r}; tables are: {', '.join(STATISTICS_TABLES)}")
    return builders[table](queries.summary(period, shop))


# What the time figures measure, in their column names: from receipt until the deadline was met, on the
# wall clock (nights, weekends and waits for the consumer included), over the deadlines met.
TIME_TO_MET = "wall_clock_minutes_from_receipt"


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
    ]
    # Over the deadlines met so far (in time or late): wall-clock minutes from receipt, pauses included.
    for phase in ("first_response", "reply", "resolution"):
        minutes = data["compliance"]["phase_minutes"][phase]
        rows += [
            [f"median_{phase}_{TIME_TO_MET}", minutes["median"]],
            [f"p90_{phase}_{TIME_TO_MET}", minutes["p90"]],
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


def phases_table(data: dict) -> tuple[list[str], list[list]]:
    """Every phase, with or without deadlines in the period: outcomes and the minutes until met."""
    compliance = data["compliance"]
    rows = []
    for phase in queries.PHASES:
        figures = compliance["phases"].get(phase) or queries.empty_outcome()
        minutes = compliance["phase_minutes"][phase]
        rows.append(
            [
                phase,
                *(figures[c] for c in COMPLIANCE_COLUMNS),
                minutes["answered"],
                minutes["median"],
                minutes["p90"],
            ]
        )
    return [
        "phase",
        *COMPLIANCE_COLUMNS,
        "met_in_time_or_late",
        f"median_{TIME_TO_MET}",
        f"p90_{TIME_TO_MET}",
    ], rows


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


def centre_table(data: dict) -> tuple[list[str], list[list]]:
    """The centre's figures (`centre.rows`), one a row, headed and labelled in the requester's language with
    each figure's stable code beside its name for programs (as the complaint list's codes)."""
    headers = [capfirst(str(h)) for h in (_("section"), _("figure"), _("code"), _("value"))]
    period = f"{data['period']['start']}..{data['period']['end']}"
    first = [[gettext("Period"), gettext("Period"), "period", period],
             [gettext("Period"), gettext("Bureau"), "bureau", data["bureau"] or gettext("All bureaus")]]  # fmt: skip
    return headers, first + [[r.section, r.label, r.code, r.value] for r in centre.rows(data)]


# The complaint list's columns, headed in the requester's language (`complaint_columns`). A coded column
# shows the label and is followed by the internal code, for programs, headed "<column> (code)".
COMPLAINT_COLUMNS = [
    (_("reference"), False), (_("received at"), False), (_("shop"), False), (_("kind"), True),
    (_("category"), True), (_("channel"), True), (_("sector"), True), (_("state"), True),
    (_("order number"), False), (_("product"), False), (_("amount"), False), (_("wanted outcome"), True),
    (_("First response due"), False), (_("First response in time"), False), (_("description"), False),
]  # fmt: skip


def complaint_columns() -> list[str]:
    """The complaint list's header row in the active language (see decisions.md, "Exports in the
    requester's language")."""
    headers = []
    for label, coded in COMPLAINT_COLUMNS:
        headers.append(capfirst(str(label)))
        if coded:
            headers.append(gettext("%(column)s (code)") % {"column": capfirst(str(label))})
    return headers


IN_TIME_LABELS = {"yes": _("Met in time"), "late": _("Met late"), "no": _("Missed")}


def _in_time(complaint) -> str:
    for d in complaint.deadlines.all():
        if d.phase == "first_response":
            if d.met_at is not None:
                return "yes" if d.met_at <= d.due_at else "late"
            if d.status == "met":
                return "yes"
            return "" if d.due_at > timezone.now() else "no"
    return ""


def category_label(category) -> str:
    return category.name_zh if (get_language() or "").startswith("zh") else category.name_en


def complaint_rows(complaints, viewer) -> Iterator[list]:
    """A list of complaints `viewer` may see (a `visible_complaints` queryset), one row each in
    `complaint_columns`' order, labels in the language active now; free text masked for a shop as its
    lists are (`privacy.listed_text`)."""
    return _in_language(get_language(), _complaint_rows(complaints, viewer))


def _in_language(language: str | None, rows: Iterator[list]) -> Iterator[list]:
    """Each row made in `language`: a streamed download's rows are made after its view has returned, when
    the request's language is no longer active (the thread may be serving another request's)."""
    while True:
        with override(language):
            row = next(rows, None)
        if row is None:
            return
        yield row


def _complaint_rows(complaints, viewer) -> Iterator[list]:
    for c in complaints.iterator(chunk_size=2000):
        first = next((d for d in c.deadlines.all() if d.phase == "first_response"), None)
        in_time = _in_time(c)
        yield [
            c.reference, c.received_at, c.merchant.name,
            c.get_kind_display(), c.kind, category_label(c.category), c.category.code,
            c.get_channel_display(), c.channel, c.get_sector_display(), c.sector,
            c.get_state_display(), c.state, c.order_number, listed_text(c.product, viewer), c.amount,
            c.get_wanted_outcome_display(), c.wanted_outcome, first.due_at if first else None,
            str(IN_TIME_LABELS[in_time]) if in_time else "", listed_text(c.description, viewer),
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------ open data

OPEN_DATA_COLUMNS = [
    "received_date", "shop", "platform", "kind", "category", "channel", "sector", "state",
    "wanted_outcome", "amount", "first_response_in_time", "description",
]  # fmt: skip


def open_data_complaints(period: periods.Period):
    """Every complaint received in the period, with only the columns that open data may show."""
    start, end = period.instants()
    return (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("merchant", "category")
        .prefetch_related("deadlines")
        .order_by("received_at", "id")
    )


def open_data_rows(complaints) -> Iterator[list]:
    """No names, phones, addresses, ID numbers, references, order numbers or account ids: the consumer
    cannot be found from a row. The description only where its consumer consented to publishing it
    (`Complaint.publish_consent`: names in free text cannot be found), scrubbed (`scrub.py`); else empty."""
    for c in complaints.iterator(chunk_size=2000):
        yield [
            timezone.localtime(c.received_at, periods.zone()).date().isoformat(), c.merchant.name,
            c.merchant.platform, c.kind, c.category.code, c.channel, c.sector, c.state, c.wanted_outcome,
            c.amount, _in_time(c), scrub(c.description) if c.publish_consent else "",
        ]  # fmt: skip
