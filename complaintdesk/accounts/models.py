import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib import sql


class Role(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    MERCHANT_AGENT = "merchant_agent", _("Merchant agent")
    MERCHANT_COORDINATOR = "merchant_coordinator", _("Merchant 12315 coordinator")
    REGULATOR = "regulator", _("Regulator officer")


class AlertNotices(models.TextChoices):
    IMMEDIATELY = "immediate", _("Immediately")
    DAILY_DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("Off")


MERCHANT_ROLES = frozenset({Role.MERCHANT_AGENT, Role.MERCHANT_COORDINATOR})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.CONSUMER)
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Required for merchant agents and coordinators; empty for everyone else."),
    )
    # Officers only: the bureau they work at (SPEC §11). A district bureau's officers see its matters and
    # shops only; a city-level bureau's (or an officer without one) see every bureau's.
    bureau = models.ForeignKey(
        "centre.Bureau",
        verbose_name=_("bureau"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text=_("Regulator officers only: the bureau they work at. Empty: the city centre."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The language of the notices the user receives (e-mail and in-app): the one they last chose in the web,
    # or their browser's at sign-up; empty means the site's default (LANGUAGE_CODE).
    language = models.CharField(
        _("language of notices"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # Officers only: how alerts reach them (notify.outbox.officer_targets).
    alert_notices = models.CharField(
        _("alert notices"), max_length=10, choices=AlertNotices.choices, default=AlertNotices.IMMEDIATELY
    )

    def clean(self):
        super().clean()
        if self.role in MERCHANT_ROLES and self.merchant_id is None:
            raise ValidationError({"merchant": _("Merchant staff must belong to a shop.")})
        if self.role not in MERCHANT_ROLES and self.merchant_id is not None:
            raise ValidationError({"merchant": _("Only merchant staff belong to a shop.")})
        if self.role != Role.REGULATOR and self.bureau_id is not None:
            raise ValidationError({"bureau": _("Only regulator officers belong to a bureau.")})

    # A token speaks for the account as it was when issued: a new password (or none: set_unusable_password),
    # deactivation, or another role or shop revokes all of the user's tokens.
    # Compared with the stored row, so every way of saving counts (forms, admin, commands). Like Django's
    # sessions, which hang on the password hash too, a hash upgrade at login (new hasher settings) counts
    # as a new password.
    TOKEN_BOUND_FIELDS = ("password", "is_active", "role", "merchant_id")

    def save(self, *args, **kwargs):
        # The admin is the regulator's back office (accounts.backends): every officer reaches it, and
        # nobody else but a superuser.
        self.is_staff = self.is_superuser or self.role == Role.REGULATOR
        update_fields = kwargs.get("update_fields")
        watched = not self._state.adding and (
            update_fields is None or {"merchant", *self.TOKEN_BOUND_FIELDS} & set(update_fields)
        )
        with transaction.atomic():
            stored = (
                User.objects.filter(pk=self.pk).values(*self.TOKEN_BOUND_FIELDS).first() if watched else None
            )
            super().save(*args, **kwargs)
            if stored and any(stored[name] != getattr(self, name) for name in self.TOKEN_BOUND_FIELDS):
                ApiToken.revoke_all(self)

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER

    @property
    def is_merchant_staff(self) -> bool:
        return self.role in MERCHANT_ROLES

    @property
    def is_regulator(self) -> bool:
        return self.role == Role.REGULATOR


class TokenRefused(Exception):
    """A bearer token we issued that may no longer be used; the message (for the client's 401) says why."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # An unnamed token by its day of issue in the current zone (the regulator's in the back office).
        return f"{self.user} · {self.name or f'{timezone.localtime(self.created_at):%Y-%m-%d}'}"

    @property
    def expires_at(self) -> datetime:
        """API_TOKEN_DAYS after issue, counted when used: a shorter setting applies to every token at once."""
        return self.created_at + timedelta(days=settings.API_TOKEN_DAYS)

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=hash_token(raw), name=name), raw

    @classmethod
    def revoke_all(cls, user: User) -> None:
        cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        """The token's user; None for a token we never issued (or an inactive user); TokenRefused, saying
        why, for one that was revoked or has expired."""
        # Every API request passes here: read without the ORM's query compiler (lib.sql says why).
        token = sql.select_one(cls, "key_hash = %s", [hash_token(raw)])
        if token is None:
            return None
        now = timezone.now()
        if token.revoked_at is not None:
            raise TokenRefused(
                gettext(
                    "this token was revoked (signed out, or the account's password, role, shop or active "
                    "status changed); get a new one from POST /api/v1/auth/token"
                )
            )
        if now >= token.expires_at:
            raise TokenRefused(
                gettext(
                    "this token expired at %(when)s (tokens last %(days)s days); get a new one from "
                    "POST /api/v1/auth/token"
                )
                % {
                    "when": f"{token.expires_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
                    "days": settings.API_TOKEN_DAYS,
                }
            )
        user = sql.select_one(User, "id = %s AND is_active", [token.user_id])
        if user is None:
            return None
        # Write the last-use time at most once a minute: a write per request would serialise SQLite.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return user


class RateCounter(models.Model):
    """One fixed window of one rate limit for one key (an account or a hashed address); see ratelimit.py.

    A row per window, counted up by a conditional UPDATE, so several web processes share the limit."""

    scope = models.CharField(_("limit"), max_length=40)
    key = models.CharField(_("account or address key"), max_length=64)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ratecounter_unique_window")
        ]
        # ratelimit.hit() deletes the windows that ended, by this index.
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.window_start:%Y-%m-%d %H:%M} = {self.count}"
