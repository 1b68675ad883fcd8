"""Statistics tables and complaint lists as CSV and XLSX, and the anonymised open-data export.

A table is (headers, rows); `statistics_table` builds one from the query results, `write_csv`/`write_xlsx`
turn any table into a file and `download` into the HTTP answer that the API and the web both send
(`statistics_download`: a table's header row leaves before its figures are read). Every
download streams (`lib.spreadsheet.csv_stream`, `xlsx_stream`): its first bytes leave at once and its memory
stays flat however many rows it has. Complaint lists and the open data read their rows in batches of
BATCH_ROWS as plain values (one query, no model instances): a million rows stream at tens of thousands of
rows a second (docs/benchmarks.md). Every cell of either format goes through `lib.spreadsheet.cell`: no
text in a download is a formula.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Context as DecimalContext
from decimal import Decimal
from itertools import chain

from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Field,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.privacy import listed_text
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.deadlines.models import DeadlineStatus, Phase
from complaintdesk.lib import spreadsheet
from complaintdesk.lib.errors import FieldError
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats import centre, periods, queries
from complaintdesk.stats.models import ALL_BUREAUS
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
# Rows a list download reads from the database at a time (`QuerySet.iterator`: fetched in batches from one
# query, a server-side cursor on PostgreSQL): what it holds in memory, whatever its length.
BATCH_ROWS = 2000


def _wall_clock() -> Callable[[datetime], datetime]:
    """What a download shows of an instant: the regulator's wall clock (to the second: `lib.spreadsheet`
    drops the microseconds), with the zone read once for a million rows. A naive time (none of the
    product's) as it is."""
    zone = periods.zone()
    return lambda value: value.astimezone(zone) if value.tzinfo is not None else value


def csv_stream(headers: list[str], rows: Iterable) -> Iterator[bytes]:
    """The table as CSV, in pieces (`lib.spreadsheet.csv_stream`): times as ISO 8601 with the regulator's
    offset."""
    return spreadsheet.csv_stream(chain([headers], rows), wall_clock=_wall_clock())


def xlsx_stream(headers: list[str], rows: Iterable, title: str = "data") -> Iterator[bytes]:
    """The table as an XLSX workbook of one sheet, in pieces (`lib.spreadsheet.xlsx_stream`): times as
    date-time cells of the regulator's wall clock; a sheet too large for the file ends with a note in the
    language active now."""
    return spreadsheet.xlsx_stream(
        chain([headers], rows),
        title=title,
        wall_clock=_wall_clock(),
        datetime_format=XLSX_DATETIME_FORMAT,
        date_format=XLSX_DATE_FORMAT,
        cut_note=gettext("The file ends here: the rest does not fit in one XLSX sheet. Download it as CSV."),
    )


def write_csv(headers: list[str], rows: Iterable) -> bytes:
    return b"".join(csv_stream(headers, rows))


def write_xlsx(headers: list[str], rows: Iterable, title: str = "data") -> bytes:
    return b"".join(xlsx_stream(headers, rows, title))


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise FieldError("format", f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")


def download(headers: list[str], rows: Iterable, fmt: str, name: str) -> StreamingHttpResponse:
    """The table as an attachment `name`.csv or .xlsx, streamed as it is written: every download of the
    product is one of these. `rows` may be lazy (a generator reading the database): it is read as the
    file streams, after the view has returned."""
    check_format(fmt)
    stream = csv_stream if fmt == "csv" else xlsx_stream
    response = StreamingHttpResponse(stream(headers, rows), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def list_download(columns: list[str], rows_of: Callable, complaints, fmt: str, name: str):
    """A list of complaints (an ordered queryset) streamed as `rows_of` writes them; as XLSX only while
    one sheet holds it."""
    check_format(fmt)
    if fmt == "xlsx" and _more_than(complaints, XLSX_MAX_ROWS):
        raise FieldError("format", "more rows than one XLSX sheet holds; export as csv")
    return download(columns, rows_of(complaints), fmt, name)


def _more_than(rows: QuerySet, n: int) -> bool:
    """Whether `rows` holds more than `n`: whether a row stands after the first `n` (in any order), which
    reads at most n + 1 of them, not the COUNT of every one (the whole table, at 10 M complaints, before the
    first byte)."""
    return rows.order_by()[n : n + 1].exists()


# ------------------------------------------------------------------------------------------ tables

STATISTICS_TABLES = ("summary", "phases", "compliance", "breakdown", "series", "centre")


def statistics_download(
    table: str,
    period: periods.Period,
    shop: queries.Shops,
    fmt: str,
    name: str,
    by: str = "category",
    interval: str = "month",
    bureau: int = ALL_BUREAUS,
) -> StreamingHttpResponse:
    """`statistics_table` as an attachment `name`.csv or .xlsx. The request is checked and the header row
    made at once (an error answers before any byte); the figures are read only once the header has left,
    as the file streams: at 10 M complaints the summary's figures take a few hundred ms."""
    check_format(fmt)
    headers, rows = _statistics(table, period, shop, by, interval, bureau)
    return download(headers, _later(rows), fmt, name)


def statistics_table(
    table: str,
    period: periods.Period,
    shop: queries.Shops,
    by: str = "category",
    interval: str = "month",
    bureau: int = ALL_BUREAUS,
) -> tuple[list[str], list[list]]:
    """One of STATISTICS_TABLES for the period and shop (ALL_SHOPS: every shop; a set: those shops summed),
    read at once; `statistics_download` streams it."""
    headers, rows = _statistics(table, period, shop, by, interval, bureau)
    return headers, rows()


def _statistics(
    table: str, period: periods.Period, shop: queries.Shops, by: str, interval: str, bureau: int
) -> tuple[list[str], Callable[[], list[list]]]:
    """A table's header row, and how to read its rows: everything that can refuse the request is checked
    here, before any figure is read. `by` is the breakdown's dimension, `interval` the series' step.
    `centre`, the 12315 centre's figures of `bureau` (ALL_BUREAUS: every bureau), is the regulator's only:
    PermissionDenied (403) for a shop's staff (the API asks `scope.bureau_scope` first)."""
    if table == "centre":
        if queries.merchant_of(shop) is not None:
            raise PermissionDenied("the centre's figures are for regulator officers")
        return centre_headers(), lambda: centre_rows(centre.figures(period, bureau))
    if table == "breakdown":
        if by not in queries.BREAKDOWNS:
            raise FieldError(
                "by", f"unknown breakdown {by!r}; breakdowns are: {', '.join(queries.BREAKDOWNS)}"
            )
        return breakdown_headers(by), lambda: breakdown_rows(queries.breakdown(period, by, shop))
    if table == "series":
        if interval not in periods.INTERVALS:
            raise FieldError(
                "interval", f"unknown interval {interval!r}; intervals are: {', '.join(periods.INTERVALS)}"
            )
        return series_headers(), lambda: series_rows(queries.series(period, interval, shop))
    if table not in SUMMARY_TABLES:
        raise FieldError("table", f"unknown table {table!r}; tables are: {', '.join(STATISTICS_TABLES)}")
    headers, rows = SUMMARY_TABLES[table]
    return headers(), lambda: rows(queries.summary(period, shop))


def _later(rows: Callable[[], list[list]]) -> Iterator[list]:
    """The rows `rows()` makes, made when the stream first asks for one (after the header row has left), in
    the language active now: the stream runs after the view has returned, when another language may be
    active in the thread. A table of figures is small (at most a row a shop): it is made whole."""
    language = get_language()

    def made() -> Iterator[list]:
        with translation.override(language):
            table = rows()
        yield from table

    return made()


# Every statistics table is headed and labelled in the requester's language, as the complaint list is
# (decisions.md, "Exports in the requester's language"): a figure's or a key's label, then its stable code
# in a column of its own for programs; days are dates (XLSX date cells). A table's header row and its rows
# are made apart (`_statistics`): the header row leaves before any figure is read.


def _headers(*names) -> list[str]:
    return [capfirst(str(name)) for name in names]


def _code(column) -> str:
    return gettext("%(column)s (code)") % {"column": capfirst(str(column))}


def _phase(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else phase


# What the time figures measure: from receipt until the deadline was met, on the wall clock (nights,
# weekends and waits for the consumer included), over the deadlines met. Their codes say it too.
TIME_TO_MET = "wall_clock_minutes_from_receipt"
MEDIAN_TIME = _("median time until met (wall-clock minutes from receipt)")
P90_TIME = _("90th percentile of the time until met (wall-clock minutes from receipt)")


def summary_headers() -> list[str]:
    return _headers(_("figure"), _("code"), _("value"))


def summary_rows(data: dict) -> list[list]:
    g = data["growth"]
    zh = (get_language() or "").startswith("zh")
    rows = [
        [gettext("First day of the period"), "period_start", data["period"]["start"]],
        [gettext("Last day of the period"), "period_end", data["period"]["end"]],
        [gettext("Complaints in the period"), "count", data["count"]],
        [gettext("Same period last year"), "previous_year_count", data["previous_year_count"]],
        [gettext("Growth (%)"), "growth_percent", g["percent"]],
        [gettext("This period ÷ same period last year"), "growth_ratio", g["ratio"]],
        [gettext("Growth"), "growth_text_percent", g["text_percent"]],
        [gettext("This period ÷ same period last year, as text"), "growth_text_ratio", g["text_ratio"]],
        [gettext("Growth in words"), "growth_text_times", g["text_times_zh"] if zh else g["text_times"]],
        [gettext("Complaints about online shopping"), "online_shopping_count", data["online_shopping_count"]],
        [gettext("Online shopping share"), "online_shopping_share", data["online_shopping_share"]],
        [gettext("Resolution rate (resolved ÷ finished)"), "resolution_rate", data["resolution"]["rate"]],
    ]
    # Over the deadlines met so far (in time or late): wall-clock minutes from receipt, pauses included.
    for phase in ("first_response", "reply", "resolution"):
        minutes = data["compliance"]["phase_minutes"][phase]
        for code, label, value in (
            ("median", MEDIAN_TIME, minutes["median"]),
            ("p90", P90_TIME, minutes["p90"]),
        ):
            name = gettext("%(duty)s: %(figure)s") % {"duty": _phase(phase), "figure": label}
            rows.append([name, f"{code}_{phase}_{TIME_TO_MET}", value])
    for phase, figures in data["compliance"]["phases"].items():
        name = gettext("%(duty)s: %(figure)s") % {
            "duty": _phase(phase),
            "figure": gettext("share met in time"),
        }
        rows.append([name, f"{phase}_share_in_time", figures["share_in_time"]])
    return rows


# A deadline outcome's column: its heading, and its key in the statistics.
COMPLIANCE_COLUMNS = [
    ("deadlines", _("Deadlines")),
    ("met_in_time", _("Met in time")),
    ("met_late", _("Met late")),
    ("missed", _("Missed")),
    ("running", _("Running")),
    ("cancelled", _("Cancelled")),
    ("share_in_time", _("Share in time")),
]


def phases_headers() -> list[str]:
    return _headers(
        _("Phase"), _code(_("Phase")), *(label for _key, label in COMPLIANCE_COLUMNS),
        _("Met (in time or late)"), MEDIAN_TIME, P90_TIME,
    )  # fmt: skip


def phases_rows(data: dict) -> list[list]:
    """Every phase, with or without deadlines in the period: outcomes and the minutes until met."""
    compliance = data["compliance"]
    rows = []
    for phase in queries.PHASES:
        figures = compliance["phases"].get(phase) or queries.empty_outcome()
        minutes = compliance["phase_minutes"][phase]
        rows.append(
            [
                _phase(phase),
                phase,
                *(figures[key] for key, _label in COMPLIANCE_COLUMNS),
                minutes["answered"],
                minutes["median"],
                minutes["p90"],
            ]
        )
    return rows


def compliance_headers() -> list[str]:
    return _headers(_("Phase"), _code(_("Phase")), _("Rule"), *(label for _key, label in COMPLIANCE_COLUMNS))


def compliance_rows(data: dict) -> list[list]:
    """Outcomes by phase and rule; the default policy's rules in the requester's language (a rule of the
    regulator's own keeps its name)."""
    return [
        [
            _phase(r["phase"]), r["phase"], gettext(r["rule"]) if r["rule"] else "",
            *(r[key] for key, _label in COMPLIANCE_COLUMNS),
        ]
        for r in data["compliance"]["rules"]
    ]  # fmt: skip


# The tables of `queries.summary`'s figures: each one's header row and rows.
SUMMARY_TABLES = {
    "summary": (summary_headers, summary_rows),
    "phases": (phases_headers, phases_rows),
    "compliance": (compliance_headers, compliance_rows),
}


BREAKDOWN_HEADINGS = {
    "category": _("Category"),
    "shop": _("Shop"),
    "kind": _("Kind"),
    "channel": _("Channel"),
    "sector": _("Sector"),
    "commitment": _("Pledge commitment"),
}


def breakdown_headers(by: str) -> list[str]:
    heading = BREAKDOWN_HEADINGS.get(by, by)
    return _headers(
        heading, _code(heading), _("Complaints"), _("Same period last year"), _("Growth (%)"), _("Growth"),
        _("Share"),
    )  # fmt: skip


def breakdown_rows(data: dict) -> list[list]:
    labels = _breakdown_labels(data["by"])
    return [
        [
            labels.get(r["key"], r["label"]), r["key"], r["count"], r["previous_year_count"],
            r["growth"]["percent"], r["growth"]["text_percent"], r["share"],
        ]
        for r in data["rows"]
    ]  # fmt: skip


def _breakdown_labels(by: str) -> dict[str, str]:
    """A breakdown's keys by label in the active language, where the statistics' own label is not in it (a
    category's is both languages, a commitment's English)."""
    if by == "category":
        zh = (get_language() or "").startswith("zh")
        return {code: zh_name if zh else en for code, en, zh_name in Category.objects.values_list(
            "code", "name_en", "name_zh")}  # fmt: skip
    if by == "commitment":
        return {str(n): gettext(label) for n, label in queries.COMMITMENT_LABELS.items()}
    return {}


def series_headers() -> list[str]:
    return _headers(_("First day"), _("Last day"), _("Complaints"), _("Same period last year"))


def series_rows(data: dict) -> list[list]:
    return [[p["start"], p["end"], p["count"], p["previous_year_count"]] for p in data["points"]]


def centre_headers() -> list[str]:
    return _headers(_("section"), _("figure"), _("code"), _("value"))


def centre_rows(data: dict) -> list[list]:
    """The centre's figures (`centre.rows`), one a row, labelled in the requester's language with each
    figure's stable code beside its name for programs (as the complaint list's codes)."""
    period = gettext("Period")
    first = [[period, gettext("First day of the period"), "period_start", data["period"]["start"]],
             [period, gettext("Last day of the period"), "period_end", data["period"]["end"]],
             [period, gettext("Bureau"), "bureau", data["bureau"] or gettext("All bureaus")]]  # fmt: skip
    return first + [[r.section, r.label, r.code, r.value] for r in centre.rows(data)]


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


# The complaint's first-response deadline (at most one: unique by complaint and phase), joined to its row.
_FIRST_RESPONSE = "first_response_deadline"


def first_response_in_time(now: datetime) -> Case:
    """Whether the first response came in time, worked out by the database from the deadline's columns:
    "yes", "late", "no" (missed: due and not met by `now`), or "" (no such deadline, or not due yet). A
    deadline imported as met without a time (`rollups.deadline_outcome`) was met in time."""
    due_at, met_at, status = (f"{_FIRST_RESPONSE}__{column}" for column in ("due_at", "met_at", "status"))
    return Case(
        When(**{f"{due_at}__isnull": True}, then=Value("")),
        When(**{f"{met_at}__lte": F(due_at)}, then=Value("yes")),
        When(**{f"{met_at}__isnull": False}, then=Value("late")),
        When(**{status: DeadlineStatus.MET}, then=Value("yes")),
        When(**{f"{due_at}__gt": now}, then=Value("")),
        default=Value("no"),
        output_field=CharField(),
    )


# Columns read as the database driver hands them over, without Django's conversion of each value: 1–2 µs
# a value, and with any column to convert Django copies every row once more. For the three below, a sixth of
# what a streamed CSV row costs (measured 2026-12-05). What the driver gives differs by database: `Stored`
# turns it into what Django would have given.
_AS_STORED = ("received_at", "amount", "publish_consent", f"{_FIRST_RESPONSE}__due_at")


class Stored:
    """Values of `_AS_STORED` columns as Django would convert them when reading from the database `db`."""

    def __init__(self, db: str) -> None:
        # A naive instant is in the connection's zone (SQLite's text), as Django's `make_aware` on read says.
        self.zone = connections[db].timezone
        amount = Complaint._meta.get_field("amount")
        self._places = Decimal(1).scaleb(-amount.decimal_places)
        self._context = amount.context
        self._from_float = DecimalContext(prec=15).create_decimal_from_float  # Django's SQLite converter

    def instant(self, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=self.zone) if value is not None and value.tzinfo is None else value

    def amount(self, value) -> Decimal | None:
        """A Decimal of the field's places (SQLite keeps a float or an int; PostgreSQL gives a Decimal)."""
        if value is None or isinstance(value, Decimal):
            return value
        return self._from_float(value).quantize(self._places, context=self._context)


# The shop's columns (`merchant__…`) are read by a subquery on its primary key, row by row, not by joining
# the shops: with them joined, SQLite's planner reads the period shop by shop (through the shop's index of
# received times) and sorts all of it before the first row, 4–6 s for the regulator's year at 1 M complaints
# (10 × that at 10 M); without, it walks the received_at index in the list's order and the first row comes
# at once. PostgreSQL looks the shop up by its key either way.
_SHOP = "merchant__"


def _shop_column(column: str) -> Subquery:
    field = column.removeprefix(_SHOP)
    return Subquery(Merchant.objects.filter(pk=OuterRef("merchant_id")).order_by().values(field))


def _rows_with_first_response(complaints: QuerySet, *columns, now: datetime) -> Iterator[tuple]:
    """`columns` of each of `complaints` (in their order; an expression for the first-response deadline's
    columns names them `first_response_deadline__…`), then `first_response_in_time`: plain values read
    BATCH_ROWS at a time, not model instances (a complaint's instance with its shop, category and deadlines
    costs 30 times as much to make). The columns of `_AS_STORED` come as stored: see `Stored`; the shop's
    (`merchant__…`) see `_shop_column`."""
    read = {f"read_{i}": e for i, column in enumerate(columns) if (e := _read_as(column)) is not None}
    joined = complaints.prefetch_related(None).annotate(
        **{
            _FIRST_RESPONSE: FilteredRelation("deadlines", condition=Q(deadlines__phase=Phase.FIRST_RESPONSE))
        },
        first_response_in_time=first_response_in_time(now),
    )
    names = [f"read_{i}" if f"read_{i}" in read else column for i, column in enumerate(columns)]
    return _read(joined.annotate(**read).values_list(*names, "first_response_in_time"))


def _read_as(column: str):
    """The expression that reads `column` another way than Django's (`_AS_STORED`, the shop's), or None."""
    if column.startswith(_SHOP):
        return _shop_column(column)
    if column in _AS_STORED:
        return ExpressionWrapper(F(column), output_field=Field())
    return None


def _read(rows: QuerySet) -> Iterator[tuple]:
    """`rows` read BATCH_ROWS at a time from one query. On PostgreSQL inside a transaction: out of one,
    Django declares its server-side cursor WITH HOLD, and PostgreSQL then computes and stores every row
    before handing over the first; in one, the cursor streams from a consistent snapshot. (On SQLite a
    transaction would take the write lock for the whole download: the query streams without one.)"""
    if connections[rows.db].vendor == "postgresql":
        with transaction.atomic(using=rows.db):
            yield from rows.iterator(chunk_size=BATCH_ROWS)
    else:
        yield from rows.iterator(chunk_size=BATCH_ROWS)


def _labels(field: str) -> dict:
    """A choice field's labels in the language active now, by code."""
    return {code: str(label) for code, label in Complaint._meta.get_field(field).flatchoices}


def complaint_rows(complaints, viewer) -> Iterator[list]:
    """A list of complaints `viewer` may see (a `visible_complaints` queryset), one row each in
    `complaint_columns`' order, labels in the language active now; free text masked for a shop as its
    lists are (`privacy.listed_text`).

    The labels are read here, in the request's language: the rows themselves are made while the file
    streams, after the view has returned, when another language may be active in the thread."""
    zh = (get_language() or "").startswith("zh")
    categories = {
        pk: (name_zh if zh else name_en, code)
        for pk, code, name_en, name_zh in Category.objects.values_list("pk", "code", "name_en", "name_zh")
    }
    labels = {field: _labels(field) for field in ("kind", "channel", "sector", "state", "wanted_outcome")}
    in_time_labels = {code: str(label) for code, label in IN_TIME_LABELS.items()} | {"": ""}
    return _complaint_rows(complaints, viewer, categories, labels, in_time_labels, timezone.now())


def _complaint_rows(complaints, viewer, categories, labels, in_time_labels, now) -> Iterator[list]:
    kinds, channels, sectors, states, outcomes = labels.values()
    stored = Stored(complaints.db)
    instant, amount_of = stored.instant, stored.amount  # looked up once: this loop runs a million times
    rows = _rows_with_first_response(
        complaints, "reference", "received_at", "merchant__name", "kind", "category_id", "channel", "sector",
        "state", "order_number", "product", "amount", "wanted_outcome", "description",
        f"{_FIRST_RESPONSE}__due_at", now=now,
    )  # fmt: skip
    for (
        reference, received_at, shop, kind, category_id, channel, sector, state, order_number, product,
        amount, wanted, description, due_at, in_time,
    ) in rows:  # fmt: skip
        category, category_code = categories[category_id]
        yield [
            reference, instant(received_at), shop, kinds.get(kind, kind), kind, category, category_code,
            channels.get(channel, channel), channel, sectors.get(sector, sector), sector,
            states.get(state, state), state, order_number, listed_text(product, viewer), amount_of(amount),
            outcomes.get(wanted, wanted), wanted, instant(due_at), in_time_labels[in_time],
            listed_text(description, viewer),
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------ open data

OPEN_DATA_COLUMNS = [
    "received_date", "shop", "platform", "kind", "category", "channel", "sector", "state",
    "wanted_outcome", "amount", "first_response_in_time", "description",
]  # fmt: skip


def open_data_complaints(period: periods.Period) -> QuerySet:
    """Every complaint received in the period, oldest first (`open_data_rows` reads only the columns that
    open data may show)."""
    start, end = period.instants()
    return Complaint.objects.filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "id")


def open_data_rows(complaints) -> Iterator[list]:
    """No names, phones, addresses, ID numbers, references, order numbers or account ids: the consumer
    cannot be found from a row. The description only where its consumer consented to publishing it
    (`Complaint.publish_consent`: names in free text cannot be found), scrubbed (`scrub.py`); else empty."""
    categories = dict(Category.objects.values_list("pk", "code"))
    return _open_data_rows(complaints, categories, periods.zone(), timezone.now())


def _open_data_rows(complaints, categories, zone, now) -> Iterator[list]:
    stored = Stored(complaints.db)
    rows = _rows_with_first_response(
        complaints, "received_at", "merchant__name", "merchant__platform", "kind", "category_id", "channel",
        "sector", "state", "wanted_outcome", "amount", "publish_consent", "description", now=now,
    )  # fmt: skip
    for (
        received_at, shop, platform, kind, category_id, channel, sector, state, wanted, amount, consent,
        description, in_time,
    ) in rows:  # fmt: skip
        yield [
            stored.instant(received_at).astimezone(zone).date().isoformat(), shop, platform, kind,
            categories[category_id], channel, sector, state, wanted, stored.amount(amount), in_time,
            scrub(description) if consent else "",
        ]  # fmt: skip
