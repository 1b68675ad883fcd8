from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaintdesk.accounts import ratelimit
from complaintdesk.complaints import evidence, intake
from complaintdesk.complaints.choices import Channel, Sector
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.errors import FieldError
from complaintdesk.web.display import nearest_deadline
from complaintdesk.web.filters import FilingFormQuery, reads_query
from complaintdesk.web.forms.consumer import ComplaintForm
from complaintdesk.web.views.access import consumer_required


@consumer_required
def my_complaints(request):
    complaints = list(visible_complaints(request.user)[:200])
    rows = [{"complaint": c, "deadline": nearest_deadline(c)} for c in complaints]
    return render(request, "web/consumer/list.html", {"rows": rows})


@consumer_required
@reads_query(FilingFormQuery)
def file_complaint(request, query):
    initial = {"merchant": query["merchant"]} if query["merchant"] else {}
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
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
            complaint = evidence.file_with_evidence(request.user, new_complaint, data["evidence"])
        except FieldError as exc:
            field = {"file": "evidence"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.reason)
        except ratelimit.RateLimited as exc:
            form.add_error(None, str(exc))
            response = render(request, "web/consumer/new.html", {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        else:
            messages.success(
                request,
                _("Your complaint %(ref)s was sent to %(shop)s. The shop's deadlines are below.")
                % {"ref": complaint.reference, "shop": complaint.merchant.name},
            )
            return redirect("web:complaint", complaint.pk)
    status = 422 if form.errors else 200
    return render(request, "web/consumer/new.html", {"form": form}, status=status)
