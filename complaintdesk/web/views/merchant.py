from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import shops_in_charge
from complaintdesk.complaints.choices import OPEN_STATES
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.queries import NEWEST_FIRST, visible_complaints
from complaintdesk.lib.cursor import Segment
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants import compliance, profile
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges import services as pledges
from complaintdesk.search import query as search
from complaintdesk.web import metrics
from complaintdesk.web.display import QUEUE_STATES, service_hours_lines
from complaintdesk.web.filters import QueueQuery, reads_query
from complaintdesk.web.forms.common import show_field_errors
from complaintdesk.web.forms.merchant import CoordinatorForm, ServiceHoursForm, ServiceInfoForm
from complaintdesk.web.views.access import merchant_required
from complaintdesk.web.views.confirm import confirmation_page
from complaintdesk.web.views.queues import LAST_UPDATED, nearest_deadline_first, page_rows


@merchant_required
@reads_query(QueueQuery)
def queue(request, query):
    view, words = query["view"], query["q"]
    complaints = visible_complaints(request.user)
    if words:  # every complaint of the shop, whatever its state, best match first
        found = search.matching(complaints, words, search.Scope.of(request.user))
        page, rows = page_rows(request, query, [Segment(found, search.order_of(found, NEWEST_FIRST))], words)
    elif view in ("open", "escalations"):
        queued = complaints.filter(state__in=OPEN_STATES if view == "open" else QUEUE_STATES)
        listed, count = nearest_deadline_first(queued)
        page, rows = page_rows(request, query, listed, count=count)
    else:
        finished = complaints.exclude(state__in=OPEN_STATES)
        page, rows = page_rows(request, query, [Segment(finished, LAST_UPDATED)])
    return render(
        request,
        "web/merchant/queue.html",
        {
            "page": page,
            "rows": rows,
            "view": view,
            "shop": request.user.merchant,
            "q": words,
            "search_limit": search.LIMIT,
        },
    )


def shop_settings(view):
    """A shop's settings page and forms: its own staff at /workbench/shop/, the regulator at
    /console/shops/<id>/. Others get 403 (the page exists, it is not theirs)."""

    @wraps(view)
    @login_required
    def wrapper(request, merchant_id=None, **kwargs):
        user = request.user
        if merchant_id is None:
            if user.role not in MERCHANT_ROLES or not user.merchant_id:
                raise PermissionDenied
            shop = Merchant.objects.get(pk=user.merchant_id)
        else:
            if user.role != Role.REGULATOR:
                raise PermissionDenied
            # A shop outside the officer's charge (another district's) is not found (SPEC §11).
            shop = get_object_or_404(shops_in_charge(user), pk=merchant_id)
        return view(request, shop, **kwargs)

    return wrapper


def _urls(request, shop) -> dict:
    if request.user.role == Role.REGULATOR:
        args = [shop.pk]
        names = ("console_shop", "console_service_info", "console_service_hours", "console_coordinator")
    else:
        args = []
        names = ("shop_profile", "publish_service_info", "service_hours", "designate_coordinator")
    return dict(
        zip(
            ("page", "service_info", "hours", "coordinator"),
            (reverse(f"web:{n}", args=args) for n in names),
            strict=True,
        )
    )


def _profile(request, shop, status=200, **forms):
    version = pledges.current_version()
    state = compliance.check_one(shop)
    coordinator = profile.current_coordinator(shop)
    is_coordinator = request.user.role == Role.MERCHANT_COORDINATOR
    return render(
        request,
        "web/merchant/shop.html",
        {
            "shop": shop,
            "urls": _urls(request, shop),
            "is_regulator": request.user.role == Role.REGULATOR,
            "hours": service_hours_lines(shop.service_hours),
            "compliance": state,
            "coordinator": coordinator,
            "coordinators": profile.coordinator_history(shop)[:20],
            "revisions": profile.service_info_history(shop)[:20],
            "signatures": shop.pledge_signatures.select_related("version", "signed_by"),
            "pledge": version,
            "commitments": version.commitments.all() if version else [],
            "may_manage": profile.may_manage(request.user, shop),
            "may_sign": is_coordinator and "pledge" in state.missing,
            "sign_confirmation": _sign_confirmation(version) if version else None,
            "form": forms.get("form") or ServiceInfoForm(instance=shop),
            "hours_form": forms.get("hours_form") or ServiceHoursForm(hours=shop.service_hours),
            "coordinator_form": forms.get("coordinator_form")
            or CoordinatorForm(merchant=shop, current=coordinator),
            "open_form": next((name for name, form in forms.items() if form is not None), None),
            "card": metrics.scorecard(shop),
        },
        status=status,
    )


