"""The query parameters of the web pages: each page that reads any declares them in one form here, and
`reads_query` checks them before the view runs, as the API's schemas check its own.

A value the form cannot read (not a whole number, an id beyond the database integer, a choice that is not
one, a NUL character, which PostgreSQL text cannot hold, text past its length) answers 400 naming the
parameter: a short page, or for a download plain text, before a byte of the file is written. A page never
queries the database with a value its form refused. Parameters a page does not declare are ignored.
The statistics period, `start` and `end`, is `PeriodForm`'s, on the dashboard's own form: dates it cannot
read or that make no period answer 422 with the form shown again (a download: the reasons as plain text).
"""

from datetime import date
from functools import wraps

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from complaintdesk.alerts.models import AlertState
from complaintdesk.centre.models import MatterKind, MatterState
from complaintdesk.complaints import centre_queue, followup
from complaintdesk.complaints.choices import State
from complaintdesk.lib.cursor import InvalidCursor
from complaintdesk.lib.errors import FieldError
from complaintdesk.promotions.models import FilingState
from complaintdesk.stats import exports, periods
from complaintdesk.stats.periods import Period
from complaintdesk.stats.queries import BREAKDOWNS
from complaintdesk.web import metrics

# The largest id a table's key holds (a 64-bit integer, settings.DEFAULT_AUTO_FIELD), the API's RowId bound
# too: filtering a foreign key by a larger number overflows (OverflowError on SQLite, a DataError on
# PostgreSQL), a 500 where "no such row" is meant.
MAX_ROW_ID = 2**63 - 1
# The shop's workbench lists.
QUEUE_VIEWS = ("open", "escalations", "finished")
# Every alert or filing, whatever its state.
ALL = "all"


def _choices(values) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def _row_id(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=MAX_ROW_ID, required=False, **kwargs)


class QueryForm(forms.Form):
    """A page's query parameters. Every one may be left out: an absent or empty one is its field's
    `initial`, the page's default."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if data.get(name) in (None, "") and field.initial is not None:
                data[name] = field.initial
        return data


class PageQuery(QueryForm):
    """A list of pages; a page past the last shows the last (Django's `Paginator.get_page`)."""

    page = _row_id(initial=1)


class CursorQuery(QueryForm):
    """A list paged by keys (`web.paging`): the cursor of the page to show, none for the first. Whether it
    is one of the list's is for the list to say (`lib.cursor.InvalidCursor`, refused by `reads_query`)."""

    cursor = forms.CharField(max_length=1000, required=False, strip=False)


class DirectoryQuery(CursorQuery):
    q = forms.CharField(max_length=100, required=False)


class FilingFormQuery(QueryForm):
    """The shop a link to the consumer's filing form chooses in advance (a scorecard's "file a complaint")."""

    merchant = _row_id()


class QueueQuery(CursorQuery):
    view = forms.ChoiceField(choices=_choices(QUEUE_VIEWS), required=False, initial="open")
    q = forms.CharField(max_length=100, required=False)  # words: every complaint of the shop, best first


class ComplaintFilters(QueryForm):
    """The regulator's (and a download's) complaint list filters, read by `views.exports.filtered_complaints`."""

    q = forms.CharField(max_length=100, required=False)
    state = forms.ChoiceField(choices=State.choices, required=False)
    merchant = _row_id()
    category = forms.SlugField(max_length=40, required=False)
    overdue = forms.BooleanField(required=False)
    bureau = _row_id()  # held by this bureau (`centre.jurisdiction.in_bureau`)


class ComplaintListQuery(ComplaintFilters, CursorQuery):
    pass


class ComplaintExportQuery(ComplaintFilters):
    format = forms.ChoiceField(choices=_choices(exports.FORMATS), required=False, initial="csv")


class StatisticsExportQuery(QueryForm):
    """A statistics table's download (`stats.exports.statistics_table`); its period is `PeriodForm`'s."""

    table = forms.ChoiceField(choices=_choices(exports.STATISTICS_TABLES))
    format = forms.ChoiceField(choices=_choices(exports.FORMATS), required=False, initial="csv")
    by = forms.ChoiceField(choices=_choices(BREAKDOWNS), required=False, initial="category")
    interval = forms.ChoiceField(choices=_choices(periods.INTERVALS), required=False, initial="month")


class AlertListQuery(CursorQuery):
    state = forms.ChoiceField(choices=[*AlertState.choices, (ALL, ALL)], required=False, initial="open")


class MatterListQuery(CursorQuery):
    """The officer's list of reports and enquiries (`views.centre.matters`)."""

    kind = forms.ChoiceField(choices=[*MatterKind.choices, (ALL, ALL)], required=False, initial=ALL)
    state = forms.ChoiceField(choices=MatterState.choices, required=False)
    overdue = forms.BooleanField(required=False)
    bureau = _row_id()


class CentreQueueQuery(CursorQuery):
    """The officer's queue of every matter before the centre (`views.centre_queue`): a kind, a state (a
    complaint's or a report's or enquiry's), only what has a duty overdue."""

    kind = forms.ChoiceField(choices=_choices([*centre_queue.KINDS, ALL]), required=False, initial=ALL)
    state = forms.ChoiceField(choices=[*State.choices, *MatterState.choices], required=False)
    overdue = forms.BooleanField(required=False)
    bureau = _row_id()


class FollowUpWeekQuery(QueryForm):
    """The week of the follow-up calls page (`views.followup.week`), as `2026-W42`: its Monday, or None for
    the page's default (last week)."""

    week = forms.CharField(max_length=10, required=False)

    def clean_week(self):
        text = self.cleaned_data["week"]
        try:
            return followup.parse_week(text) if text else None
        except FieldError as exc:
            raise forms.ValidationError(exc.reason) from None


class FollowUpTargetQuery(QueryForm):
    """The complaint or matter a follow-up call is recorded about (`views.followup.record`)."""

    complaint = _row_id()
    matter = _row_id()


class FilingListQuery(CursorQuery):
    state = forms.ChoiceField(
        choices=[*FilingState.choices, (ALL, ALL)], required=False, initial=FilingState.SUBMITTED
    )


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


def reads_query(form_class: type[QueryForm], *, download: bool = False):
    """The view's query parameters, read by `form_class` before it runs and passed to it as `query` (the
    cleaned values); a query the form refuses answers 400 naming each parameter, the view does not run.
    Put it under the view's access check: who may not see the page learns nothing from its parameters."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            form = form_class(request.GET)
            if not form.is_valid():
                return _refused(request, form, download)
            try:
                return view(request, *args, query=form.cleaned_data, **kwargs)
            except InvalidCursor as exc:  # a cursor the list cannot read is a bad parameter too
                form.add_error(exc.field, exc.reason)
                return _refused(request, form, download)

        wrapper.query_form = form_class  # what the test of every page's parameters sends hostile values to
        return wrapper

    return decorator


def _refused(request, form, download: bool) -> HttpResponse:
    errors = [(name, list(messages)) for name, messages in form.errors.items()]
    if download:
        # A download link opens no page: the reasons come back as the file would have, as plain text.
        text = "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "web/bad_query.html", {"errors": errors}, status=400)


def link_query(request, *leave_out: str) -> str:
    """The page's own (valid) query string without `leave_out`: the pager's links add their own page."""
    query = request.GET.copy()
    for name in leave_out:
        query.pop(name, None)
    return query.urlencode()
