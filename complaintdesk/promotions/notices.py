"""Who hears about a promotion filing, written in the transaction of the step (`notify.outbox`).

- A filing, or a returned filing sent back: the regulator's channels, in Chinese and English (they belong
  to nobody in particular); a resubmission carries the shop's words as they were written.
- The regulator's review: the shop's staff and channels, each user in their language; a return carries
  the officer's comment, which says what to change.
Each notice links to the filing's page and is stored untranslated (`notify.render`).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from complaintdesk.notify import outbox, render
from complaintdesk.promotions.models import FilingAction

FILED = gettext_noop("%(shop)s filed the promotion %(promotion)s (%(start)s to %(end)s).")
FILED_LATE = gettext_noop(
    "%(shop)s filed the promotion %(promotion)s (%(start)s to %(end)s) late: it was due by %(due)s."
)
RESUBMITTED = gettext_noop("%(shop)s resubmitted the promotion filing %(promotion)s for review.")
REVIEWED = {
    FilingAction.ACCEPT: gettext_noop("The 12315 centre accepted your promotion filing %(promotion)s."),
    FilingAction.RETURN: gettext_noop(
        "The 12315 centre returned your promotion filing %(promotion)s: amend it as asked and resubmit it."
    ),
}


def _day(instant) -> str:
    return f"{timezone.localtime(instant):%Y-%m-%d}"


def _send(event: str, key: str, targets, notice: dict, payload: dict, promotion) -> None:
    subject, body = render.in_language(notice)
    link = reverse("web:filing", args=[promotion.pk])
    outbox.enqueue(event, key, targets, subject, body, payload, link, notice)


def filed(promotion) -> None:
    """Tell the regulator about a new filing, and whether it came late."""
    values = {
        "shop": promotion.merchant.name,
        "promotion": promotion.name,
        "start": _day(promotion.starts_at),
        "end": _day(promotion.ends_at),
        "due": _day(promotion.due_by),
    }
    notice = render.notice(FILED_LATE if promotion.late else FILED, values)
    payload = {"promotion": promotion.pk, "merchant": promotion.merchant_id, "late": promotion.late}
    _send("promotion_filed", f"promotion:{promotion.pk}:filed", outbox.regulator_targets(), notice, payload,
          promotion)  # fmt: skip


def resubmitted(promotion, message: str, now) -> None:
    """Tell the regulator that a returned filing is back for review, with the shop's words."""
    values = {"shop": promotion.merchant.name, "promotion": promotion.name}
    notice = render.notice(RESUBMITTED, values, note=message)
    payload = {"promotion": promotion.pk, "merchant": promotion.merchant_id}
    _send("promotion_resubmitted", f"promotion:{promotion.pk}:resubmitted:{now.isoformat()}",
          outbox.regulator_targets(), notice, payload, promotion)  # fmt: skip


def reviewed(promotion, decision: str, comment: str, now) -> None:
    """Tell the shop the regulator's decision, with the officer's comment."""
    notice = render.notice(REVIEWED[decision], {"promotion": promotion.name}, note=comment)
    payload = {"promotion": promotion.pk, "state": promotion.state}
    _send(f"promotion_{decision}", f"promotion:{promotion.pk}:{decision}:{now.isoformat()}",
          outbox.shop_targets(promotion.merchant), notice, payload, promotion)  # fmt: skip
