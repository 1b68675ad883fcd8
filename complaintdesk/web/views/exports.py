"""Downloads of what the statistics pages show, and what a page and its download must agree on: the period
(`filters.requested_period`) and the complaint list's filters (`filtered_complaints`).

The files are `stats.exports`' own, the same as `/api/v1/stats/export` gives, for the logged-in user: a
city-level officer every shop, a district bureau's officer the shops in its charge and its bureau's figures
of the centre (`stats.scope`), a shop's staff their own shop only; consumers and the public none (403).
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.queries import overdue_filter, visible_complaints
from complaintdesk.lib.errors import FieldError
from complaintdesk.search import query as search
from complaintdesk.stats import exports, periods
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.scope import bureau_scope, shop_scope
from complaintdesk.web.filters import (
    ComplaintExportQuery,
    StatisticsExportQuery,
    reads_query,
    requested_period,
)
from complaintdesk.web.views.access import role_required

statistics_readers = role_required(Role.REGULATOR, *MERCHANT_ROLES)


def filtered_complaints(user, f: dict) -> QuerySet:
    """The complaints `user` may see, narrowed by the complaint list's filters `f` (as
    `filters.ComplaintFilters` read them), in the list's order: newest first, or best match first for
    the words of `q` (`search.query.matching`). The overdue ones are counted by `queries.late_among`."""
    qs = visible_complaints(user)
    if f["state"]:
        qs = qs.filter(state=f["state"])
    if f["merchant"]:
        qs = qs.filter(merchant_id=f["merchant"])
    if f["category"]:
        qs = qs.filter(category__code=f["category"])
    if f["overdue"]:
        qs = qs.filter(overdue_filter(True))
    if f["bureau"]:  # a district officer's list is its own bureau's: another bureau's is empty
        qs = qs.filter(in_bureau(f["bureau"]))
    qs = qs.order_by("-received_at", "-id")
    if f["q"]:
        # A complaint's reference (TS-2026-0000123, capitals) finds that complaint, through its unique
        # index (iexact would read every row); anything else is words, best match first.
        by_reference = qs.filter(reference=f["q"].strip().upper())
        if by_reference.exists():
            return by_reference
        return search.matching(qs, f["q"], search.Scope.of(user, f["merchant"]))
    return qs


def _refused(reasons: list[str]) -> HttpResponse:
    # A download link opens no page: the reasons come back as the file would have, as plain text.
    return HttpResponse("\n".join(reasons), status=422, content_type="text/plain; charset=utf-8")


@statistics_readers
@reads_query(StatisticsExportQuery, download=True)
def statistics(request, query):
    """A statistics table of a period (`table`: summary, phases, compliance, breakdown with `by`, series
    with `interval`) as `format` csv or xlsx."""
    table, fmt = query["table"], query["format"]
    try:
        shop = shop_scope(request.user)
        # The centre's figures: a district officer's own bureau's, a city-level officer's every bureau's.
        bureau = bureau_scope(request.user) if table == "centre" else ALL_BUREAUS
    except ActionForbidden:
        raise PermissionDenied from None
    form, period = requested_period(request, timezone.localdate(timezone=periods.zone()))
    if period is None:
        return _refused([f"{field}: {e}" for field, errors in form.errors.items() for e in errors])
    name = f"complaintdesk-{table}-{period.start}-{period.end}"
    try:
        # Checked here, read as the file streams: the header row leaves before the figures are read.
        return exports.statistics_download(
            table, period, shop, fmt, name, query["by"], query["interval"], bureau
        )
    except FieldError as exc:
        return _refused([str(exc)])


@statistics_readers
@reads_query(ComplaintExportQuery, download=True)
def complaints(request, query):
    """The complaint list as filtered on its page, every page of it, as `format` csv or xlsx."""
    rows = filtered_complaints(request.user, query)
    name = f"complaintdesk-complaints-{timezone.localdate(timezone=periods.zone())}"
    try:
        return exports.list_download(
            exports.complaint_columns(),
            partial(exports.complaint_rows, viewer=request.user),
            rows,
            query["format"],
            name,
        )
    except FieldError as exc:
        return _refused([str(exc)])
