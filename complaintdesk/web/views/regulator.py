from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.alerts import services as alert_services
from complaintdesk.alerts.models import NEWEST_FIRST as ALERTS_NEWEST_FIRST
from complaintdesk.alerts.models import Alert, AlertState
from complaintdesk.centre.jurisdiction import in_charge, shops_in_charge
from complaintdesk.complaints import alert_complaints
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.models import Category
from complaintdesk.complaints.queries import NEWEST_FIRST, late_among, listed, visible_complaints
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.lib.cursor import capped_count
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants import compliance
from complaintdesk.merchants.profile import BY_NAME
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeVersion
from complaintdesk.search import query as search
from complaintdesk.stats import periods
from complaintdesk.stats.scope import bureau_scope, bureaus_in_scope
from complaintdesk.web import bureaus, centre_dashboard, metrics
from complaintdesk.web.display import QUEUE_STATES
from complaintdesk.web.filters import (
    ALL,
    AlertListQuery,
    CursorQuery,
    reads_query,
    requested_period,
)
from complaintdesk.web.forms.complaint_filter import ConsoleComplaintQuery, download_query, shop_filter
from complaintdesk.web.forms.regulator import NoteForm, PledgeVersionForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import regulator_required
from complaintdesk.web.views.confirm import confirmation_page
from complaintdesk.web.views.exports import filtered_complaints
from complaintdesk.web.views.queues import nearest_deadline_first, page_rows


@regulator_required
def dashboard(request):
    today = timezone.localdate(timezone=periods.zone())
    period_form, period = requested_period(request, today)
    context = {
        "period_form": period_form,
        # Deadlines in a year no holiday source covers are guessed: the regulator must see that first.
        "calendar_warnings": deadline_services.calendar_warnings(),
    }
    if period is None:
        return render(request, "web/regulator/dashboard.html", context, status=422)
    data = metrics.dashboard(period, today, request.user)
    centre = centre_dashboard.section(
        period, bureau_scope(request.user), list(bureaus_in_scope(request.user))
    )
    context.update(
        data=data,
        chart_data=_chart_data(data),
        noncompliant=compliance.noncompliant_count(shops_in_charge(request.user).filter(is_active=True)),
        downloads=_downloads(period, data["series"]["interval"]),
        centre=centre,
        centre_chart_data=centre_dashboard.chart_data(centre),
    )
    return render(request, "web/regulator/dashboard.html", context)


def _downloads(period, interval: str) -> list[dict]:
    """The dashboard's tables as files (`stats.exports.statistics_table`), of the period on show."""
    tables = [
        ("summary", {}, _("Figures")),
        ("phases", {}, _("Deadline compliance by phase")),
        ("compliance", {}, _("Deadline compliance by rule")),
        ("breakdown", {"by": "category"}, _("By category")),
        ("breakdown", {"by": "shop"}, _("Complaints by shop, every shop")),
        ("series", {"interval": interval}, _("Complaints over time")),
        ("centre", {}, _("The 12315 centre's figures")),
    ]
    span = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return [
        {"table": table, "label": label, "query": urlencode({"table": table, **options, **span})}
        for table, options, label in tables
    ]


def _series_label(start, interval: str, one_year: bool) -> str:
    if interval == "day":
        return start.strftime("%m-%d")
    return str(MONTHS_3[start.month]).capitalize() if one_year else start.strftime("%Y-%m")


def _chart_data(data: dict) -> dict:
    """What dashboard.js draws, with every label already in the reader's language."""
    period, today, series = data["period"], data["today"], data["series"]
    one_year = period.start.year == period.end.year
    points = series["points"]
    return {
        "months": [_series_label(p["start"], series["interval"], one_year) for p in points],
        "monthly": {
            "this_year": {
                "label": str(period.start.year) if one_year else _("This period"),
                # Days still to come are None, not 0: the line stops at today instead of dropping to the floor.
                "data": [p["count"] if p["start"] <= today else None for p in points],
            },
            "last_year": {
                "label": str(period.start.year - 1) if one_year else _("A year earlier"),
                "data": [p["previous_year_count"] for p in points],
            },
        },
        "by_category": {
            "labels": [r["label"] for r in data["by_category"] if r["count"]],
            "data": [r["count"] for r in data["by_category"] if r["count"]],
        },
        "sector": {
            "labels": [_("Online shopping"), _("Other sectors")],
            "data": [data["online"], data["other_sectors"]],
        },
        "compliance": {
            "labels": [r["label"] for r in data["compliance"]],
            "series": [
                {"key": key, "label": label, "data": [r[key] for r in data["compliance"]]}
                for key, label in [
                    ("in_time", _("Met in time")),
                    ("late", _("Met late")),
                    ("missed", _("Missed")),
                    ("running", _("Running")),
                ]
            ],
        },
        "top_shops": {
            "label": _("Complaints"),
            "labels": [r["label"] for r in data["top_shops"]],
            "data": [r["count"] for r in data["top_shops"]],
        },
        "top_overdue": {
            "label": _("Overdue complaints"),
            "labels": [r["name"] for r in data["top_overdue"]],
            "data": [r["count"] for r in data["top_overdue"]],
        },
    }


