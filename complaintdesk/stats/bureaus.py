"""The 12315 centre's figures of each bureau side by side (SPEC §11, issue 14 item 1): a city-level officer
compares its bureaus on the figures of the procedure, each bureau's read from its own rows of the centre's
rollups (`stats.centre.figures`), as `GET /api/v1/stats/centre` gives them (`by_bureau`) and the console's
dashboard shows them. Which bureaus a user may compare is `scope.bureaus_in_scope`'s business."""

from django.utils.translation import get_language

from complaintdesk.stats import centre
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.periods import Period

# The figures the dashboard's table compares, by their codes (`centre.rows`): what a bureau received, what
# it decided, how it kept its duties, how long it took, how it was rated, what it was asked to review.
# Every other figure is in each bureau's answer and download all the same; figures of transfers (in and
# out) are compared too.
COMPARED = (
    "received.complaint",
    "received.report",
    "received.enquiry",
    "received.total",
    "pending",
    "accepted",
    "refused",
    "acceptance_rate",
    "in_mediation",
    "agreed",
    "terminated",
    "closed",
    "mediation_success_rate",
    "amount_recovered",
    "reports.pending",
    "enquiries.pending",
    *(f"duties.{phase}.share_in_time" for phase in centre.DUTIES),
    *(f"duties.{phase}.missed" for phase in centre.DUTIES),
    "working_days.to_acceptance.median",
    "working_days.to_closing.median",
    "satisfaction.average",
    "flags.raised",
    "flags.cleared",
)
COMPARED_PREFIXES = ("transfers",)


def figures_by_bureau(period: Period, bureaus, now=None) -> list[dict]:
    """The centre's figures of each of `bureaus` (Bureau rows), in their order, each with the bureau's id and
    its name in the reader's language."""
    return centre_and_bureaus(period, ALL_BUREAUS, bureaus, now)[1]


def centre_and_bureaus(period: Period, bureau: int, bureaus, now=None) -> tuple[dict, list[dict]]:
    """The centre's figures of `bureau` (ALL_BUREAUS: every bureau's together) and `figures_by_bureau` of
    `bureaus`, from one set of queries however many bureaus there are (`centre.figures_of`)."""
    bureaus = list(bureaus)
    language = get_language() or "en"
    f = centre.figures_of(period, [bureau, *(b.pk for b in bureaus)], now)
    each = [{**f[b.pk], "bureau": b.pk, "name": b.name_in(language)} for b in bureaus]
    return f[bureau], each


def compared(total: dict, each: list[dict]) -> list[dict]:
    """The compared figures as rows, labelled in the reader's language (`centre.rows`): each row's value for
    every bureau of `each` (`figures_by_bureau`), in its order, and for all of them together (`total`). The
    labels are made once, for the total: each bureau's values are read from its figures by the row's code."""
    return [
        {
            "code": row.code,
            "label": row.label,
            "unit": row.unit,
            "total": row.value,
            "values": [value_at(f, row.code) for f in each],
        }
        for row in centre.rows(total)
        if row.code in COMPARED or row.code.startswith(COMPARED_PREFIXES)
    ]


def value_at(f: dict, code: str):
    """The figure of `f` (`centre.figures`) that the row `code` of `centre.rows` holds: a compared figure's
    code is its path in the figures ("duties.acceptance.missed" is f["duties"]["acceptance"]["missed"])."""
    value = f
    for key in code.split("."):
        value = value[key]
    return value
