import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib import sql


class Role(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    MERCHANT_AGENT = "merchant_agent", _("Merchant agent")
    MERCHANT_COORDINATOR = "merchant_coordinator", _("Merchant 12315 coordinator")
    REGULATOR = "regulator", _("Regulator officer")


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
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    def clean(self):
        super().clean()
        if self.role in MERCHANT_ROLES and self.merchant_id is None:
            raise ValidationError({"merchant": _("Merchant staff must belong to a shop.")})
        if self.role not in MERCHANT_ROLES and self.merchant_id is not None:
            raise ValidationError({"merchant": _("Only merchant staff belong to a shop.")})

    def save(self, *args, **kwargs):
        # The admin is the regulator's back office (accounts.backends): every officer reaches it, and
        # nobody else but a superuser.
        self.is_staff = self.is_superuser or self.role == Role.REGULATOR
        super().save(*args, **kwargs)

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER

    @property
    def is_merchant_staff(self) -> bool:
        return self.role in MERCHANT_ROLES

    @property
    def is_regulator(self) -> bool:
        return self.role == Role.REGULATOR


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=hash_token(raw), name=name), raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        # Every API request passes here: read without the ORM's query compiler (lib.sql says why).
        token = sql.select_one(cls, "key_hash = %s AND revoked_at IS NULL", [hash_token(raw)])
        user = token and sql.select_one(User, "id = %s AND is_active", [token.user_id])
        if user is None:
            return None
        now = timezone.now()
        # Write the last-use time at most once a minute: a write per request would serialise SQLite.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return user


class RateCounter(models.Model):
    """One fixed window of one rate limit for one key (an account or a hashed address); see ratelimit.py.

    A row per window, counted up by a conditional UPDATE, so several web processes share the limit."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="ratecounter_unique_window")
        ]
        # ratelimit.hit() deletes the windows that ended, by this index.
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.window_start:%Y-%m-%d %H:%M} = {self.count}"
