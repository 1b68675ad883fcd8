"""Every signed-in user's notifications (the bell in the header), the language their notices use, and an
officer's choice of how alerts reach them.

The rows are written by the outbox when it delivers a notice to the user (`notify.outbox.in_app`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import Role
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.notify.models import Notification
from complaintdesk.web.filters import CursorQuery, reads_query
from complaintdesk.web.forms.notifications import AlertNoticesForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import regulator_required

# Newest first (the model's order), as the list's pages walk it (lib.cursor).
NEWEST_FIRST = Order("notifications", (Key("created_at", descending=True), Key("id", descending=True)))


@login_required
@reads_query(CursorQuery)
def notifications(request, query):
    return _list(request, query)


def _list(request, query: dict, alert_form=None, status=200):
    """The user's notifications; an officer's page also says how alerts reach them, in a form."""
    page = list_page(request, query, Notification.objects.filter(user=request.user), NEWEST_FIRST)
    if alert_form is None and request.user.role == Role.REGULATOR:
        alert_form = AlertNoticesForm(instance=request.user)
    context = {"page": page, "notifications": page.rows, "alert_form": alert_form}
    return render(request, "web/notifications/list.html", context, status=status)


@regulator_required
@require_POST
def alert_notices(request):
    """An officer chooses how alerts reach them: at once, in the daily digest, or not at all."""
    form = AlertNoticesForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _list(request, {}, alert_form=form, status=422)
    form.instance.save(update_fields=["alert_notices"])
    messages.success(request, _("Saved: %(choice)s.") % {"choice": form.instance.get_alert_notices_display()})
    return redirect("web:notifications")


@login_required
@require_POST
def mark_read(request, notification_id):
    """Mark one as read (another user's answers 404), then go to its page or back to the list."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    target = notification.link if request.POST.get("open") and notification.link else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("web:notifications")


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("web:notifications")


def set_language(request):
    """Django's language switch, which also keeps a signed-in user's choice for their notices."""
    response = i18n.set_language(request)
    chosen = request.POST.get("language", "")
    languages = {code for code, _name in settings.LANGUAGES}
    user = request.user
    if request.method == "POST" and user.is_authenticated and chosen in languages and user.language != chosen:
        user.language = chosen
        user.save(update_fields=["language"])
    return response
