"""The complaint page every role shares: what happened, the deadlines, the evidence, and the forms for the
actions the lifecycle allows this user now. Another tenant's complaint is 404, as in the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import Role
from complaintdesk.complaints import centre, evidence, flags, lifecycle, services
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.deadlines.models import CENTRE_PHASES, SHOP_PHASES
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.pledges import services as pledges
from complaintdesk.web.display import (
    ACTION_LABELS,
    CONFIRMATIONS,
    FINAL_ACTIONS,
    available_actions,
    deadline_view,
    default_action,
)
from complaintdesk.web.forms.complaints import ActionForm, CommitmentTagsForm, EvidenceForm
from complaintdesk.web.views.confirm import confirmation_page


def _complaint(request, complaint_id: int):
    return get_object_or_404(visible_complaints(request.user), pk=complaint_id)


def _commitment_texts() -> dict[int, str]:
    """The current pledge's commitments in the reader's language, by number."""
    version = pledges.current_version()
    if version is None:
        return {}
    chinese = (get_language() or "").startswith("zh")
    return {c.number: c.text_zh if chinese else c.text_en for c in version.commitments.all()}


def _render(request, complaint, forms=None, evidence_form=None, tags_form=None, status=200):
    now = timezone.now()
    texts = _commitment_texts()
    tagged = sorted(complaint.commitment_tags.values_list("number", flat=True))
    actions = available_actions(request.user, complaint)
    bound = forms or {}
    rows = list(complaint.deadlines.all())
    case = centre.case_of(complaint)
    context = {
        "complaint": complaint,
        "deadlines": [deadline_view(d, now) for d in rows if d.phase in SHOP_PHASES],
        # The centre's own duties beside the shop's, with the case they belong to (SPEC §10).
        "centre_duties": [deadline_view(d, now) for d in rows if d.phase in CENTRE_PHASES],
        "centre_case": case,
        "centre_bureau": case.bureau.name_in(get_language() or "en") if case else "",
        "events": flags.events_seen_by(complaint, request.user),
        "evidence": complaint.evidence.all(),
        "action_forms": [(a, bound.get(a) or ActionForm(a, complaint=complaint)) for a in actions],
        "default_action": default_action(actions),
        "evidence_form": evidence_form or EvidenceForm(),
        "can_add_evidence": evidence.accepts_evidence(complaint),
        "show_names": request.user.role != Role.CONSUMER,
        "tags": [(n, texts.get(n, "")) for n in tagged],
        "tags_form": tags_form or CommitmentTagsForm(initial={"numbers": tagged}, texts=texts),
        "may_tag": pledges.may_tag(request.user, complaint),
    }
    return render(request, "web/complaint.html", context, status=status)


@login_required
def detail(request, complaint_id: int):
    return _render(request, _complaint(request, complaint_id))


@login_required
@require_POST
def act(request, complaint_id: int, action: str):
    complaint = _complaint(request, complaint_id)
    if action not in lifecycle.ACTIONS:
        raise Http404
    form = ActionForm(action, request.POST, complaint=complaint)
    if not form.is_valid():
        return _render(request, complaint, forms={action: form}, status=422)
    message = form.cleaned_data.get("message", "").strip()
    if (
        action in FINAL_ACTIONS
        and request.POST.get("confirm") != "1"
        and action in available_actions(request.user, complaint)
    ):
        return _confirm(request, complaint, action, form, message)
    try:
        with transaction.atomic():
            services.perform(
                complaint.pk, request.user, action, message, form.resolution, details=form.centre_details
            )
            # (The form offers it only while the centre is not already mediating.)
            if action == lifecycle.Action.DISPUTE and form.cleaned_data.get("ask_mediation"):
                services.perform(
                    complaint.pk,
                    request.user,
                    lifecycle.Action.ESCALATE,
                    _("Please ask the 12315 centre to mediate."),
                )
    except FieldError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return _render(request, complaint, forms={action: form}, status=422)
    except lifecycle.ActionForbidden:
        messages.error(request, _("Your role cannot take this action."))
        return _render(request, _complaint(request, complaint_id), status=403)
    except lifecycle.TransitionError:
        complaint = _complaint(request, complaint_id)
        messages.error(
            request,
            _("This action is no longer possible: the complaint is now “%(state)s”. Nothing was changed.")
            % {"state": complaint.get_state_display()},
        )
        return _render(request, complaint, status=409)
    except Conflict as exc:  # what the stored case rules out (transferred away meanwhile, notice sent)
        messages.error(request, str(exc))
        return _render(request, _complaint(request, complaint_id), status=409)
    messages.success(request, _("Done: %(action)s.") % {"action": _action_done(action)})
    return redirect("web:complaint", complaint.pk)


def _confirm(request, complaint, action: str, form, message: str):
    """Ask before a step that ends the complaint (when the page's dialog could not, without JavaScript):
    the same form again, with its values hidden and confirm=1."""
    question, consequences, yes_label = CONFIRMATIONS[action]
    return confirmation_page(
        request,
        question=question,
        subject=f"{complaint.reference} · {complaint.merchant.name}",
        consequences=consequences,
        message=message,
        hidden=[(name, value) for name, value in form.data.items() if name.startswith(f"{action}-")],
        yes_label=yes_label,
        back_url=reverse("web:complaint", args=[complaint.pk]),
    )


def _action_done(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@login_required
@require_POST
def add_evidence(request, complaint_id: int):
    complaint = _complaint(request, complaint_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence.attach_all(complaint, request.user, form.cleaned_data["files"])
        except FieldError as exc:
            form.add_error("files", exc.reason)
            if not evidence.accepts_evidence(complaint):  # the page shows no evidence form to carry it
                messages.error(request, exc.reason)
        except lifecycle.ActionForbidden:
            form.add_error("files", _("Your role cannot add evidence."))
        else:
            messages.success(request, _("Evidence added."))
            return redirect("web:complaint", complaint.pk)
    return _render(request, complaint, evidence_form=form, status=422)


@login_required
def download_evidence(request, complaint_id: int, evidence_id: int):
    complaint = _complaint(request, complaint_id)
    item = get_object_or_404(complaint.evidence, pk=evidence_id)
    return evidence.serve(item)


@login_required
@require_POST
def commitments(request, complaint_id: int):
    """Tag the complaint with the pledge commitments it alleges were broken: the ticked boxes are added, the
    cleared ones withdrawn, all or nothing."""
    complaint = _complaint(request, complaint_id)
    form = CommitmentTagsForm(request.POST, texts=_commitment_texts())
    if not form.is_valid():
        return _render(request, complaint, tags_form=form, status=422)
    wanted = set(form.cleaned_data["numbers"])
    tagged = set(complaint.commitment_tags.values_list("number", flat=True))
    try:
        with transaction.atomic():
            for number in sorted(wanted - tagged):
                pledges.tag(complaint.pk, request.user, number)
            for number in sorted(tagged - wanted):
                pledges.untag(complaint.pk, request.user, number)
    except lifecycle.ActionForbidden:
        if request.user.role == Role.CONSUMER:
            form.add_error(
                "numbers", _("The 12315 centre tagged this commitment; only the centre removes it.")
            )
            return _render(request, complaint, tags_form=form, status=403)
        raise PermissionDenied from None
    except Conflict:
        form.add_error("numbers", _("The complaint is finished; its commitments can no longer change."))
        return _render(request, complaint, tags_form=form, status=409)
    messages.success(request, _("The commitments alleged broken were saved."))
    return redirect("web:complaint", complaint.pk)
