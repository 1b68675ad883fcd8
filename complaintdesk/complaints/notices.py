"""Who hears about what happens to a complaint, written in the transaction of the change (`notify.outbox`).

- A new complaint: the shop at once (its staff's e-mail and its channels), since its first response is
  due within hours (SPEC §3). One fan-out row, so filing stays cheap.
- What the shop or the regulator does that the consumer must know about or answer (a question, a
  proposed resolution, an answer, the 12315 centre stepping in, closing): the consumer's e-mail.
- What the consumer does (answers, accepts, disputes, withdraws, asks the centre for help), and the
  regulator's steps: the shop. Shop notices carry no free text of the consumer's: the shop reads it on
  the complaint page, behind its login, not in a mailbox.
Each notice links to the complaint's page and is stored untranslated (`notify.render`): a user reads it in
their language (in-app and e-mail); a shop's channel that belongs to nobody in Chinese and English.
Reminders and breaches are the deadline sweep's (`deadlines.sweep`). The 12315 centre's decisions
(acceptance, refusal, agreement, termination) are letters (`centre.letters`, written by `complaints.centre`):
here only what the centre does besides (a transfer, testing) and the shop's word of a refusal, whose letter
goes to the consumer alone.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaintdesk.accounts.models import Role
from complaintdesk.centre.models import Bureau
from complaintdesk.complaints.lifecycle import SYSTEM, Action
from complaintdesk.notify import outbox, render

# What the consumer is told, by action; %(who)s is the shop or the 12315 centre. The words of the one who
# acted follow on their own line, as they were written.
TO_CONSUMER = {
    Action.RESPOND: gettext_noop("%(who)s answered your complaint %(ref)s."),
    Action.REPLY: gettext_noop("%(who)s answered your complaint %(ref)s."),
    Action.REQUEST_INFO: gettext_noop("%(who)s asks you for more information about complaint %(ref)s."),
    Action.PROPOSE_RESOLUTION: gettext_noop(
        "%(who)s proposes a resolution of complaint %(ref)s: please accept or dispute it."
    ),
    Action.ESCALATE: gettext_noop("Your complaint %(ref)s is now with the 12315 centre."),
    Action.CLOSE: gettext_noop("Your complaint %(ref)s is closed."),
    Action.TRANSFER: gettext_noop(
        "Your complaint %(ref)s was transferred to %(bureau)s, which now decides whether to accept it."
    ),
    Action.PAUSE_FOR_TESTING: gettext_noop(
        "Mediation of your complaint %(ref)s waits for testing or appraisal; that time does not count."
    ),
    Action.RESUME_AFTER_TESTING: gettext_noop("Mediation of your complaint %(ref)s goes on after testing."),
}
# What the shop is told, by action.
TO_SHOP = {
    Action.PROVIDE_INFO: gettext_noop("The consumer answered your question on complaint %(ref)s."),
    Action.ACCEPT: gettext_noop("The consumer accepted the proposed resolution of complaint %(ref)s."),
    Action.DISPUTE: gettext_noop("The consumer disputed the proposed resolution of complaint %(ref)s."),
    Action.WITHDRAW: gettext_noop("The consumer withdrew complaint %(ref)s."),
    Action.ESCALATE: gettext_noop("Complaint %(ref)s is now with the 12315 centre."),
    Action.REQUEST_INFO: gettext_noop(
        "The 12315 centre asked the consumer for more information on complaint %(ref)s."
    ),
    Action.PROPOSE_RESOLUTION: gettext_noop("The 12315 centre proposed a resolution of complaint %(ref)s."),
    Action.CLOSE: gettext_noop("The 12315 centre closed complaint %(ref)s."),
    Action.REFUSE_CASE: gettext_noop("The 12315 centre did not accept complaint %(ref)s: it is closed."),
    Action.TRANSFER: gettext_noop("Complaint %(ref)s was transferred to %(bureau)s."),
    Action.PAUSE_FOR_TESTING: gettext_noop("Mediation of complaint %(ref)s waits for testing or appraisal."),
    Action.RESUME_AFTER_TESTING: gettext_noop("Mediation of complaint %(ref)s goes on after testing."),
}
FILED = gettext_noop("New complaint %(ref)s against %(shop)s (%(category)s): the first deadline is %(due)s.")
SHOP, CENTRE = gettext_noop("The shop"), gettext_noop("The 12315 centre")


def _link(complaint) -> str:
    return reverse("web:complaint", args=[complaint.pk])


# Demo data and back-office records of what happened long ago are written with past times: nobody is told.
HISTORY = timedelta(hours=1)


def is_history(when) -> bool:
    return when < timezone.now() - HISTORY


def worth_telling(deadlines) -> bool:
    """A new complaint is news while one of its deadlines is still ahead (a back-office entry of a call
    taken hours ago included); a record of long ago, or one the policy gives no deadline, is not."""
    return any(not is_history(d.due_at) for d in deadlines)


def filed(complaint, deadlines) -> None:
    """Tell the shop about a new complaint and its first deadline (inside the filing's transaction)."""
    due = timezone.localtime(min(d.due_at for d in deadlines)).strftime("%Y-%m-%d %H:%M")
    values = {"ref": complaint.reference, "shop": complaint.merchant.name, "due": due}
    category = complaint.category
    notice = render.notice(
        FILED, values, named={"category": {"zh-hans": category.name_zh, "en": category.name_en}}
    )
    subject, body = render.in_language(notice)
    payload = _payload(complaint, deadlines={d.phase: d.due_at.isoformat() for d in deadlines})
    outbox.enqueue_for_shop("complaint_filed", f"filed:{complaint.pk}", complaint.merchant_id, subject, body,
                            payload, _link(complaint), notice)  # fmt: skip


def action_taken(complaint, event) -> None:
    """Tell whoever must know about an action on the complaint (inside the action's transaction)."""
    action, role = event.action, event.actor_role
    values = {"ref": complaint.reference}
    named = _named(event)
    key = f"event:{event.pk}"
    payload = _payload(complaint, action=action, by=role)
    link = _link(complaint)
    # The consumer in-app, and by e-mail when they gave one, in their language.
    if role != Role.CONSUMER and action in TO_CONSUMER and complaint.consumer_id:
        who = CENTRE if role in (Role.REGULATOR, SYSTEM) else SHOP
        notice = render.notice(
            TO_CONSUMER[action], values, translated={"who": who}, named=named, note=event.message
        )
        subject, body = render.in_language(notice)
        targets = [outbox.user_target(complaint.consumer)]
        outbox.enqueue(f"complaint_{action}", key, targets, subject, body, payload, link, notice)
    if action in TO_SHOP and role in (Role.CONSUMER, Role.REGULATOR):
        notice = render.notice(TO_SHOP[action], values, named=named)
        subject, body = render.in_language(notice)
        outbox.enqueue_for_shop(f"complaint_{action}", key, complaint.merchant_id, subject, body, payload, link,
                                notice)  # fmt: skip


def _named(event) -> dict:
    """The values of a notice that have a name in each language: the bureau a transfer sent it to."""
    bureau_id = (event.data or {}).get("bureau") if event.action == Action.TRANSFER else None
    bureau = Bureau.objects.filter(pk=bureau_id).first() if bureau_id else None
    return {"bureau": {"zh-hans": bureau.name_zh, "en": bureau.name_en}} if bureau else {}


def _payload(complaint, **extra) -> dict:
    return {"complaint": complaint.pk, "reference": complaint.reference, "state": complaint.state, **extra}
