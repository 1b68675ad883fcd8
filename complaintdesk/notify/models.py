import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


# An outbox row of this kind names a shop (target = its id): the worker turns it into one message per
# staff e-mail and channel of the shop (`outbox.fan_out`), so the change that enqueued it writes one row.
SHOP_FAN_OUT = "shop"
# A row of these kinds names a user (target = their id): an in-app notification in their language and, for
# USER, an e-mail now if they have an address; for USER_DIGEST, a line in their daily digest e-mail.
USER, USER_DIGEST = "user", "user_dgst"
OUTBOX_KINDS = [
    *ChannelKind.choices,
    (SHOP_FAN_OUT, _("A shop's staff and channels")),
    (USER, _("A user: in-app and e-mail")),
    (USER_DIGEST, _("A user: in-app and the daily digest")),
]


class NotificationChannel(models.Model):
    """Where a shop's (or, without a shop, the regulator's) notifications go."""

    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="channels",
        verbose_name=_("merchant"), help_text=_("Empty: the regulator's own channel."),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    target = models.CharField(_("e-mail address or URL"), max_length=500)
    secret = models.CharField(_("webhook signing secret"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change it tells about, delivered by the worker.

    Delivery is at least once: a worker that dies between sending and recording the result leaves the row
    to be sent again when its lease ends. Receivers de-duplicate by `id` (webhook header, e-mail Message-ID).
    """

    id = models.UUIDField(_("message ID"), primary_key=True, default=uuid.uuid4, editable=False)
    # Set for configured channels (webhook secret, disabling); a staff e-mail has only kind and target.
    channel = models.ForeignKey(
        NotificationChannel,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("channel"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OUTBOX_KINDS)
    # An address or URL, or the id of the shop or user the kind names.
    target = models.CharField(_("recipient"), max_length=500)
    # One message per (event, target): enqueueing the same event twice is a no-op.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    event = models.CharField(_("event"), max_length=40)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    payload = models.JSONField(_("payload"), default=dict)
    # The page the notice is about, as a path; e-mails carry it as an absolute link (SITE_URL).
    link = models.CharField(_("link"), max_length=300, blank=True)
    # What subject and body say, untranslated (`notify.render`), so each user reads it in their language;
    # empty: the subject and body as written.
    notice = models.JSONField(_("notice"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When to try next; NULL once sent or failed for good, so the worker's index holds only live rows.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "kind", "target"], name="outbox_unique_per_target")
        ]
        indexes = [
            # Used by `manage.py worker` (deliver): pending and expired-lease rows by due time. The condition is
            # IS NOT NULL rather than a status list: SQLite uses a partial index only when the query implies
            # its condition, and `next_attempt_at <= ?` implies IS NOT NULL whatever the parameters.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(next_attempt_at__isnull=False),
                name="outbox_due_work",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.kind}:{self.target}"


class Notification(models.Model):
    """What a signed-in user sees under the bell: one row per notice delivered to them (`outbox.deliver`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    # The outbox message it came from: delivering the message again adds no second row.
    source = models.UUIDField(_("outbox message"), null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Waiting for the user's daily digest e-mail (notify.digest); set when the digest is written.
    in_digest = models.BooleanField(_("in the daily digest"), default=False)
    digested_at = models.DateTimeField(_("digest written at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="notification_once_per_message")
        ]
        indexes = [
            # The bell's unread count, per user.
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The user's list, newest first, paged by (created_at, id) (lib.cursor): read in index order.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_newest"),
        ]

    def __str__(self) -> str:
        return self.title
