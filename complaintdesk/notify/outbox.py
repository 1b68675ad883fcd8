"""The notification outbox: written in the transaction of the change, delivered by the worker.

Guarantee: at least once, de-duplicated by id. A message is claimed by a conditional update that moves
its `next_attempt_at` one lease ahead; a worker killed while sending leaves it to be claimed again when the
lease ends. Receivers drop repeats by the id (webhook header, e-mail Message-ID).
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import Exists, F, Q
from django.utils import timezone

from complaintdesk.accounts.models import AlertNotices, Role, User
from complaintdesk.lib import sql
from complaintdesk.merchants.models import CoordinatorDesignation, Merchant
from complaintdesk.notify import render
from complaintdesk.notify.models import (
    SHOP_FAN_OUT,
    USER,
    USER_DIGEST,
    ChannelKind,
    Notification,
    NotificationChannel,
    OutboxMessage,
    OutboxStatus,
)
from complaintdesk.notify.transports import TRANSPORTS, PermanentError, TransientError

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# The daily digest e-mail (notify.digest) lists in-app notifications already there: it adds none of its own.
DIGEST_EVENT = "daily_digest"
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(
    event: str, dedupe_key: str, targets, subject: str, body: str, payload: dict, link: str = "", notice=None
) -> int:
    """Write one message per target; a second enqueue of the same (event key, target) adds nothing.

    `targets` are (kind, target, channel or None). `link` is the path of the page the message is about;
    `notice` its words untranslated (`render.notice`), for users to read in their language. Must run inside
    the caller's transaction.
    """
    now = timezone.now()
    rows = [
        OutboxMessage(
            channel=channel,
            kind=kind,
            target=target,
            dedupe_key=dedupe_key,
            event=event,
            subject=subject[:300],
            body=body,
            payload=payload,
            link=link,
            notice=notice or {},
            next_attempt_at=now,
        )  # fmt: skip
        for kind, target, channel in targets
    ]
    created = OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


sql.writes(OutboxMessage)  # at intake, without the query compiler (enqueue_for_shop)


def enqueue_for_shop(
    event: str, dedupe_key: str, merchant_id: int, subject: str, body: str, payload: dict, link: str = "",
    notice=None,
):  # fmt: skip
    """One row that the worker fans out to the shop's staff and channels (`fan_out`): what a hot path
    such as filing a complaint writes instead of looking the shop's targets up itself. Must run inside
    the caller's transaction; the dedupe key must be new (no conflict handling, unlike `enqueue`)."""
    sql.insert(
        [
            OutboxMessage(
                kind=SHOP_FAN_OUT, target=str(merchant_id), dedupe_key=dedupe_key, event=event,
                subject=subject[:300], body=body, payload=payload, link=link, notice=notice or {},
                next_attempt_at=timezone.now(),
            )
        ]
    )  # fmt: skip


def fan_out(message: OutboxMessage) -> None:
    """A shop fan-out row's messages, one per target of the shop, with its key: run again after a crash,
    it adds nothing (`enqueue` ignores repeats)."""
    try:
        merchant = Merchant.objects.get(pk=int(message.target))
    except (Merchant.DoesNotExist, ValueError) as exc:
        raise PermanentError(f"no shop {message.target!r}") from exc
    try:
        with transaction.atomic():
            enqueue(message.event, message.dedupe_key, shop_targets(merchant), message.subject, message.body,
                    message.payload, message.link, message.notice)  # fmt: skip
    except DatabaseError as exc:  # retried with backoff like a mail server that did not answer
        raise TransientError(f"fan-out: {exc}") from exc


def shop_targets(merchant, coordinators_only: bool = False):
    """A shop's configured channels, plus the e-mail of its staff (or only its coordinator)."""
    staff = merchant.staff.filter(is_active=True).exclude(email="")
    if coordinators_only:
        # The shop's designated 12315 coordinator; until it designates one, whoever holds the role. Not the
        # role alone: the user admin can still give or take the role without a designation.
        designated = CoordinatorDesignation.objects.filter(merchant=merchant, ended_at__isnull=True)
        staff = staff.filter(
            Q(pk__in=designated.values("user_id")) | Q(~Exists(designated), role=Role.MERCHANT_COORDINATOR)
        )
    targets = [(ChannelKind.EMAIL, u.email, None) for u in staff]
    targets += [(c.kind, c.target, c) for c in merchant.channels.filter(is_active=True)]
    return targets


def regulator_targets():
    return [(c.kind, c.target, c) for c in NotificationChannel.objects.filter(merchant=None, is_active=True)]


