from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.merchants.uscc import InvalidCreditCode, validate_credit_code

# Monday–Friday 09:00–18:00: the regulation's default customer-service hours.
DEFAULT_SERVICE_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}


def default_service_hours():
    return {
        day: [list(interval) for interval in intervals] for day, intervals in DEFAULT_SERVICE_HOURS.items()
    }


def validate_credit_code_field(value: str) -> None:
    try:
        validate_credit_code(value)
    except InvalidCreditCode as exc:
        raise ValidationError(
            _("Invalid unified social credit code: %(reason)s"), params={"reason": exc}
        ) from None


def validate_service_hours(value) -> None:
    """Hours are {"0".."6": [["HH:MM", "HH:MM"], ...]}, the shape BusinessCalendar takes (keys as strings)."""
    if not isinstance(value, dict):
        raise ValidationError(_("Service hours must map weekdays 0–6 to lists of [start, end] times."))
    for day, intervals in value.items():
        if str(day) not in {str(d) for d in range(7)}:
            raise ValidationError(_("Unknown weekday %(day)s (Monday is 0, Sunday 6)."), params={"day": day})
        if not isinstance(intervals, list):
            raise ValidationError(_("Weekday %(day)s must have a list of intervals."), params={"day": day})
        for interval in intervals:
            if not (isinstance(interval, list | tuple) and len(interval) == 2):
                raise ValidationError(_("Each interval must be [start, end]."))
            start, end = (_parse_clock(part) for part in interval)
            if start >= end:
                raise ValidationError(_("Interval %(i)s ends before it starts."), params={"i": interval})


def _parse_clock(text) -> int:
    if text == "24:00":
        return 24 * 60
    try:
        parsed = time.fromisoformat(str(text))
    except ValueError:
        raise ValidationError(_("%(t)s is not a HH:MM time."), params={"t": text}) from None
    return parsed.hour * 60 + parsed.minute


class Platform(models.TextChoices):
    OWN_SITE = "own_site", _("Own web shop")
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD.com")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin")
    OTHER = "other", _("Other platform")


class Merchant(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code_field]
    )
    shop_url = models.URLField(_("shop URL"), max_length=500, blank=True)
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, default=Platform.OWN_SITE
    )
    service_hours = models.JSONField(
        _("customer-service hours"),
        default=default_service_hours,
        validators=[validate_service_hours],
        help_text=_(
            'Weekday (Monday = 0) to intervals, e.g. {"0": [["09:00", "18:00"]]}. Deadline calendar.'
        ),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.COMPLAINTDESK_TIME_ZONE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