@regulator_required
@reads_query(CursorQuery)
def escalations(request, query):
    listed, count = nearest_deadline_first(visible_complaints(request.user).filter(state__in=QUEUE_STATES))
    page, rows = page_rows(request, query, listed, count=count)
    return render(request, "web/regulator/escalations.html", {"page": page, "rows": rows})


@regulator_required
@reads_query(ConsoleComplaintQuery)
def complaints(request, query):
    shop = shop_filter(query, shops_in_charge(request.user))
    query = {**query, "merchant": shop.merchant}  # the shop of a name typed, by its id
    context = {
        "f": query,
        "shop": shop,
        "states": State.choices,
        "categories": Category.objects.all(),
        "search_limit": search.LIMIT,
        "bureaus": bureaus.filter_choices(request.user),
    }
    if shop.error:  # no list of complaints not narrowed to the shop meant
        return render(request, "web/regulator/complaints.html", context, status=422)
    found = filtered_complaints(request.user, query)
    # The late complaints are counted from the late duties or the list's open complaints, not by walking
    # the list (late_among).
    overdue = query["overdue"] and not query["q"]
    counted = late_among(filtered_complaints(request.user, {**query, "overdue": False})) if overdue else found
    page, rows = page_rows(
        request,
        query,
        [listed(found, search.order_of(found, NEWEST_FIRST))],
        searched=query["q"],
        count=capped_count(counted),
    )
    context.update(page=page, rows=rows, query=download_query(request, shop))
    return render(request, "web/regulator/complaints.html", context)


def _alerts(user):
    """The alerts about the shops in the officer's charge (SPEC §11); another's is not found."""
    return Alert.objects.filter(in_charge(user, "merchant__"))


@regulator_required
@reads_query(AlertListQuery)
def alerts(request, query):
    state = query["state"]
    qs = _alerts(request.user).select_related("merchant", "category")
    if state != ALL:
        qs = qs.filter(state=state)
    page = list_page(request, query, qs, ALERTS_NEWEST_FIRST)
    # Each alert's complaints counted (all of them, as the alert's page lists them to a city-level officer),
    # in one query for the page, not its complaints' rows loaded.
    counted = alert_complaints.counts([a.pk for a in page.rows])
    for a in page.rows:
        a.complaint_count = counted[a.pk]
    return render(
        request,
        "web/regulator/alerts.html",
        {"alerts": page.rows, "page": page, "state": state, "states": AlertState.choices},
    )


@regulator_required
def alert_detail(request, alert_id: int):
    alert = get_object_or_404(_alerts(request.user).select_related("merchant", "category"), pk=alert_id)
    # Those the officer may open: a complaint of the shop transferred to another bureau is that bureau's.
    complaints = alert_complaints.seen_complaints(alert.pk, request.user, ("merchant", "category"))
    return render(
        request,
        "web/regulator/alert.html",
        {"alert": alert, "complaints": complaints, "form": NoteForm()},
    )


