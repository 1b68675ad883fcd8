from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import Role
from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants import compliance, profile
from complaintdesk.pledges import services as pledges
from complaintdesk.web import metrics
from complaintdesk.web.display import QUEUE_STATES, service_hours_lines
from complaintdesk.web.forms import ServiceInfoForm
from complaintdesk.web.views.access import merchant_required
from complaintdesk.web.views.queues import by_nearest_deadline, page_rows

VIEWS = ("open", "escalations", "finished")


@merchant_required
def queue(request):
    view = request.GET.get("view", "open")
    view = view if view in VIEWS else "open"
    complaints = visible_complaints(request.user)
    if view == "open":
        complaints = by_nearest_deadline(complaints.filter(state__in=OPEN_STATES))
    elif view == "escalations":
        complaints = by_nearest_deadline(complaints.filter(state__in=QUEUE_STATES))
    else:
        complaints = complaints.exclude(state__in=OPEN_STATES).order_by("-updated_at")
    page, rows = page_rows(request, complaints)
    return render(
        request,
        "web/merchant/queue.html",
        {"page": page, "rows": rows, "view": view, "shop": request.user.merchant},
    )


def _profile(request, form=None, status=200):
    shop = request.user.merchant
    shop.refresh_from_db()
    version = pledges.current_version()
    state = compliance.check_one(shop)
    is_coordinator = request.user.role == Role.MERCHANT_COORDINATOR
    return render(
        request,
        "web/merchant/shop.html",
        {
            "shop": shop,
            "hours": service_hours_lines(shop.service_hours),
            "compliance": state,
            "coordinator": profile.current_coordinator(shop),
            "signatures": shop.pledge_signatures.select_related("version", "signed_by"),
            "pledge": version,
            "commitments": version.commitments.all() if version else [],
            "may_manage": profile.may_manage(request.user, shop),
            "may_sign": is_coordinator and "pledge" in state.missing,
            "form": form or ServiceInfoForm(instance=shop),
            "card": metrics.scorecard(shop),
        },
        status=status,
    )


@merchant_required
def shop_profile(request):
    return _profile(request)


@merchant_required
@require_POST
def publish_service_info(request):
    form = ServiceInfoForm(request.POST)
    if form.is_valid():
        try:
            shop, changed = profile.publish_service_info(
                request.user.merchant_id, request.user, form.cleaned_data
            )
        except FieldError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        except ActionForbidden:
            form.add_error(None, _("Only the shop's 12315 coordinator publishes the service information."))
        else:
            messages.success(
                request, _("Customer-service information published.") if changed else _("Nothing changed.")
            )
            return redirect("web:shop_profile")
    return _profile(request, form=form, status=422)


@merchant_required
@require_POST
def sign_pledge(request):
    version = pledges.current_version()
    try:
        if version is None:
            raise Conflict("no pledge is published")
        pledges.sign(version.pk, request.user, request.META.get("REMOTE_ADDR"))
    except ActionForbidden:
        messages.error(request, _("Only the shop's designated 12315 coordinator signs the pledge."))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The pledge is signed."))
    return redirect("web:shop_profile")
