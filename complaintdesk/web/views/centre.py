"""Reports and enquiries on the web (issue 13 item 3): the public's report and enquiry forms (signed in or not;
an officer uses them to record a call, a visit or a letter), and the officer's console: the list with its
filters and a matter's page with its decision or answer, its letters, where it was routed and its transfer to
another bureau.

Who wrote in shows on the console's pages only, which are the officers'; nobody else sees a matter at all.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.ratelimit import RateLimited
from complaintdesk.centre import matters
from complaintdesk.centre.models import Matter, MatterKind, MatterState
from complaintdesk.lib.clientip import client_ip
from complaintdesk.lib.cursor import capped_count
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.web import bureaus
from complaintdesk.web.display import deadline_view
from complaintdesk.web.filters import ALL, MatterListQuery, reads_query
from complaintdesk.web.forms.centre import AnswerForm, DecisionForm, EnquiryForm, ReportForm, TransferForm
from complaintdesk.web.forms.common import show_field_errors
from complaintdesk.web.paging import segments_page
from complaintdesk.web.views.access import regulator_required
from complaintdesk.web.views.confirm import confirmation_page

# The letters partial (web/centre/_letters.html) lists a matter's letters on its page.
LETTERS_PARTIAL = "web/centre/_letters.html"


def _is_officer(user) -> bool:
    return user.is_authenticated and user.is_regulator


def _file(request, form_class, template: str):
    """The public form of a report or an enquiry. Whoever is signed in files as themselves (a report may
    still be anonymous); an officer records someone else's call or letter and then sees the matter."""
    officer = _is_officer(request.user)
    form = form_class(request.POST or None, officer=officer)
    status = 200
    if request.method == "POST" and form.is_valid():
        by = request.user if request.user.is_authenticated else None
        try:
            matter = matters.file(
                by,
                form.filing(get_language() or ""),
                before_storing=lambda: matters.check_filing_rate(by, client_ip(request)),
            )
        except FieldError as exc:
            show_field_errors(form, exc)
        except RateLimited as exc:
            form.add_error(None, str(exc))
            response = render(request, template, {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except Conflict as exc:  # no rule version in force: the back office must add one
            form.add_error(None, str(exc))
            return render(request, template, {"form": form}, status=409)
        else:
            messages.success(request, _received(matter))
            if officer:
                return redirect("web:matter", matter.pk)
            return redirect(request.path)
    if form.errors:
        status = 422
    return render(request, template, {"form": form}, status=status)


def _received(matter: Matter) -> str:
    duty = matters.duty_of(matter)
    due = f"{timezone.localtime(duty.due_at):%Y-%m-%d %H:%M}" if duty else ""
    values = {"ref": matter.reference, "due": due}
    if matter.kind == MatterKind.ENQUIRY:
        return _("Your enquiry %(ref)s was received. The centre answers it by %(due)s.") % values
    if not matter.reachable:
        return (
            _(
                "Your report %(ref)s was received. The centre decides by %(due)s whether to open a case; as you "
                "reported anonymously, it cannot tell you its decision."
            )
            % values
        )
    return (
        _(
            "Your report %(ref)s was received. The centre decides by %(due)s whether to open a case and tells you "
            "its decision."
        )
        % values
    )


def report(request):
    return _file(request, ReportForm, "web/centre/report.html")


def enquiry(request):
    return _file(request, EnquiryForm, "web/centre/enquiry.html")


# ------------------------------------------------------------------------------------------------ console


@regulator_required
@reads_query(MatterListQuery)
def matter_list(request, query):
    qs = matters.visible_matters(request.user).prefetch_related("deadlines")
    if query["kind"] != ALL:
        qs = qs.filter(kind=query["kind"])
    if query["state"]:
        qs = qs.filter(state=query["state"])
    if query["overdue"]:
        qs = matters.overdue(qs)
    if query["bureau"]:  # a district officer's list is its own bureau's: another bureau's is empty
        qs = qs.filter(bureau_id=query["bureau"])
    segments = matters.listed(qs, at_rest=not query["overdue"])
    page = segments_page(request, query, segments, capped_count(qs))
    now = timezone.now()
    rows = [{"matter": m, "duty": _duty(m, now)} for m in page.rows]
    return render(
        request,
        "web/centre/matters.html",
        {
            "page": page,
            "rows": rows,
            "f": query,
            "kinds": MatterKind.choices,
            "states": MatterState.choices,
            "bureaus": bureaus.filter_choices(request.user),
        },
    )


def _duty(matter: Matter, now):
    found = next((d for d in matter.deadlines.all() if d.phase == matters.DUTY[matter.kind]), None)
    return deadline_view(found, now) if found else None


def _matter(request, matter_id: int) -> Matter:
    return get_object_or_404(matters.visible_matters(request.user), pk=matter_id)


def _letters_partial() -> str | None:
    try:
        get_template(LETTERS_PARTIAL)
    except TemplateDoesNotExist:
        return None
    return LETTERS_PARTIAL


def _page(request, matter: Matter, form=None, status: int = 200, transfer_form=None):
    language = get_language() or "en"
    if form is None and matter.state == MatterState.RECEIVED:
        form = DecisionForm() if matter.kind == MatterKind.REPORT else AnswerForm()
    if transfer_form is None and matter.state == MatterState.RECEIVED:
        transfer_form = TransferForm(holding=matter.bureau_id, language=language)
    context = {
        "matter": matter,
        "routing_line": matter.routing_line(),
        "transfers": matter.transfer_list(),
        "transfer_form": transfer_form,
        "transfer_confirm": _transfer_confirmation(matter),
        "duty": _duty(matter, timezone.now()),
        "decision": matters.DECISION_OF.get(matter.state),
        "form": form,
        "confirm": _confirmation(matter),
        "letters_partial": _letters_partial(),
        "bureau_name": matter.bureau.name_in(language),
        "letters_language": get_language_info(matter.language)["name_local"],
    }
    return render(request, "web/centre/matter.html", context, status=status)


@regulator_required
def matter_detail(request, matter_id: int):
    return _page(request, _matter(request, matter_id))


def _confirmation(matter: Matter) -> tuple[str, str, str]:
    """What deciding or answering asks first (it cannot be undone, and its letter goes out at once)."""
    if matter.kind == MatterKind.REPORT:
        return (
            _("Decide report %(ref)s?") % {"ref": matter.reference},
            _(
                "The decision is final: it meets the centre's duty, and the reporter, if they can be reached, "
                "is sent a letter with it and its reason at once."
            ),
            _("Yes, decide"),
        )
    return (
        _("Send the answer to enquiry %(ref)s?") % {"ref": matter.reference},
        _("The answer is final: it meets the centre's duty and is sent to the enquirer at once."),
        _("Yes, send the answer"),
    )


@regulator_required
@require_POST
def decide(request, matter_id: int):
    """The decision on a report or the answer to an enquiry: checked, asked about once, then taken."""
    matter = _matter(request, matter_id)
    is_report = matter.kind == MatterKind.REPORT
    form = (DecisionForm if is_report else AnswerForm)(request.POST)
    if not form.is_valid():
        return _page(request, matter, form, status=422)
    if request.POST.get("confirm") != "1" and matter.state == MatterState.RECEIVED:
        question, consequences, yes_label = _confirmation(matter)
        text = form.cleaned_data["reason" if is_report else "answer"]
        return confirmation_page(
            request,
            question=question,
            subject=matter.reference,
            consequences=consequences,
            message=text,
            hidden=[(name, value) for name, value in form.data.items() if name != "csrfmiddlewaretoken"],
            yes_label=yes_label,
            back_url=reverse("web:matter", args=[matter.pk]),
        )
    try:
        if is_report:
            data = form.cleaned_data
            matters.decide_report(matter.pk, request.user, data["decision"], data["reason"])
        else:
            matters.answer_enquiry(matter.pk, request.user, form.cleaned_data["answer"])
    except FieldError as exc:
        show_field_errors(form, exc)
        return _page(request, matter, form, status=422)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _page(request, _matter(request, matter_id), status=409)
    messages.success(request, _("Decided: %(ref)s.") % {"ref": matter.reference} if is_report else
                     _("Answer sent: %(ref)s.") % {"ref": matter.reference})  # fmt: skip
    return redirect("web:matter", matter.pk)


def _transfer_confirmation(matter: Matter) -> tuple[str, str, str]:
    return (
        _("Transfer %(ref)s to another bureau?") % {"ref": matter.reference},
        _(
            "The receiving bureau handles it from now: its duty starts anew when it receives it, and the matter "
            "leaves your bureau's list if you work at another district."
        ),
        _("Yes, transfer"),
    )


@regulator_required
@require_POST
def transfer(request, matter_id: int):
    """A report's or an enquiry's transfer to another bureau with the reason: checked, asked about once, then
    made. An officer who no longer sees the matter afterwards (a district's, sent elsewhere) goes to the list."""
    matter = _matter(request, matter_id)
    form = TransferForm(request.POST, holding=matter.bureau_id, language=get_language() or "en")
    if not form.is_valid():
        return _page(request, matter, status=422, transfer_form=form)
    if request.POST.get("confirm") != "1":
        question, consequences, yes_label = _transfer_confirmation(matter)
        return confirmation_page(
            request,
            question=question,
            subject=matter.reference,
            consequences=consequences,
            message=form.cleaned_data["message"],
            hidden=[(name, value) for name, value in form.data.items() if name != "csrfmiddlewaretoken"],
            yes_label=yes_label,
            back_url=reverse("web:matter", args=[matter.pk]),
        )
    try:
        moved = matters.transfer(
            matter.pk, request.user, form.cleaned_data["bureau"], form.cleaned_data["message"]
        )
    except FieldError as exc:
        show_field_errors(form, exc)
        return _page(request, matter, status=422, transfer_form=form)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _page(request, _matter(request, matter_id), status=409)
    messages.success(
        request,
        _("%(ref)s was transferred to %(bureau)s.")
        % {"ref": moved.reference, "bureau": moved.bureau.local_name},
    )
    if matters.visible_matters(request.user).filter(pk=moved.pk).exists():
        return redirect("web:matter", moved.pk)
    return redirect("web:matters")
