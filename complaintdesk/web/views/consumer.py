from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaintdesk.accounts import ratelimit
from complaintdesk.complaints import evidence, intake
from complaintdesk.complaints.choices import Channel, Sector
from complaintdesk.complaints.queries import (
    NEWEST_FIRST,
    earlier_complaint_about_the_same_order,
    visible_complaints,
)
from complaintdesk.lib.errors import FieldError
from complaintdesk.web.display import nearest_deadline
from complaintdesk.web.filters import CursorQuery, FilingFormQuery, reads_query
from complaintdesk.web.forms.consumer import ComplaintForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import consumer_required


@consumer_required
@reads_query(CursorQuery)
def my_complaints(request, query):
    page = list_page(request, query, visible_complaints(request.user), NEWEST_FIRST)
    rows = [{"complaint": c, "deadline": nearest_deadline(c)} for c in page.rows]
    return render(request, "web/consumer/list.html", {"rows": rows, "page": page})


# The filing form's evidence held while another field is corrected: entries of
# evidence.hold_pending by id. Kept in the session, so only this signed-in consumer can use them; the form
# sends back only the ids the consumer keeps ticked.
_PENDING_EVIDENCE = "filing_pending_evidence"


def _kept_evidence(request, form) -> list[dict]:
    """The held files the consumer kept ticked; the others are deleted. A ticked file no longer held (a day
    passed, or another tab filed it) is named as an error on the evidence field: never dropped silently."""
    held = request.session.get(_PENDING_EVIDENCE, {})
    if request.method != "POST":
        return list(held.values())
    wanted = request.POST.getlist("pending_evidence")
    kept = [held[key] for key in wanted if key in held and evidence.still_held(held[key])]
    evidence.discard_pending(entry for key, entry in held.items() if key not in wanted)
    lost = len(wanted) - len(kept)
    if lost:
        form.add_error(
            "evidence",
            ngettext(
                "%(count)s file you attached earlier was not kept; choose it again.",
                "%(count)s files you attached earlier were not kept; choose them again.",
                lost,
            )
            % {"count": lost},
        )
    request.session[_PENDING_EVIDENCE] = {entry["id"]: entry for entry in kept}
    return kept


def _hold_new_evidence(request, uploads, kept: list[dict]) -> list[dict]:
    """After a refusal, the newly chosen files that passed their checks are held with the kept ones."""
    held = kept + (evidence.hold_pending(request.user, uploads) if uploads else [])
    request.session[_PENDING_EVIDENCE] = {entry["id"]: entry for entry in held}
    return held


def _warn_if_order_complained_of(request, complaint) -> None:
    """A second complaint about the same order at the same shop is filed (it may be about something else),
    with a warning that links the first."""
    earlier = earlier_complaint_about_the_same_order(complaint)
    if earlier is None:
        return
    messages.warning(
        request,
        format_html(
            _(
                "You complained about order {order} at this shop before: {link}. If it is the same "
                "problem, follow it there."
            ),
            order=complaint.order_number,
            link=format_html(
                '<a href="{}">{}</a>', reverse("web:complaint", args=[earlier.pk]), earlier.reference
            ),
        ),
    )


@consumer_required
@reads_query(FilingFormQuery)
def file_complaint(request, query):
    initial = {"merchant": query["merchant"]} if query["merchant"] else {}
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    valid = request.method == "POST" and form.is_valid()
    # Files that passed the evidence field's checks: held if the filing is refused for another reason.
    chosen = form.cleaned_data.get("evidence") or [] if form.is_bound else []
    pending = _kept_evidence(request, form)
    if valid and not form.errors:
        data = form.cleaned_data
        try:
            new_complaint = intake.build_new_complaint(
                request.user,
                merchant=data["merchant"].pk,
                category=data["category"],
                kind=None,  # derived from the category
                channel=Channel.WEB,
                sector=Sector.ONLINE_SHOPPING,
                order_number=data["order_number"].strip(),
                amount=data["amount"],
                order_date=data["order_date"],
                wanted_outcome=data["wanted_outcome"],
                description=data["description"].strip(),
                product=data["product"],
                publish_consent=data["publish_consent"],
            )
            ratelimit.check_complaint_rate(request, request.user)
            # The files are written before the filing's transaction, not under SQLite's write lock.
            complaint = evidence.file_with_evidence(
                request.user, new_complaint, data["evidence"], pending=pending
            )
        except FieldError as exc:
            field = {"file": "evidence"}.get(exc.field, exc.field)
            if field == "evidence":
                chosen = []  # refused with a reason at the field: the consumer chooses again
            form.add_error(field if field in form.fields else None, exc.reason)
        except ratelimit.RateLimited as exc:
            form.add_error(None, str(exc))
            pending = _hold_new_evidence(request, chosen, pending)
            context = {"form": form, "pending": pending}
            response = render(request, "web/consumer/new.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        else:
            request.session.pop(_PENDING_EVIDENCE, None)
            messages.success(
                request,
                _("Your complaint %(ref)s was sent to %(shop)s. The shop's deadlines are below.")
                % {"ref": complaint.reference, "shop": complaint.merchant.name},
            )
            _warn_if_order_complained_of(request, complaint)
            return redirect("web:complaint", complaint.pk)
    if form.errors:
        pending = _hold_new_evidence(request, chosen, pending)
    status = 422 if form.errors else 200
    context = {
        "form": form,
        "pending": pending,
        "files_not_kept": form.errors and bool(request.FILES.getlist("evidence")) and not chosen,
    }
    return render(request, "web/consumer/new.html", context, status=status)
