"""What the deadline sweep tells (`deadlines.sweep`), written in the transaction of its claim.

- A reminder at 75 % of a window: the shop's staff and channels.
- A breach: the shop's 12315 coordinator and the regulator's channels, and whether the complaint went to
  the 12315 centre with it.
- A duty of the centre's own (SPEC §10): its reminder and its breach go to the centre's channels and
  officers, never the shop; so does the end of a mediation period, with the termination notice to send. The
  officers are the city-level ones and those of the bureau holding the matter, never another district's
  (SPEC §11).
Each notice links to the complaint's page and is stored untranslated (`notify.render`): a user reads it in
their language, the phase by its label and the rule by its name in that language; a channel that belongs to
nobody in Chinese and English.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.deadlines.rule_words import rule_text
from complaintdesk.notify import outbox, render

REMINDER = gettext_noop("Reminder: complaint %(ref)s, %(phase)s due %(due)s (%(rule)s).")
BREACH = gettext_noop("Complaint %(ref)s: deadline breached: %(phase)s, due %(due)s (%(rule)s).")
BREACH_ESCALATED = gettext_noop(
    "Complaint %(ref)s: deadline breached: %(phase)s, due %(due)s (%(rule)s). The complaint is now with the "
    "12315 centre."
)


CENTRE_REMINDER = gettext_noop("Reminder: %(ref)s, %(phase)s due %(due)s (%(rule)s).")
CENTRE_BREACH = gettext_noop("%(ref)s: the centre's deadline passed: %(phase)s, due %(due)s (%(rule)s).")
MEDIATION_ENDED = gettext_noop(
    "Complaint %(ref)s: the mediation period ended on %(due)s without agreement, so mediation is terminated "
    "(ground (5)). Send the termination notice to both parties by %(notice_due)s."
)


def _reference(deadline: Deadline) -> str:
    owner = deadline.complaint if deadline.complaint_id else deadline.matter
    return owner.reference


def _notice(text: str, deadline: Deadline, **values) -> dict:
    due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    return render.notice(
        text,
        {"ref": _reference(deadline), "due": due, **values},
        named={
            "phase": render.in_each_language(lambda: Phase(deadline.phase).label),
            # The default policy's rules are in the catalogue; a rule of the regulator's own keeps its name.
            "rule": render.in_each_language(lambda: rule_text(deadline.rule_label)),
        },
    )


def _send(event: str, key: str, targets, notice: dict, payload: dict, deadline: Deadline) -> None:
    subject, body = render.in_language(notice)
    outbox.enqueue(event, key, targets, subject, body, payload, _link(deadline), notice)


def _link(deadline: Deadline) -> str:
    if deadline.complaint_id:
        return reverse("web:complaint", args=[deadline.complaint_id])
    return reverse("web:matter", args=[deadline.matter_id])  # the console's page of a report or an enquiry


def _officers(deadline: Deadline):
    """The regulator's channels, and the officers who see the duty's complaint or matter: the city-level
    ones and those of the bureau that holds it (SPEC §11), never another district's."""
    return outbox.regulator_targets() + outbox.officer_targets(_bureau(deadline))


def _bureau(deadline: Deadline) -> int | None:
    """The bureau holding a duty's matter, or its complaint at the centre (one not there yet: the bureau in
    charge of its shop, as `centre.jurisdiction.in_bureau` counts it)."""
    if deadline.matter_id:
        return deadline.matter.bureau_id
    try:
        return deadline.complaint.centre_case.bureau_id
    except ObjectDoesNotExist:
        return deadline.complaint.merchant.jurisdiction_id


def reminder(deadline: Deadline, payload: dict) -> None:
    targets = outbox.shop_targets(deadline.complaint.merchant)
    _send("deadline_reminder", f"reminder:{deadline.pk}", targets, _notice(REMINDER, deadline), payload,
          deadline)  # fmt: skip


def breach(deadline: Deadline, escalated: bool, payload: dict) -> None:
    complaint = deadline.complaint
    targets = outbox.shop_targets(complaint.merchant, coordinators_only=True) + outbox.regulator_targets()
    notice = _notice(BREACH_ESCALATED if escalated else BREACH, deadline)
    _send("deadline_breach", f"breach:{deadline.pk}", targets, notice, payload, deadline)


def centre_reminder(deadline: Deadline, payload: dict) -> None:
    notice = _notice(CENTRE_REMINDER, deadline)
    _send(
        "centre_deadline_reminder", f"reminder:{deadline.pk}", _officers(deadline), notice, payload, deadline
    )


def centre_breach(deadline: Deadline, payload: dict) -> None:
    notice = _notice(CENTRE_BREACH, deadline)
    _send("centre_deadline_breach", f"breach:{deadline.pk}", _officers(deadline), notice, payload, deadline)


def mediation_ended(deadline: Deadline, payload: dict) -> None:
    """The worker terminated a mediation whose period passed: the officers send its notices."""
    notice_due = Deadline.objects.filter(
        complaint_id=deadline.complaint_id, phase=Phase.TERMINATION_NOTICE
    ).first()
    due = timezone.localtime(notice_due.due_at).strftime("%Y-%m-%d %H:%M") if notice_due else "–"
    notice = _notice(MEDIATION_ENDED, deadline, notice_due=due)
    _send(
        "mediation_terminated", f"mediation_end:{deadline.pk}", _officers(deadline), notice, payload, deadline
    )
