"""Flags for review in the console (`complaints.flags`, SPEC §11): the list of open flags (a district officer's
of its bureau) and clearing one with a note from the complaint's page. Officers only: anyone else gets 403,
another bureau's complaint or a flag of another complaint 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.centre.models import Flag
from complaintdesk.complaints import flags
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.web.filters import CursorQuery, reads_query
from complaintdesk.web.forms.flags import ClearFlagForm
from complaintdesk.web.paging import list_page
from complaintdesk.web.templatetags.flag_panel import flag_rows, form_prefix
from complaintdesk.web.views.access import regulator_required

# Newest first (the flags' own order), as the list's pages walk it (lib.cursor).
NEWEST_FIRST = Order("flags", (Key("raised_at", descending=True), Key("id", descending=True)))


@regulator_required
@reads_query(CursorQuery)
def open_list(request, query):
    """The open flags, newest first, 50 a page: each with its complaint, shop, reason and evidence."""
    page = list_page(request, query, flags.open_flags(request.user), NEWEST_FIRST)
    return render(request, "web/flags/list.html", {"page": page, "rows": flag_rows(page.rows, request.user)})


@regulator_required
@require_POST
def clear(request, complaint_id: int, flag_id: int):
    complaint = get_object_or_404(visible_complaints(request.user), pk=complaint_id)
    flag = get_object_or_404(Flag, pk=flag_id, complaint=complaint)
    form = ClearFlagForm(request.POST, prefix=form_prefix(flag.pk))
    if not form.is_valid():
        return _refused(request, complaint, flag, form, status=422)
    try:
        flags.clear(complaint, flag.pk, request.user, form.cleaned_data["note"])
    except FieldError as exc:  # a note of spaces only
        form.add_error("note", exc.reason)
        return _refused(request, complaint, flag, form, status=422)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _refused(request, complaint, flag, None, status=409)
    messages.success(request, _("The flag was cleared with your note."))
    return redirect(f"{reverse('web:complaint', args=[complaint.pk])}#flag-{flag.pk}")


def _refused(request, complaint, flag, form, status: int):
    """The flag again, with what was wrong (the note, or that it is cleared already): nothing changed."""
    flag.refresh_from_db()
    row = flag_rows([flag], request.user)[0]
    row["form"] = form
    context = {"complaint": complaint, "row": row}
    return render(request, "web/flags/clear.html", context, status=status)
