"""Follow-up calls (回访) in the console: the week's sample of closed complaints and matters to call, the calls
made, and the form to record one (`complaints.followup`). The week and the complaint or matter are the pages'
query parameters (`filters`): a value that cannot be read answers 400 naming it."""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.centre.matters import visible_matters
from complaintdesk.complaints import followup
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.web.filters import CursorQuery, FollowUpTargetQuery, FollowUpWeekQuery, reads_query
from complaintdesk.web.forms.followup import FollowUpCallForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import regulator_required


class FollowUpWeekPageQuery(FollowUpWeekQuery, CursorQuery):
    """The week, and the page of its calls (a national centre's week holds thousands)."""


@regulator_required
@reads_query(FollowUpWeekPageQuery)
def week(request, query):
    """The sample of a week's closed complaints and matters to call (last week unless `?week=2026-W42`),
    and the calls made that week, a page at a time: a district officer's bureau's, a city-level officer's
    every bureau's."""
    monday = query["week"] or followup.last_full_week(timezone.localdate())
    bureau = officer_bureau(request.user)
    context = {
        "week": followup.week_label(monday),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": followup.week_label(monday - timedelta(days=7)),
        "next_week": followup.week_label(monday + timedelta(days=7)),
        "sample": [_row(c) for c in followup.sample(monday, bureau=bureau)],
        "page": list_page(request, query, followup.calls_in(monday, bureau), followup.CALLS_ORDER),
    }
    return render(request, "web/regulator/follow_up.html", context)


def _row(candidate) -> dict:
    name, phone = followup.who_to_call(candidate)
    return {
        "candidate": candidate,
        "kind": followup.kind_label(candidate),
        "name": name,
        "phone": phone,
        "record_url": _record_url(candidate.kind, candidate.item.pk),
        "page_url": _page_url(candidate.kind, candidate.item.pk),
    }


def _record_url(kind: str, pk: int) -> str:
    return f"{reverse('web:record_follow_up')}?{kind}={pk}"


def _page_url(kind: str, pk: int) -> str:
    return reverse("web:complaint" if kind == followup.COMPLAINT else "web:matter", args=[pk])


def _target(request, query) -> tuple[str, object]:
    """The complaint or matter named by `?complaint=` or `?matter=`."""
    for kind, rows in ((followup.COMPLAINT, visible_complaints), (followup.MATTER, visible_matters)):
        if query[kind]:
            return kind, get_object_or_404(rows(request.user), pk=query[kind])
    raise Http404


@regulator_required
@require_http_methods(["GET", "POST"])
@reads_query(FollowUpTargetQuery)
def record(request, query):
    kind, item = _target(request, query)
    if request.method == "GET":
        form = FollowUpCallForm(initial={"called_at": timezone.localtime().replace(second=0, microsecond=0)})
        return _record_page(request, kind, item, form)
    form = FollowUpCallForm(request.POST)
    if not form.is_valid():
        return _record_page(request, kind, item, form, status=422)
    try:
        with transaction.atomic():
            followup.record(request.user, **{kind: item}, **form.cleaned_data)
    except FieldError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return _record_page(request, kind, item, form, status=422)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _record_page(request, kind, item, form, status=409)
    messages.success(request, _("The follow-up call is recorded."))
    return redirect(_page_url(kind, item.pk))


def _record_page(request, kind, item, form, status=200):
    name, phone = followup.who_to_call(item)
    context = {
        "kind": kind,
        "item": item,
        "form": form,
        "name": name,
        "phone": phone,
        "page_url": _page_url(kind, item.pk),
        "record_url": _record_url(kind, item.pk),
        "calls": item.follow_up_calls.select_related("officer").order_by("-called_at"),
    }
    return render(request, "web/regulator/follow_up_call.html", context, status=status)
