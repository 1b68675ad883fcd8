from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib.errors import AppendOnlyError


class PromotionType(models.TextChoices):
    DOUBLE_11 = "double_11", _("Double 11 (11.11)")
    DOUBLE_12 = "double_12", _("Double 12 (12.12)")
    SIX_EIGHTEEN = "618", _("618 (June 18)")
    ANNIVERSARY = "anniversary", _("Shop anniversary")
    OTHER = "other", _("Other")


class FilingState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")


class FilingAction(models.TextChoices):
    FILE = "file", _("Filed")
    AMEND = "amend", _("Amended")
    ATTACH_PLAN = "attach_plan", _("Attached the emergency plan (PDF)")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned for changes")
    RESUBMIT = "resubmit", _("Resubmitted")


def plan_path(instance: "Promotion", filename: str) -> str:
    return f"promotion-plans/{instance.pk}/{instance.plan_sha256[:16]}.pdf"


class Promotion(models.Model):
    """A shop's filing of a large promotion with its customer-service emergency plan (SPEC §4)."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="promotions", verbose_name=_("merchant")
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=PromotionType.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    expected_orders = models.PositiveBigIntegerField(_("expected orders"))
    peak_hour_orders = models.PositiveBigIntegerField(_("orders at the peak hour"))
    staff_per_shift = models.PositiveIntegerField(_("customer-service staff per shift"))
    avg_handling_minutes = models.DecimalField(
        _("average handling time (minutes)"), max_digits=7, decimal_places=2
    )
    emergency_plan = models.TextField(_("emergency plan"), max_length=20000)
    contacts = models.JSONField(_("escalation contacts"), default=list)
    state = models.CharField(
        _("state"), max_length=12, choices=FilingState.choices, default=FilingState.SUBMITTED
    )
    late = models.BooleanField(_("filed late"), default=False)
    lead_working_days = models.PositiveSmallIntegerField(_("lead time (working days)"))
    due_by = models.DateTimeField(_("on time if filed by"))
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("review comment"), max_length=5000, blank=True)
    # The staffing check as computed at filing or at the last amendment (`staffing.StaffingCheck`): the
    # verdict the regulator reviewed, not one that drifts as complaints come in.
    staffing = models.JSONField(default=dict, verbose_name=_("staffing"))
    meets_staffing_target = models.BooleanField(default=False, verbose_name=_("meets staffing target"))
    plan_file = models.FileField(
        upload_to=plan_path, max_length=300, blank=True, verbose_name=_("plan (PDF)")
    )
    plan_name = models.CharField(max_length=255, blank=True, verbose_name=_("plan file name"))
    plan_size = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("plan size (bytes)"))
    plan_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("plan SHA-256"))
    plan_uploaded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("plan uploaded at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("promotion filing")
        verbose_name_plural = _("promotion filings")
        indexes = [
            # Linking complaints to a filing and the unfiled-promotion detector look up by shop and period.
            models.Index(fields=["merchant", "starts_at"]),
            models.Index(fields=["state", "-filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="promotion_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.merchant})"


class PromotionEvent(models.Model):
    """The filing's log: one row per step, written in the step's transaction; never updated."""

    promotion = models.ForeignKey(
        Promotion, on_delete=models.PROTECT, related_name="events", verbose_name=_("promotion")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("actor")
    )
    actor_role = models.CharField(max_length=24, verbose_name=_("actor's role"))
    action = models.CharField(max_length=20, choices=FilingAction.choices, verbose_name=_("action"))
    from_state = models.CharField(max_length=12, blank=True, verbose_name=_("from state"))
    to_state = models.CharField(max_length=12, blank=True, verbose_name=_("to state"))
    message = models.TextField(blank=True, verbose_name=_("message"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("promotion event")
        verbose_name_plural = _("promotion events")

    def __str__(self) -> str:
        return f"{self.promotion} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("filing events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("filing events are append-only")


class FilingPolicy(models.Model):
    """The regulator's settings for filings, the staffing check and the unfiled-promotion detector: one row,
    edited in the admin (like the deadline policy, data rather than code)."""

    lead_working_days = models.PositiveSmallIntegerField(
        _("lead time in working days"), default=3, validators=[MaxValueValidator(60)],
        help_text=_("A filing later than this many working days of the shop before the start is late."),
    )  # fmt: skip
    staffing_target = models.DecimalField(
        _("staffing target"), max_digits=5, decimal_places=4, default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("Share of complaints that must get their first response within the window."),
    )  # fmt: skip
    default_complaints_per_order = models.DecimalField(
        _("default complaints per order"), max_digits=9, decimal_places=7, default=Decimal("0.001"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Used when the shop's past filings cover fewer orders than the minimum below."),
    )  # fmt: skip
    min_history_orders = models.PositiveIntegerField(
        _("minimum orders of history"), default=10000,
        help_text=_("Past filings must have expected at least this many orders for the shop's own rate."),
    )  # fmt: skip
    surge_min_complaints = models.PositiveIntegerField(
        _("surge: minimum complaints"), default=5,
        help_text=_("A sale period raises an unfiled-promotion alert only from this many complaints."),
    )  # fmt: skip
    surge_p_value = models.FloatField(
        _("surge: Poisson tail below"), default=0.001,
        validators=[MinValueValidator(1e-12), MaxValueValidator(0.5)],
    )  # fmt: skip
    baseline_days = models.PositiveSmallIntegerField(
        _("surge: baseline days before the sale"), default=56, validators=[MinValueValidator(7)]
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("filing policy")
        verbose_name_plural = _("filing policy")

    def __str__(self) -> str:
        return "Filing policy"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "FilingPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class SalePeriod(models.Model):
    """A well-known sale period (Double 11, Double 12, 618): when its complaints arrive, and the names
    consumers call it by. A shop whose complaints jump inside one without a filing is flagged unfiled."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(_("name"), max_length=100)
    promotion_type = models.CharField(_("type"), max_length=20, choices=PromotionType.choices)
    aliases = models.CharField(
        _("names used by consumers"), max_length=500, blank=True, help_text=_("Comma-separated.")
    )
    start_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)], verbose_name=_("start month")
    )
    start_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)], verbose_name=_("start day")
    )
    end_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)], verbose_name=_("end month")
    )
    end_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)], verbose_name=_("end day")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["start_month", "start_day"]
        verbose_name = _("sale period")
        verbose_name_plural = _("sale periods")

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, self.code, *(a.strip() for a in self.aliases.split(",") if a.strip())]

    def window(self, year: int, tz: str | None = None) -> tuple[datetime, datetime]:
        """[start, end) of the period that starts in `year`: local midnights in the regulator's zone; the
        end day is included, and a period that ends in an earlier month ends the next year."""
        zone = ZoneInfo(tz or settings.COMPLAINTDESK_TIME_ZONE)
        first = date(year, self.start_month, self.start_day)
        last = date(year, self.end_month, self.end_day)
        if last < first:
            last = date(year + 1, self.end_month, self.end_day)
        return (
            datetime.combine(first, time(0), zone),
            datetime.combine(last + timedelta(days=1), time(0), zone),
        )