@shop_settings
def shop_profile(request, shop):
    return _profile(request, shop)


def _publish(request, shop, changes: dict, form) -> bool:
    """Publish through merchants.profile, and say that changed hours apply to new complaints only."""
    try:
        published = profile.publish_service_info(shop.pk, request.user, changes)
    except FieldError as exc:
        show_field_errors(form, exc)
        return False
    except ActionForbidden:
        denied = _("Only the shop's 12315 coordinator publishes the service information.")
        form.add_error(None, denied)
        messages.error(request, denied)
        return False
    if "service_hours" in published.changed:
        messages.info(request, profile.WORKING_TIME_CHANGED)
    messages.success(
        request, _("Customer-service information published.") if published.changed else _("Nothing changed.")
    )
    return True


@shop_settings
@require_POST
def publish_service_info(request, shop):
    form = ServiceInfoForm(request.POST)
    if form.is_valid() and _publish(request, shop, form.cleaned_data, form):
        return redirect(_urls(request, shop)["page"])
    return _profile(request, shop, form=form, status=422)


@shop_settings
@require_POST
def service_hours(request, shop):
    form = ServiceHoursForm(request.POST, hours=shop.service_hours)
    if form.is_valid() and _publish(request, shop, {"service_hours": form.hours}, form):
        return redirect(_urls(request, shop)["page"])
    return _profile(request, shop, hours_form=form, status=422)


@shop_settings
@require_POST
def designate_coordinator(request, shop):
    form = CoordinatorForm(request.POST, merchant=shop)
    if form.is_valid():
        try:
            profile.designate_coordinator(
                shop.pk, request.user, form.cleaned_data["user"].pk, form.cleaned_data["direct_phone"].strip()
            )
        except FieldError as exc:
            show_field_errors(form, exc)
        except ActionForbidden:
            denied = _("Only the shop's 12315 coordinator or the regulator designates one.")
            form.add_error(None, denied)
            messages.error(request, denied)
        except Conflict:
            form.add_error(
                None, _("The shop's coordinator changed meanwhile; reload the page and try again.")
            )
        else:
            messages.success(
                request,
                _("%(name)s is now the shop's 12315 coordinator.")
                % {"name": form.cleaned_data["user"].username},
            )
            if request.user.role == Role.REGULATOR or request.user.pk == form.cleaned_data["user"].pk:
                return redirect(_urls(request, shop)["page"])
            # The coordinator handed over and is an agent now: back to the queue, not a page of forms.
            return redirect("web:queue")
    return _profile(request, shop, coordinator_form=form, status=422)


def _sign_confirmation(version) -> tuple[str, str, str]:
    """What signing asks first: the question, its consequences, the "yes" button."""
    return (
        _("Sign version %(v)s of the pledge for the shop?") % {"v": version.number},
        _(
            "The shop commits to the eight commitments of version %(v)s. The signature records your name, "
            "the time and your network address and cannot be withdrawn; complaints may then allege that the "
            "shop broke a commitment."
        )
        % {"v": version.number},
        _("Yes, sign for the shop"),
    )


@merchant_required
@require_POST
def sign_pledge(request):
    """Sign the version in force, after a confirmation: the page's dialog, or without JavaScript a page of
    its own that posts again with confirm=1. The version read is posted, so a newer one is never signed
    unread."""
    version = pledges.current_version()
    may_sign = (
        version is not None
        and request.user.role == Role.MERCHANT_COORDINATOR
        and "pledge" in compliance.check_one(request.user.merchant).missing
    )
    confirmed = request.POST.get("confirm") == "1"
    seen = request.POST.get("version")
    if may_sign and (seen or confirmed) and seen != str(version.number):
        messages.error(
            request, _("A new version of the pledge was published meanwhile: read it, then sign it.")
        )
        return redirect("web:shop_profile")
    if may_sign and not confirmed:
        question, consequences, yes_label = _sign_confirmation(version)
        return confirmation_page(
            request,
            question=question,
            subject=str(version),
            consequences=consequences,
            post_url=reverse("web:sign_pledge"),
            hidden=[("version", version.number)],
            yes_label=yes_label,
            back_url=reverse("web:shop_profile"),
        )
    try:
        if version is None:
            raise Conflict(_("no pledge is published"))
        pledges.sign(version.pk, request.user, request.META.get("REMOTE_ADDR"))
    except ActionForbidden:
        messages.error(request, _("Only the shop's designated 12315 coordinator signs the pledge."))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The pledge is signed."))
    return redirect("web:shop_profile")
