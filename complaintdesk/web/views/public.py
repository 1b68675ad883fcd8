from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.complaints import groups
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant
from complaintdesk.stats import periods
from complaintdesk.web import metrics
from complaintdesk.web.display import service_hours_lines
from complaintdesk.web.filters import CursorQuery, DirectoryQuery, reads_query
from complaintdesk.web.forms.public import SignUpForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.views.access import home_url_for

# Shops the home page names; the directory lists the rest a page at a time.
HOME_SHOPS = 20


def home(request):
    shops = list(
        Merchant.objects.filter(is_active=True).order_by(*profile.BY_NAME.ordering())[: HOME_SHOPS + 1]
    )
    return render(
        request, "web/public/home.html", {"shops": shops[:HOME_SHOPS], "more": len(shops) > HOME_SHOPS}
    )


def start(request):
    """Where a user lands after logging in: the home page of their role."""
    return redirect(home_url_for(request.user))


@reads_query(DirectoryQuery)
def directory(request, query):
    page = list_page(request, query, profile.directory(query["q"]), profile.BY_NAME)
    rows = [{"shop": s, "hours": service_hours_lines(s.service_hours)} for s in page.rows]
    return render(request, "web/public/directory.html", {"rows": rows, "q": query["q"], "page": page})


@reads_query(CursorQuery)
def scorecards(request, query):
    """The active shops' scorecards a page at a time (by name): a page's figures read its shops' rollups."""
    page = list_page(request, query, Merchant.objects.filter(is_active=True), profile.BY_NAME)
    cards = metrics.scorecards(page.rows)
    # The open data of the scorecards' own 12 months: at most 366 days, what the API serves at once.
    open_data = periods.last_12_months(timezone.localdate(timezone=periods.zone()))
    context = {"cards": cards, "open_data": open_data, "page": page}
    return render(request, "web/public/scorecards.html", context)


def scorecard(request, merchant_id: int):
    shop = get_object_or_404(Merchant, pk=merchant_id, is_active=True)
    return render(
        request,
        "web/public/scorecard.html",
        {
            "card": metrics.scorecard(shop),
            "hours": service_hours_lines(shop.service_hours),
            "groups": groups.groups_of_shop(shop),
        },
    )


def signup(request):
    if request.user.is_authenticated:
        return redirect(home_url_for(request.user))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.language = request.LANGUAGE_CODE  # the browser's (Accept-Language) or the chosen one
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready; you can file a complaint now."))
        return redirect("web:file_complaint")
    return render(request, "web/public/signup.html", {"form": form})
