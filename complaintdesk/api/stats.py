"""Statistics under /api/v1/stats: summaries, breakdowns, time series, exports, open data.

Periods are calendar days in the regulator's time zone (settings.COMPLAINTDESK_TIME_ZONE, Asia/Shanghai
by default) and `end` is included: start=2026-01-01&end=2026-12-31 is the year 2026.
Who sees what: a city-level regulator officer every shop (all together, or one with `merchant`), a district
bureau's officer the shops in its bureau's charge (SPEC §11; another shop's id answers 404); a shop's staff
their own shop only (another shop's id answers 404, as everywhere); consumers no statistics (403) but
the list of their own complaints through `/export?table=complaints`.
"""

from datetime import date
from decimal import Decimal
from functools import partial

from django.http import Http404
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from complaintdesk.accounts.models import Role
from complaintdesk.api.common import Error, RowId, ValidationErrorOut
from complaintdesk.api.flags import FlagFiguresOut
from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.errors import FieldError
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats import buckets, bureaus, exports, queries
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.periods import INTERVALS, Period
from complaintdesk.stats.scope import bureau_scope, bureaus_in_scope, shop_scope

router = Router(tags=["stats"])

PERIOD_HELP = "Calendar days in the regulator's time zone; both start and end are included."


class PeriodIn(Schema):
    start: date = Field(description="First day of the period (YYYY-MM-DD). " + PERIOD_HELP)
    end: date = Field(description="Last day of the period, included (YYYY-MM-DD).")
    merchant: RowId | None = Field(None, description="One shop (regulator); a shop's staff get their own.")


class PeriodOut(Schema):
    start: date
    end: date
    days: int


# A breakdown answers a row per shop (5,000 at 10 M) with its growth: its rows are plain pydantic models, built
# from the dicts by pydantic's own validator, not ninja Schemas, whose per-object getter cost ~1 s for 5,000.


class GrowthOut(BaseModel):
    percent: float | None = Field(description="Change in percent, one decimal: 186.2 for 25,649 vs 8,962.")
    ratio: float | None = Field(description="This period ÷ last year, two decimals: 2.86.")
    text_percent: str = Field(description='"+186.2 %" ("n/a" without complaints last year).')
    text_ratio: str = Field(description='"2.86 × last year".')
    text_times: str = Field(
        description='"increased by 1.86 times" (the increase as a multiple of last year); a fall reads '
        '"decreased by 37.5 %", no change "unchanged".'
    )
    text_times_zh: str = Field(description='"增长1.86倍", "下降37.5%", "与去年同期持平".')


class ResolutionOut(Schema):
    finished: int = Field(description="Complaints of the period that reached resolved, closed or withdrawn.")
    resolved: int = Field(description="… of which the consumer accepted a resolution.")
    rate: float | None = Field(description="resolved ÷ finished (0–1).")


class OutcomeOut(Schema):
    deadlines: int
    met_in_time: int
    met_late: int
    missed: int = Field(description="Unmet after the due time.")
    running: int = Field(description="Paused, or not due yet.")
    cancelled: int = Field(description="No longer applies (withdrawn, closed).")
    share_in_time: float | None = Field(description="met_in_time ÷ (met_in_time + met_late + missed).")


class RuleOutcomeOut(OutcomeOut):
    phase: str
    rule: str


MINUTES_HELP = (
    "Minutes from receipt until the phase was met (wall-clock time, pauses included), rounded up to "
    "the minute up to 2 h, to 5 min up to 12 h, 30 min up to 2 days, 6 h up to 14 days, a day up to "
    f"90 days; {buckets.OVERFLOW} means more than 90 days."
)


class MinutesOut(Schema):
    answered: int = Field(description="Deadlines of the phase met so far: the times counted.")
    median: int | None = Field(description="Nearest-rank median. " + MINUTES_HELP)
    p90: int | None = Field(
        description="Nearest-rank 90th percentile: the time within which ⌈0.9 × answered⌉ were met."
    )


