"""The regulator's statutory calendar page: what the calendar lacks (the dashboard's warnings), the days
entered so far, and two forms that fill the gap: the State Council notice as a holiday file, or one day.
Both store through `deadlines.calendar_days`, as `manage.py import_holidays` does."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaintdesk.deadlines import calendar_days
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines.models import CalendarOverride
from complaintdesk.stats import periods
from complaintdesk.web.forms.regulator import CalendarDayForm, HolidayFileForm
from complaintdesk.web.views.access import regulator_required

FILE, DAY = "file", "day"


@regulator_required
@require_http_methods(["GET", "POST"])
def statutory_calendar(request):
    file_form, day_form = HolidayFileForm(prefix=FILE), CalendarDayForm(prefix=DAY)
    if request.method == "POST":
        which = request.POST.get("form")
        if which == FILE:
            file_form = HolidayFileForm(request.POST, request.FILES, prefix=FILE)
            if file_form.is_valid():
                name = file_form.cleaned_data["file"].name
                year = calendar_days.notice_year(file_form.entries)
                return _stored(request, file_form.entries, year, f"holiday notice uploaded from {name}")
        elif which == DAY:
            day_form = CalendarDayForm(request.POST, prefix=DAY)
            if day_form.is_valid():
                entry = day_form.entry()
                return _stored(request, [entry], None, f"calendar day {entry.date} entered")
        status = 422
    else:
        status = 200
    this_year = timezone.localdate(timezone=periods.zone()).year
    context = {
        "file_form": file_form,
        "day_form": day_form,
        "calendar_warnings": deadline_services.calendar_warnings(),
        "days": CalendarOverride.objects.filter(date__year__gte=this_year - 1),
    }
    return render(request, "web/regulator/calendar.html", context, status=status)


def _stored(request, entries, year, source: str):
    moved = calendar_days.store_days(entries, year=year, user=request.user, source=source)
    off = sum(e.is_off for e in entries)
    messages.success(
        request,
        _("Saved %(days)s days (%(off)s days off, %(working)s working days); deadlines moved on %(moved)s "
          "complaints.") % {"days": len(entries), "off": off, "working": len(entries) - off, "moved": moved},
    )  # fmt: skip
    return redirect("web:statutory_calendar")
