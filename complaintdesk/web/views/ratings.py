"""The consumer rates a closed complaint from its page (`web/centre/_rating.html` posts here). The first
rating is given, a later one changes it, within the window (`centre.ratings`). A refused rating comes back on
a page of its own with the form and the reason (4xx), nothing changed."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaintdesk.centre import ratings
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.web.forms.ratings import RatingForm
from complaintdesk.web.views.access import consumer_required


@consumer_required
@require_http_methods(["GET", "POST"])
def rate(request, complaint_id: int):
    complaint = get_object_or_404(visible_complaints(request.user), pk=complaint_id)
    rating = ratings.rating_of(complaint)
    if request.method == "GET":
        initial = {"score": rating.score, "comment": rating.comment} if rating else None
        return _page(request, complaint, RatingForm(initial=initial), rating)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, complaint, form, rating, status=422)
    write = ratings.change if rating else ratings.rate
    try:
        with transaction.atomic():
            write(complaint, request.user, **form.cleaned_data, at=timezone.now())
    except FieldError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return _page(request, complaint, form, rating, status=422)
    except Conflict as exc:
        form.add_error(None, str(exc))
        return _page(request, complaint, form, rating, status=409)
    messages.success(request, _("Thank you: your rating is saved."))
    return redirect(reverse("web:complaint", args=[complaint.pk]) + "#rating")


def _page(request, complaint, form, rating, status=200):
    context = {"complaint": complaint, "form": form, "rating": rating, "window": ratings.window(complaint)}
    return render(request, "web/centre/rate.html", context, status=status)