@regulator_required
@require_POST
def alert_action(request, alert_id: int, action: str):
    alert = get_object_or_404(_alerts(request.user), pk=alert_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    handler = {"acknowledge": alert_services.acknowledge, "close": alert_services.close}.get(action)
    if handler is None:
        return redirect("web:alert", alert.pk)
    try:
        handler(alert.pk, request.user, note)
    except Conflict:
        messages.error(
            request,
            _("The alert is already %(state)s; nothing was changed.") % {"state": alert.get_state_display()},
        )
    else:
        messages.success(request, _("Alert updated."))
    return redirect("web:alert", alert.pk)


# Shops missing obligations that the scorecards page names above its list.
MISSING_SHOWN = 50


@regulator_required
@reads_query(CursorQuery)
def scorecards(request, query):
    """The shops in the officer's charge a page at a time by name, each page's figures from its shops'
    rollups (a ranking of every shop would read every shop's year of rollups); above them every active
    shop that misses an obligation (a few queries over the shops, none over their complaints)."""
    shops = shops_in_charge(request.user)
    page = list_page(request, query, shops, BY_NAME)
    opened = metrics.open_counts(page.rows)
    obligations = {c.merchant.pk: c for c in compliance.check(page.rows)}
    cards = metrics.scorecards(page.rows)
    for card in cards:
        card["open"] = opened.get(card["merchant"].pk, 0)
        card["compliance"] = obligations[card["merchant"].pk]
    # The first of them by name; the others' are in the list's column of obligations, page by page. The
    # database finds and counts them: no row of the other shops is read.
    missing = compliance.missing(shops.filter(is_active=True))
    context = {
        "cards": cards,
        "missing": compliance.check(missing.order_by("name", "id")[:MISSING_SHOWN]),
        "more_missing": missing.order_by().count() - MISSING_SHOWN,
    }
    context["page"] = page
    return render(request, "web/regulator/scorecards.html", context)


@regulator_required
def pledge_versions(request):
    """The pledge's versions, with the signatures each has, and the form for a new version (SPEC §5)."""
    current = pledges.current_version()
    form = PledgeVersionForm(request.POST or None, previous=current)
    if request.method == "POST" and form.is_valid():
        try:
            version = pledges.create_version(
                request.user, form.cleaned_data["title"].strip(), form.commitments()
            )
        except FieldError as exc:
            form.add_error(None, exc.reason)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Draft version %(n)s saved; publish it to ask every shop to sign again.")
                % {"n": version.number},
            )
            return redirect("web:pledge_versions")
    # The signatures of the shops in the officer's charge (a district officer's count its shops only).
    signed = Count("signatures", filter=in_charge(request.user, "signatures__merchant__"))
    versions = list(PledgeVersion.objects.prefetch_related("commitments").annotate(signed=signed))
    for version in versions:
        version.confirm = pledge_confirmations(version)
    return render(
        request,
        "web/regulator/pledge.html",
        {
            "versions": versions,
            "current": current,
            "form": form,
            "active_shops": shops_in_charge(request.user).filter(is_active=True).count(),
        },
        status=422 if form.errors else 200,
    )


def pledge_confirmations(version) -> dict[str, tuple[str, str, str]]:
    """What publishing or deleting a draft asks first: the question, its consequences, the "yes" button."""
    n = {"n": version.number}
    return {
        "publish": (
            _("Publish version %(n)s of the pledge?") % n,
            _(
                "Every active shop is told to sign version %(n)s, and a shop that has not signed it is listed "
                "as missing the pledge. A published version cannot be changed, unpublished or deleted."
            )
            % n,
            _("Yes, publish version %(n)s") % n,
        ),
        "delete": (
            _("Delete draft version %(n)s?") % n,
            _("The draft and its eight commitments are deleted; no shop has seen it."),
            _("Yes, delete the draft"),
        ),
    }


def _confirm_pledge_step(request, version, question, consequences, yes_label):
    """The page that asks before publishing or deleting a version when its dialog could not (no JavaScript)."""
    return confirmation_page(
        request,
        question=question,
        subject=str(version),
        consequences=consequences,
        yes_label=yes_label,
        back_url=reverse("web:pledge_versions"),
    )


@regulator_required
@require_POST
def delete_pledge_draft(request, version_id: int):
    version = get_object_or_404(PledgeVersion, pk=version_id)
    if version.published_at is None and request.POST.get("confirm") != "1":
        return _confirm_pledge_step(request, version, *pledge_confirmations(version)["delete"])
    try:
        number = pledges.delete_draft(version.pk, request.user)
    except Conflict as exc:
        messages.error(request, _("Not deleted: %(reason)s.") % {"reason": exc})
    else:
        messages.success(request, _("Draft version %(n)s deleted.") % {"n": number})
    return redirect("web:pledge_versions")


@regulator_required
@require_POST
def publish_pledge(request, version_id: int):
    version = get_object_or_404(PledgeVersion, pk=version_id)
    if version.published_at is None and request.POST.get("confirm") != "1":
        return _confirm_pledge_step(request, version, *pledge_confirmations(version)["publish"])
    try:
        pledges.publish(version.pk, request.user)
    except Conflict as exc:
        messages.error(request, _("Not published: %(reason)s.") % {"reason": exc})
    else:
        messages.success(
            request, _("Version %(n)s is published: every shop must sign it again.") % {"n": version.number}
        )
    return redirect("web:pledge_versions")
