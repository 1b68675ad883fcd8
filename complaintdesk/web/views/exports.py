"""Downloads of what the statistics pages show, and what a page and its download must agree on: the period
(`requested_period`) and the complaint list's filters (`filtered_complaints`).

The files are `stats.exports`' own, the same as `/api/v1/stats/export` gives, for the logged-in user: the
regulator every shop, a shop's staff their own shop only; consumers and the public none (403).
"""

from datetime import date
from functools import partial

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.queries import overdue_filter, visible_complaints
from complaintdesk.lib.errors import FieldError
from complaintdesk.stats import exports, periods
from complaintdesk.stats.models import ALL_SHOPS
from complaintdesk.stats.periods import Period
from complaintdesk.web import metrics
from complaintdesk.web.views.access import role_required

statistics_readers = role_required(Role.REGULATOR, *MERCHANT_ROLES)


class PeriodForm(forms.Form):
    """Start and end days, both included; an empty end is today, an empty start 1 January of the end's
    year. The period itself is `Period.parse`'s, with its limits and messages."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.period = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or self.today
        try:
            self.period = Period.parse(data.get("start") or date(end.year, 1, 1), end)
        except FieldError as exc:
            self.add_error(exc.field, exc.reason)
        return data


def requested_period(request, today: date) -> tuple[PeriodForm, Period | None]:
    """The period in the query's `start` and `end`, this year so far when neither is given; None, with
    the reasons in the form, when they make no period."""
    if not {"start", "end"} & request.GET.keys():
        period = metrics.default_period(today)
        return PeriodForm(today, initial={"start": period.start, "end": period.end}), period
    form = PeriodForm(today, request.GET)
    return form, form.period if form.is_valid() else None


def filtered_complaints(user, query) -> tuple[QuerySet, dict]:
    """The complaints `user` may see, narrowed by the complaint list's filters in `query`, in the list's
    order; and the filters as read."""
    qs = visible_complaints(user)
    f = {k: query.get(k, "").strip()[:100] for k in ("q", "state", "merchant", "category", "overdue")}
    if f["q"]:
        qs = qs.filter(reference__icontains=f["q"]) | qs.filter(order_number__icontains=f["q"])
    if f["state"] in State.values:
        qs = qs.filter(state=f["state"])
    if f["merchant"].isdigit():
        qs = qs.filter(merchant_id=int(f["merchant"]))
    if f["category"]:
        qs = qs.filter(category__code=f["category"])
    if f["overdue"] == "1":
        qs = qs.filter(overdue_filter(True))
    return qs.order_by("-received_at", "-id"), f


def _refused(reasons: list[str]) -> HttpResponse:
    # A download link opens no page: the reasons come back as the file would have, as plain text.
    return HttpResponse("\n".join(reasons), status=422, content_type="text/plain; charset=utf-8")


def _shop_of(user) -> int:
    if user.role == Role.REGULATOR:
        return ALL_SHOPS
    if not user.merchant_id:
        raise PermissionDenied
    return user.merchant_id


@statistics_readers
def statistics(request):
    """A statistics table of a period (`table`: summary, phases, compliance, breakdown with `by`, series
    with `interval`) as `format` csv or xlsx."""
    shop = _shop_of(request.user)
    form, period = requested_period(request, timezone.localdate(timezone=periods.zone()))
    if period is None:
        return _refused([f"{field}: {e}" for field, errors in form.errors.items() for e in errors])
    table, fmt = request.GET.get("table", ""), request.GET.get("format", "csv")
    try:
        exports.check_format(fmt)
        headers, rows = exports.statistics_table(
            table, period, shop, request.GET.get("by", "category"), request.GET.get("interval", "month")
        )
    except FieldError as exc:
        return _refused([str(exc)])
    return exports.download(headers, rows, fmt, f"complaintdesk-{table}-{period.start}-{period.end}")


@statistics_readers
def complaints(request):
    """The complaint list as filtered on its page, every page of it, as `format` csv or xlsx."""
    rows = filtered_complaints(request.user, request.GET)[0]
    name = f"complaintdesk-complaints-{timezone.localdate(timezone=periods.zone())}"
    try:
        return exports.list_download(
            exports.COMPLAINT_COLUMNS,
            partial(exports.complaint_rows, viewer=request.user),
            rows,
            request.GET.get("format", "csv"),
            name,
        )
    except FieldError as exc:
        return _refused([str(exc)])