# `centre.models.BureauLevel.DISTRICT`, a layer above: a district bureau's officers hear of its own matters.
DISTRICT = "district"


def officer_targets(bureau_id: int | None = None):
    """The active regulator officers who see what the message is about, as their alert setting asks: now, in
    the daily digest, or not at all. `bureau_id`: the bureau that holds it (a complaint's or a matter's at
    the centre, the bureau in charge of an alert's shop; SPEC §11). A district bureau's officers hear of
    their own bureau's only; city-level officers and officers without a bureau of every bureau's. None: no
    district's (the city centre's)."""
    officers = User.objects.filter(role=Role.REGULATOR, is_active=True).exclude(
        alert_notices=AlertNotices.OFF
    )
    officers = officers.filter(~Q(bureau__level=DISTRICT) | Q(bureau_id=bureau_id))
    kinds = {AlertNotices.IMMEDIATELY: USER, AlertNotices.DAILY_DIGEST: USER_DIGEST}
    return [(kinds[o.alert_notices], str(o.pk), None) for o in officers.order_by("pk")]


def user_target(user):
    """A user's notice: in-app, and by e-mail when they have an address."""
    return (USER, str(user.pk), None)


def due_messages(now):
    """Messages to send now: a range scan on the partial index `outbox_due_work`."""
    return OutboxMessage.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at")


def due_message_ids(now, limit: int = 100) -> list:
    return list(due_messages(now).values_list("id", flat=True)[:limit])


def claim(message_id, now) -> OutboxMessage | None:
    """Take the message for one lease; None when another worker has it or it is done."""
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return None
    return OutboxMessage.objects.select_related("channel").get(pk=message_id)


def deliver(message_id, now=None) -> str | None:
    """Claim and send one message; record the result. Returns the new status, or None if not claimed."""
    now = now or timezone.now()
    message = claim(message_id, now)
    if message is None:
        return None
    if message.channel is not None and not message.channel.is_active:
        return _finish(message, OutboxStatus.FAILED, f"channel disabled: {message.channel.disabled_reason}")
    try:
        if message.kind == SHOP_FAN_OUT:
            fan_out(message)
        elif message.kind in (USER, USER_DIGEST):
            to_user(message)
        elif message.kind == ChannelKind.EMAIL and message.event != DIGEST_EVENT:
            to_address(message)
        else:
            TRANSPORTS[message.kind].notify(message)
    except PermanentError as exc:
        if message.channel is not None:
            NotificationChannel.objects.filter(pk=message.channel_id).update(
                is_active=False, disabled_reason=str(exc)[:300]
            )
        return _finish(message, OutboxStatus.FAILED, str(exc))
    except TransientError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(message, OutboxStatus.FAILED, f"gave up after {message.attempts} attempts: {exc}")
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.PENDING,
            next_attempt_at=timezone.now() + backoff(message.attempts),
            last_error=str(exc),
        )
        return OutboxStatus.PENDING
    return _finish(message, OutboxStatus.SENT, "")


def in_app(users, message, digest: bool = False) -> None:
    """Each user's in-app row for the message, in their language; none added when delivered again."""
    for user in users:
        title, body = render.in_language(message.notice, render.language_of(user)) if message.notice else (
            message.subject, message.body
        )  # fmt: skip
        Notification.objects.get_or_create(
            user=user, source=message.id,
            defaults={"title": title[:300], "body": body, "link": message.link, "in_digest": digest},
        )  # fmt: skip


def to_user(message) -> None:
    """In-app first, then the e-mail (USER) in the user's language; a USER_DIGEST row waits for the digest."""
    user = User.objects.filter(pk=int(message.target), is_active=True).first()
    if user is None:
        return  # gone or deactivated since: nobody to tell
    in_app([user], message, digest=message.kind == USER_DIGEST)
    if message.kind == USER and user.email:
        TRANSPORTS["email"].notify(message, to=user.email, language=render.language_of(user))


def to_address(message) -> None:
    """An e-mail to an address: the users of that address also see it in-app, and it is written in their
    language (the first one's, if several share it); an address of nobody's reads in every language."""
    users = list(User.objects.filter(email__iexact=message.target, is_active=True).order_by("pk"))
    in_app(users, message)
    TRANSPORTS["email"].notify(message, language=render.language_of(users[0]) if users else "")


def _finish(message, status, error: str) -> str:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=status,
            last_error=error,
            sent_at=timezone.now() if status == OutboxStatus.SENT else None,
            next_attempt_at=None,
        )
    if status == OutboxStatus.FAILED:
        log.warning("notification %s to %s failed for good: %s", message.pk, message.target, error)
    return status
