"""What the deadline sweep tells (`deadlines.sweep`), written in the transaction of its claim.

- A reminder at 75 % of a window: the shop's staff and channels.
- A breach: the shop's 12315 coordinator and the regulator's channels, and whether the complaint went to
  the 12315 centre with it.
Each notice links to the complaint's page and is stored untranslated (`notify.render`): a user reads it in
their language, the phase by its label and the rule by its name in that language; a channel that belongs to
nobody in Chinese and English.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.notify import outbox, render

REMINDER = gettext_noop("Reminder: complaint %(ref)s, %(phase)s due %(due)s (%(rule)s).")
BREACH = gettext_noop("Complaint %(ref)s: deadline breached: %(phase)s, due %(due)s (%(rule)s).")
BREACH_ESCALATED = gettext_noop(
    "Complaint %(ref)s: deadline breached: %(phase)s, due %(due)s (%(rule)s). The complaint is now with the "
    "12315 centre."
)


def _notice(text: str, deadline: Deadline) -> dict:
    due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    return render.notice(
        text,
        {"ref": deadline.complaint.reference, "due": due},
        named={
            "phase": render.in_each_language(lambda: Phase(deadline.phase).label),
            # The default policy's rules are in the catalogue; a rule of the regulator's own keeps its name.
            "rule": render.in_each_language(
                lambda: gettext(deadline.rule_label) if deadline.rule_label else ""
            ),
        },
    )


def _send(event: str, key: str, targets, notice: dict, payload: dict, deadline: Deadline) -> None:
    subject, body = render.in_language(notice)
    link = reverse("web:complaint", args=[deadline.complaint_id])
    outbox.enqueue(event, key, targets, subject, body, payload, link, notice)


def reminder(deadline: Deadline, payload: dict) -> None:
    targets = outbox.shop_targets(deadline.complaint.merchant)
    _send("deadline_reminder", f"reminder:{deadline.pk}", targets, _notice(REMINDER, deadline), payload,
          deadline)  # fmt: skip


def breach(deadline: Deadline, escalated: bool, payload: dict) -> None:
    complaint = deadline.complaint
    targets = outbox.shop_targets(complaint.merchant, coordinators_only=True) + outbox.regulator_targets()
    notice = _notice(BREACH_ESCALATED if escalated else BREACH, deadline)
    _send("deadline_breach", f"breach:{deadline.pk}", targets, notice, payload, deadline)