class DeadlineComplianceOut(Schema):
    rules: list[RuleOutcomeOut]
    phases: dict[str, OutcomeOut]
    first_response_minutes: MinutesOut
    phase_minutes: dict[str, MinutesOut] = Field(
        description="Median and 90th percentile of each phase (first_response, reply, resolution); "
        "first_response_minutes is the first of them."
    )


class SummaryOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    merchant: int | None
    count: int = Field(description="Complaints received in the period.")
    previous_year_count: int = Field(description="Received in the same days one year earlier.")
    growth: GrowthOut
    online_shopping_count: int
    online_shopping_share: float | None = Field(description="Online-shopping complaints ÷ all (0–1).")
    resolution: ResolutionOut
    compliance: DeadlineComplianceOut


class BreakdownRowOut(BaseModel):
    key: str
    label: str
    count: int
    previous_year_count: int
    growth: GrowthOut
    share: float | None


class BreakdownOut(Schema):
    period: PeriodOut
    by: str
    merchant: int | None
    total: int
    rows: list[BreakdownRowOut]


class PointOut(Schema):
    start: date
    end: date
    count: int
    previous_year_count: int


class SeriesOut(Schema):
    period: PeriodOut
    interval: str
    merchant: int | None
    points: list[PointOut]


def _period(q: PeriodIn) -> Period:
    return Period.parse(q.start, q.end)


