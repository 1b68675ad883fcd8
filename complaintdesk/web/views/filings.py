"""Promotion filings (SPEC §4) in the web: a shop files and follows its filings with the staffing verdict;
the regulator reviews them. The rules live in complaintdesk/promotions/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.promotions import services
from complaintdesk.promotions.models import FilingState, Promotion
from complaintdesk.web.forms import FilingForm, ReviewForm
from complaintdesk.web.views.access import merchant_required, regulator_required


def visible_filings(user):
    filings = Promotion.objects.select_related("merchant", "filed_by")
    if user.role == Role.REGULATOR:
        return filings
    if user.role in MERCHANT_ROLES and user.merchant_id:
        return filings.filter(merchant_id=user.merchant_id)
    return filings.none()


@merchant_required
def shop_filings(request):
    return render(request, "web/filings/list.html", {"filings": visible_filings(request.user), "mine": True})


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
            return redirect("web:filing", promotion.pk)
    return render(request, "web/filings/new.html", {"form": form}, status=422 if form.errors else 200)


@regulator_required
def review_queue(request):
    state = request.GET.get("state", FilingState.SUBMITTED)
    filings = visible_filings(request.user)
    if state in FilingState.values:
        filings = filings.filter(state=state)
    return render(
        request,
        "web/filings/list.html",
        {"filings": filings, "state": state, "states": FilingState.choices, "mine": False},
    )


@login_required
def filing(request, promotion_id: int, review_form=None, status=200):
    promotion = get_object_or_404(visible_filings(request.user), pk=promotion_id)
    context = {
        "promotion": promotion,
        "staffing": promotion.staffing,
        "events": promotion.events.select_related("actor"),
        "review_form": review_form or ReviewForm(),
        "can_review": request.user.role == Role.REGULATOR and promotion.state == FilingState.SUBMITTED,
    }
    return render(request, "web/filings/detail.html", context, status=status)


@regulator_required
@require_POST
def review(request, promotion_id: int):
    promotion = get_object_or_404(visible_filings(request.user), pk=promotion_id)
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
