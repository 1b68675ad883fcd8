"""The daily digest: one e-mail a day to each user whose notices wait for it (an officer's alert setting
"daily digest"), listing them with their links. Run by the worker on every pass; it writes at most one
digest per user and local day, from DIGEST_HOUR on.

Exactly once per user and day: the digest's outbox row has the key `digest:<user>:<day>`, inserted before
its notifications are marked; a second pass (or a second worker) finds the key taken and writes nothing,
and what arrived after the day's digest waits for the next day's.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from complaintdesk.notify import render
from complaintdesk.notify.models import ChannelKind, Notification, OutboxMessage
from complaintdesk.notify.outbox import DIGEST_EVENT

DIGEST_HOUR = 8  # local time: the day's digest is in the mailbox when the office opens
SUBJECT = gettext_noop("ComplaintDesk: %(count)s notices of the past day")


def run(now) -> int:
    """Write today's digest for each user with notices waiting; the number written."""
    local = timezone.localtime(now)
    cut = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if local < cut:
        return 0
    waiting = defaultdict(list)
    # What arrived before today's digest hour; what comes later waits for tomorrow's.
    pending = Notification.objects.filter(in_digest=True, digested_at__isnull=True, created_at__lt=cut)
    for notification in pending.select_related("user").order_by("created_at", "pk"):
        waiting[notification.user].append(notification)
    written = 0
    for user, notifications in waiting.items():
        written += _write(user, notifications, local.date(), now)
    return written


def _write(user, notifications, day, now) -> int:
    ids = [n.pk for n in notifications]
    if not user.email or not user.is_active:
        Notification.objects.filter(pk__in=ids).update(digested_at=now)  # in-app only
        return 0
    with translation.override(render.language_of(user)):
        subject = gettext(SUBJECT) % {"count": len(notifications)}
    body = "\n\n".join(f"{n.title}\n{render.absolute(n.link)}".strip() for n in notifications)
    try:
        with transaction.atomic():
            OutboxMessage.objects.create(
                kind=ChannelKind.EMAIL, target=user.email, dedupe_key=f"digest:{user.pk}:{day.isoformat()}",
                event=DIGEST_EVENT, subject=subject[:300], body=body, payload={"notifications": len(ids)},
                next_attempt_at=now,
            )  # fmt: skip
            Notification.objects.filter(pk__in=ids).update(digested_at=now)
    except IntegrityError:
        return 0  # today's digest is written already; these wait for tomorrow's
    return 1
