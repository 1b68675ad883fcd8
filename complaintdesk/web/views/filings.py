"""Promotion filings (SPEC §4) in the web: a shop files and follows its filings with the staffing verdict;
the regulator reviews them. The rules live in complaintdesk/promotions/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.promotions import queries, services, typecheck
from complaintdesk.promotions.models import FilingAction, FilingState
from complaintdesk.web.filters import ALL, CursorQuery, FilingListQuery, reads_query
from complaintdesk.web.forms.filings import AmendFilingForm, FilingForm, PlanForm, ReviewForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import merchant_required, regulator_required


@merchant_required
@reads_query(CursorQuery)
def shop_filings(request, query):
    page = list_page(request, query, queries.visible(request.user), queries.LATEST_START)
    return render(request, "web/filings/list.html", {"filings": page.rows, "page": page, "mine": True})


@merchant_required
def new_filing(request):
    form = FilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            promotion = services.file(request.user, form.filing_data())
        except FieldError as exc:
            form.add_field_error(exc)
        else:
            messages.success(request, _("The promotion was filed with the 12315 centre."))
            for question in typecheck.type_warnings(promotion.type, promotion.starts_at, promotion.ends_at):
                messages.warning(request, question)
            return redirect("web:filing", promotion.pk)
    return render(request, "web/filings/new.html", {"form": form}, status=422 if form.errors else 200)


@regulator_required
@reads_query(FilingListQuery)
def review_queue(request, query):
    state = query["state"]
    filings = queries.visible(request.user)
    if state != ALL:
        filings = filings.filter(state=state)
    page = list_page(request, query, filings, queries.LATEST_START)
    return render(
        request,
        "web/filings/list.html",
        {"filings": page.rows, "page": page, "state": state, "states": FilingState.choices, "mine": False},
    )


def _may_change(user, promotion) -> bool:
    """The shop's staff amend and attach to a filing while it waits for review or was returned."""
    return (
        user.role in MERCHANT_ROLES
        and user.merchant_id == promotion.merchant_id
        and promotion.state in services.STEPS[FilingAction.AMEND].sources
    )


@login_required
def filing(request, promotion_id: int, review_form=None, plan_form=None, status=200):
    promotion = get_object_or_404(queries.visible(request.user), pk=promotion_id)
    context = {
        "promotion": promotion,
        "staffing": promotion.staffing,
        "events": promotion.events.select_related("actor"),
        "review_form": review_form or ReviewForm(),
        "can_review": request.user.role == Role.REGULATOR and promotion.state == FilingState.SUBMITTED,
        "may_change": _may_change(request.user, promotion),
        "plan_form": plan_form or PlanForm(),
    }
    return render(request, "web/filings/detail.html", context, status=status)


@regulator_required
@require_POST
def review(request, promotion_id: int):
    promotion = get_object_or_404(queries.visible(request.user), pk=promotion_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review(
                promotion.pk, request.user, form.cleaned_data["decision"], form.cleaned_data["comment"]
            )
        except FieldError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        except Conflict:
            messages.error(request, _("The filing was reviewed already; nothing was changed."))
            return redirect("web:filing", promotion.pk)
        else:
            messages.success(request, _("Review saved; the shop is notified."))
            return redirect("web:filing", promotion.pk)
    return filing(request, promotion.pk, review_form=form, status=422)


@merchant_required
def amend(request, promotion_id: int):
    """Correct a filing (waiting for review or returned); a returned one can be resubmitted at once."""
    promotion = get_object_or_404(queries.visible(request.user), pk=promotion_id)
    if not _may_change(request.user, promotion):
        messages.error(
            request,
            _("This filing can no longer be changed: it is %(state)s.")
            % {"state": promotion.get_state_display()},
        )
        return redirect("web:filing", promotion.pk)
    form = AmendFilingForm(request.POST or None, promotion=promotion)
    resubmit = "resubmit" in request.POST and promotion.state == FilingState.RETURNED
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"].strip()
        changes = form.changes()
        try:
            if resubmit:
                services.resubmit(promotion.pk, request.user, changes, message)
            else:
                services.amend(promotion.pk, request.user, changes, message)
        except FieldError as exc:
            form.add_field_error(exc)
        except Conflict:
            messages.error(request, _("The filing changed meanwhile (it was reviewed); nothing was saved."))
            return redirect("web:filing", promotion.pk)
        else:
            messages.success(
                request,
                _("The filing was resubmitted for review.")
                if resubmit
                else (_("The changes were saved.") if changes else _("Nothing changed.")),
            )
            return redirect("web:filing", promotion.pk)
    return render(
        request,
        "web/filings/amend.html",
        {"form": form, "promotion": promotion, "returned": promotion.state == FilingState.RETURNED},
        status=422 if form.errors else 200,
    )


@merchant_required
@require_POST
def upload_plan(request, promotion_id: int):
    promotion = get_object_or_404(queries.visible(request.user), pk=promotion_id)
    form = PlanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_plan(promotion.pk, request.user, form.cleaned_data["file"])
        except FieldError as exc:
            form.add_error("file", exc.reason)
        except (Conflict, ActionForbidden):
            form.add_error("file", _("The plan can be attached only while the filing is open for changes."))
        else:
            messages.success(request, _("The emergency plan was attached."))
            return redirect("web:filing", promotion.pk)
    return filing(request, promotion.pk, plan_form=form, status=422)


@login_required
def download_plan(request, promotion_id: int):
    """The attached PDF, for the shop's staff and the regulator only (anyone else: not found)."""
    return queries.plan_download(request.user, promotion_id)