@router.get(
    "/summary",
    response={200: SummaryOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Counts, last year, growth, online-shopping share, resolution and deadline compliance",
    description=PERIOD_HELP,
)
def summary(request, q: Query[PeriodIn]):
    return queries.summary(_period(q), shop_scope(request.auth, q.merchant))


@router.get(
    "/breakdown",
    response={200: BreakdownOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Counts by category, kind, channel, sector, shop or pledge commitment",
    description=PERIOD_HELP,
)
def breakdown(request, q: Query[PeriodIn], by: str = Query(..., description=", ".join(queries.BREAKDOWNS))):
    return queries.breakdown(_period(q), by, shop_scope(request.auth, q.merchant))


@router.get(
    "/series",
    response={200: SeriesOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Complaints per day, ISO week or month, beside the same days last year",
    description=PERIOD_HELP,
)
def series(request, q: Query[PeriodIn], interval: str = "month"):
    if interval not in INTERVALS:
        raise FieldError("interval", f"unknown interval {interval!r}; intervals are: {', '.join(INTERVALS)}")
    return queries.series(_period(q), interval, shop_scope(request.auth, q.merchant))


EXPORT_TABLES = (*exports.STATISTICS_TABLES, "complaints")


@router.get(
    "/export",
    response={200: None, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="A statistics table or the complaint list you may see, as CSV or XLSX",
    description=PERIOD_HELP + " Tables: " + ", ".join(EXPORT_TABLES) + ". Consumers may export only "
    "`complaints` (their own); `centre`, the 12315 centre's figures as GET /stats/centre gives them, only "
    "regulator officers (`bureau`: one bureau's; with `complaints`, the complaints it holds, as GET "
    "/complaints?bureau= lists them). XLSX holds at most 1,048,575 rows; use CSV beyond.",
)
def export(
    request,
    q: Query[PeriodIn],
    table: str,
    format: str = "csv",  # noqa: A002 - the query parameter's public name
    by: str = "category",
    interval: str = "month",
    bureau: RowId | None = None,  # table=centre: one bureau's figures; complaints: those it holds
):
    period = _period(q)
    if table not in EXPORT_TABLES:
        raise FieldError("table", f"unknown table {table!r}; tables are: {', '.join(EXPORT_TABLES)}")
    exports.check_format(format)
    centre_bureau = bureau_scope(request.auth, bureau) if table == "centre" else ALL_BUREAUS
    name = f"complaintdesk-{table}-{period.start}-{period.end}"
    if table == "complaints":
        if request.auth.role != Role.CONSUMER:
            shop_scope(request.auth, q.merchant)  # another shop's id answers 404
        start, end = period.instants()
        rows = visible_complaints(request.auth).filter(received_at__gte=start, received_at__lt=end)
        if q.merchant is not None:
            rows = rows.filter(merchant_id=q.merchant)
        if bureau is not None:  # as GET /complaints?bureau=: another bureau's, for a district officer, none
            rows = rows.filter(in_bureau(bureau))
        rows = rows.order_by("received_at", "id")
        return exports.list_download(
            exports.complaint_columns(),
            partial(exports.complaint_rows, viewer=request.auth),
            rows,
            format,
            name,
        )
    return exports.statistics_download(
        table, period, shop_scope(request.auth, q.merchant), format, name, by, interval, centre_bureau
    )


# ---------------------------------------------------------------------------------- the 12315 centre's


class CentreIn(Schema):
    start: date = Field(description="First day of the period (YYYY-MM-DD). " + PERIOD_HELP)
    end: date = Field(description="Last day of the period, included (YYYY-MM-DD).")
    bureau: RowId | None = Field(None, description="One bureau's figures; every bureau's without it.")


class ReceivedOut(Schema):
    complaint: int = Field(description="Complaints that reached the centre (escalated, or filed with it).")
    report: int
    enquiry: int
    total: int


class ChannelCountOut(Schema):
    kind: str = Field(description="complaint, report or enquiry.")
    via: str = Field(
        description="A complaint's way to the centre: escalation or direct; blank for the others."
    )
    channel: str
    count: int


class ReportsOut(Schema):
    pending: int = Field(description="Awaiting the decision whether to open a case.")
    case_opened: int
    no_case: int


class EnquiriesOut(Schema):
    pending: int
    answered: int


class SpreadOut(Schema):
    count: int = Field(description="Matters counted.")
    median: int | None = Field(description="Nearest-rank median, in working days.")
    p90: int | None = Field(description="Nearest-rank 90th percentile, in working days.")


class WorkingDaysOut(Schema):
    to_acceptance: SpreadOut = Field(description="From the centre's receipt to the decision to accept.")
    to_closing: SpreadOut = Field(
        description="From receipt to the end of the matter at the centre: a complaint refused, agreed, "
        "terminated or closed; a report decided; an enquiry answered."
    )
    to_closing_by_kind: dict[str, SpreadOut]


class SatisfactionOut(Schema):
    count: int = Field(description="Ratings of the period's complaints at the centre.")
    average: float | None = Field(description="Average score (1–5), two decimals.")
    distribution: dict[str, int] = Field(description="Ratings by score, 1 to 5.")


class CentreOut(Schema):
    period: PeriodOut
    bureau: int | None
    received: ReceivedOut = Field(description="Matters the centre received in the period, by kind.")
    received_by_channel: list[ChannelCountOut]
    complaints_by_via: dict[str, int]
    pending: int = Field(description="Complaints awaiting the decision to accept.")
    accepted: int
    refused: int = Field(description="Complaints not accepted (SPEC §10, art. 15).")
    refused_by_ground: dict[str, int] = Field(description="By ground, 1–6.")
    acceptance_rate: float | None = Field(description="accepted ÷ (accepted + refused), 0–1.")
    in_mediation: int = Field(description="Accepted, mediation still running (or paused for testing).")
    agreed: int = Field(description="Mediations ended in an agreement.")
    terminated: int = Field(description="Mediations terminated (art. 21).")
    terminated_by_ground: dict[str, int] = Field(description="By ground, 1–7.")
    closed: int = Field(description="Complaints the centre closed otherwise.")
    mediation_success_rate: float | None = Field(description="agreed ÷ (agreed + terminated), 0–1.")
    amount_recovered: Decimal = Field(description="Money recovered for the consumers by agreements, yuan.")
    transfers_in: int = Field(description="Transfers into the bureau from another, made in the period.")
    transfers_out: int = Field(description="Transfers out of the bureau to another, made in the period.")
    reports: ReportsOut
    enquiries: EnquiriesOut
    duties: dict[str, OutcomeOut] = Field(
        description="Each duty of the centre (acceptance, mediation, termination_notice, report_decision, "
        "enquiry_answer): met in time, met late, missed, running, and share_in_time, the share met in time."
    )
    working_days: WorkingDaysOut = Field(description="On the centre's calendar, as the law counts them.")
    satisfaction: SatisfactionOut
    flags: FlagFiguresOut = Field(
        description="Flags for an officer's review (repeat complainants, SPEC §11) of the complaints in the "
        "bureau's charge: raised and cleared in the period."
    )


class BureauCentreOut(CentreOut):
    """One bureau's figures, beside the others'."""

    name: str = Field(description="The bureau's name in the reader's language.")


class CentreBureausOut(CentreOut):
    by_bureau: list[BureauCentreOut] = Field(
        description="The same figures of each bureau side by side (`bureau` is each one's id): every bureau "
        "for a city-level officer, the one asked for with `bureau`; a district officer's own bureau only."
    )


@router.get(
    "/centre",
    response={200: CentreBureausOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="The 12315 centre's figures: matters received, decisions, mediation, duties in time, satisfaction",
    description=PERIOD_HELP + " The matters the centre received in the period (a complaint from the day it "
    "reached the centre) and what has become of them so far, of every bureau together and of each "
    "(`by_bureau`). Regulator officers only: a city-level officer every bureau's (or the one `bureau` "
    "names), a district bureau's officer its own (another bureau's id answers 404).",
)
def centre_figures(request, q: Query[CentreIn]):
    period = Period.parse(q.start, q.end)
    bureau = bureau_scope(request.auth, q.bureau)
    total, each = bureaus.centre_and_bureaus(period, bureau, bureaus_in_scope(request.auth, q.bureau))
    return {**total, "by_bureau": each}


# The whole history at once would be one unbounded download for anyone on the internet.
OPEN_DATA_MAX_DAYS = 366


@router.get(
    "/open-data",
    auth=None,
    response={200: None, 422: ValidationErrorOut},
    summary="Anonymised open data: the complaints of a period, without personal data",
    description=PERIOD_HELP + f" At most {OPEN_DATA_MAX_DAYS} days. No names, phone numbers, addresses, "
    "ID numbers, references or order numbers. The description only where the consumer consented to "
    "publishing it (`publish_consent` at filing), scrubbed of phone numbers, e-mail addresses, ID and "
    "bank card numbers, WeChat/QQ ids, addresses, order numbers and references; empty otherwise.",
)
def open_data(request, start: date, end: date, format: str = "csv"):  # noqa: A002
    period = Period.parse(start, end)
    if period.days > OPEN_DATA_MAX_DAYS:
        raise FieldError("end", f"open data is served for at most {OPEN_DATA_MAX_DAYS} days at a time")
    complaints = exports.open_data_complaints(period)
    name = f"complaintdesk-open-data-{period.start}-{period.end}"
    return exports.list_download(exports.OPEN_DATA_COLUMNS, exports.open_data_rows, complaints, format, name)


class PledgeStatusOut(Schema):
    signed: bool
    version: int | None
    signed_on: date | None


class ShopRatingsOut(Schema):
    """A shop's consumers' ratings on its scorecard (not the centre's `SatisfactionOut`)."""

    count: int
    average: float | None


class ScorecardOut(Schema):
    merchant: int
    name: str
    period: PeriodOut = Field(description="The last 12 months, today included.")
    complaints: int
    answered_in_time_share: float | None = Field(description="First responses in time (0–1).")
    resolution_rate: float | None = Field(description="Resolved ÷ finished complaints (0–1).")
    median_first_response_minutes: int | None
    pledge: PledgeStatusOut
    satisfaction: ShopRatingsOut = Field(
        description="The consumers' ratings (1–5) given in the period: the average only from a minimum count "
        "of ratings (the setting RATING_MIN_COUNT), null below it."
    )


def public_scorecard(merchant_id: int) -> dict:
    """The shop's public scorecard (`GET /merchants/{id}/scorecard`); inactive shops are not public."""
    merchant = Merchant.objects.filter(pk=merchant_id, is_active=True).first()
    if merchant is None:
        raise Http404
    return queries.scorecard(merchant)
