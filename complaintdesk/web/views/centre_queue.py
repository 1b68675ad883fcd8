"""The officer's queue (issue 13 item 7): every matter before the 12315 centre — complaints, reports,
enquiries — by its nearest duty of the centre's, with live countdowns, as the shop's workbench shows the
shop's deadlines. Filters: kind, state, duty overdue, bureau (a city-level officer's; a district officer's
queue is its bureau's). The list is `complaints.centre_queue`'s."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre.models import MatterKind, MatterState
from complaintdesk.complaints import centre_queue
from complaintdesk.complaints.choices import State
from complaintdesk.web import bureaus
from complaintdesk.web.display import deadline_view
from complaintdesk.web.filters import CentreQueueQuery, reads_query
from complaintdesk.web.paging import segments_page
from complaintdesk.web.views.access import regulator_required

KIND_LABELS = {
    centre_queue.COMPLAINT: _("Complaint"),
    MatterKind.REPORT: MatterKind.REPORT.label,
    MatterKind.ENQUIRY: MatterKind.ENQUIRY.label,
}
# The complaint states the state filter offers first: where a complaint stands with the centre.
CENTRE_STATES = [State.ESCALATED, State.IN_MEDIATION, State.TESTING, State.TERMINATED, State.REFUSED,
                 State.AGREED, State.CLOSED, State.WITHDRAWN, State.RESOLVED]  # fmt: skip


@regulator_required
@reads_query(CentreQueueQuery)
def queue(request, query):
    filters = centre_queue.Filters(
        kind=query["kind"], state=query["state"], overdue=query["overdue"], bureau=query["bureau"]
    )
    # No total counted (`centre_queue`: it would read every matching duty): a page that is the whole queue
    # says how many it holds.
    page = segments_page(request, query, centre_queue.listed(filters, viewer=request.user), count=None)
    if not page.has_other_pages:
        page.count = len(page.rows)
    now = timezone.now()
    language = get_language() or "en"
    rows = [_row(entry, now, language) for entry in centre_queue.entries(page.rows)]
    return render(
        request,
        "web/regulator/centre_queue.html",
        {
            "page": page,
            "rows": rows,
            "f": query,
            "kinds": [(kind, KIND_LABELS[kind]) for kind in centre_queue.KINDS],
            "state_groups": [
                (_("Complaints"), [(s, State(s).label) for s in CENTRE_STATES]),
                (_("Reports and enquiries"), MatterState.choices),
            ],
            "bureaus": bureaus.filter_choices(request.user),
        },
    )


def _row(entry: centre_queue.Entry, now, language: str) -> dict:
    item = entry.item
    if entry.complaint is not None:
        link = reverse("web:complaint", args=[item.pk])
        about = item.merchant.name
    else:
        link = reverse("web:matter", args=[item.pk])
        # A report is about a shop or a web address; an enquiry about what it asks.
        about = item.merchant.name if item.merchant_id else item.web_address or item.text
    return {
        "entry": entry,
        "kind_label": KIND_LABELS[entry.kind],
        "link": link,
        "about": about,
        "duty": deadline_view(entry.duty, now) if entry.duty is not None else None,
        "bureau": entry.bureau.name_in(language) if entry.bureau is not None else "",
        "rule_version": entry.rule_version.name if entry.rule_version is not None else "",
    }
