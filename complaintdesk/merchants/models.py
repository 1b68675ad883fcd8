import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.deadlines.calendar import parse_clock, parse_tz, parse_weekly_hours
from complaintdesk.lib.errors import AppendOnlyError
from complaintdesk.merchants.uscc import InvalidCreditCode, validate_credit_code

# What a shop publishes (SPEC §1), and what its history (ServiceInfoRevision) keeps: that and the time zone
# its hours are read in.
SERVICE_INFO_FIELDS = (
    "service_phone",
    "service_email",
    "service_chat_url",
    "returns_address",
    "service_hours",
)
HISTORY_FIELDS = (*SERVICE_INFO_FIELDS, "time_zone")
# Monday–Friday 09:00–18:00: the regulation's default customer-service hours.
DEFAULT_SERVICE_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}
WEEKDAYS = frozenset(str(day) for day in range(7))


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


def validate_countable_hours(value) -> tuple:
    """Hours are {"0".."6": [["HH:MM", "HH:MM"], ...]}, the shape BusinessCalendar takes (keys as strings);
    returns them parsed, one tuple of (open, close) minutes per weekday.

    The deadline calendar decides what can be counted in: `deadlines.services.calendar_for` builds the
    shop's calendar from these hours, and hours it refused would fail every complaint against the shop. Its
    own parsers judge each time and the whole week (overlaps too); this adds the string keys of the stored
    JSON and some working time in the week, and words the usual mistakes in the reader's language. Stored
    hours are counted in when they pass this (`deadlines.services.working_time_of`).
    """
    if not isinstance(value, dict):
        raise ValidationError(_("Service hours must map weekdays 0–6 to lists of [start, end] times."))
    for day, intervals in value.items():
        if str(day) not in WEEKDAYS:
            raise ValidationError(_("Unknown weekday %(day)s (Monday is 0, Sunday 6)."), params={"day": day})
        if not isinstance(intervals, list | tuple):
            raise ValidationError(_("Weekday %(day)s must have a list of intervals."), params={"day": day})
        for interval in intervals:
            if not (isinstance(interval, list | tuple) and len(interval) == 2):
                raise ValidationError(_("Each interval must be [start, end]."))
            start, end = (_clock_minutes(part) for part in interval)
            if start >= end:
                raise ValidationError(
                    _("The interval %(start)s–%(end)s ends before it starts."),
                    params={"start": interval[0], "end": interval[1]},
                )
    try:
        # The parser, not the constructor: a BusinessCalendar registers its configuration in the shared
        # cache of year blocks, which checking whatever a request sends should not churn.
        weekly = parse_weekly_hours({int(day): intervals for day, intervals in value.items()})
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if not any(weekly):
        # `deadlines.policy` counts working hours and working days in these hours: in a week without any,
        # `add_working_time` refuses ("no working time after …") and `end_of_nth_working_day` gives up
        # after ten years of days, so filing against the shop would fail and no deadline could ever run.
        raise ValidationError(_("Publish the hours of at least one day."))
    return weekly


def validate_service_hours(value) -> None:
    """The hours a shop may publish: countable (above) and those a real customer-service team keeps, at
    least SERVICE_HOURS_MIN_DAYS days a week with SERVICE_HOURS_MIN_HOURS_PER_DAY hours each (the
    regulator's settings). One minute on a Sunday night made every working-hours deadline of the shop
    run for years."""
    weekly = validate_countable_hours(value)
    days, hours = settings.SERVICE_HOURS_MIN_DAYS, settings.SERVICE_HOURS_MIN_HOURS_PER_DAY
    staffed = sum(1 for intervals in weekly if sum(end - start for start, end in intervals) >= hours * 60)
    if staffed < days:
        raise ValidationError(
            _(
                "Customer-service hours must cover at least %(days)s days a week with at least %(hours)s "
                "hours each; these cover %(staffed)s."
            ),
            params={"days": days, "hours": hours, "staffed": staffed},
        )


def _clock_minutes(text) -> int:
    try:
        # "24:00" is let through at either end: as a start it then ends before it starts, so it is refused
        # as the calendar refuses it.
        return parse_clock(text, "service_hours", may_be_24=True)
    except ValueError:
        raise ValidationError(_("%(t)s is not a HH:MM time."), params={"t": text}) from None


def validate_time_zone(value: str) -> None:
    """A zone the shop's calendar can load (its own parser decides): its hours are wall-clock times there."""
    try:
        parse_tz(value)
    except ValueError:
        raise ValidationError(
            _("Unknown time zone %(zone)s: use an IANA name such as Asia/Shanghai."), params={"zone": value}
        ) from None


_PHONE = re.compile(r"\+?[0-9(][0-9 ()\-]*[0-9]")


def validate_phone(value: str) -> None:
    """A phone number as shops print it: 400-820-8820, (021) 6123 4567, +86 138 0013 8000."""
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.fullmatch(value) or not 5 <= digits <= 20:
        raise ValidationError(
            _("%(value)s is not a phone number: use 5–20 digits with spaces, dashes, brackets, a leading +."),
            params={"value": value},
        )


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
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.COMPLAINTDESK_TIME_ZONE,
        validators=[validate_time_zone],
    )
    # Published customer-service information (SPEC §1: public in the directory). Changed through
    # `profile.publish_service_info`, which keeps every version in ServiceInfoRevision.
    service_phone = models.CharField(
        _("customer-service phone"), max_length=32, blank=True, validators=[validate_phone]
    )
    service_email = models.EmailField(_("customer-service e-mail"), blank=True)
    service_chat_url = models.URLField(_("online customer-service chat"), max_length=500, blank=True)
    returns_address = models.TextField(_("address for returns"), max_length=500, blank=True)
    service_info_published_at = models.DateTimeField(
        _("service information published"), null=True, blank=True
    )
    # When the hours and zone above took effect: a complaint received before counts in those of the
    # ServiceInfoRevision in force then (`working_time_at`). None: since the shop was created, or changed
    # before 2026-12 when a change still moved every open deadline onto the new hours.
    working_time_since = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("working time since")
    )
    # Jurisdiction (SPEC §11): the registered address and its district's bureau. A shop without a published,
    # reachable address goes to the bureau where its platform is registered (`centre.PlatformSeat`).
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    registered_district = models.ForeignKey(
        "centre.Bureau",
        verbose_name=_("registered district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_shops",
        help_text=_("The district bureau of the shop's registered address."),
    )
    address_unreachable = models.BooleanField(
        _("address unreachable"),
        default=False,
        help_text=_(
            "Letters to the registered address come back: the shop is handled where its platform is."
        ),
    )
    # Derived from the three above and the platform's seat (`centre.jurisdiction`), kept on the row so that
    # every bureau-scoped list filters one indexed column. NULL: the city centre.
    jurisdiction = models.ForeignKey(
        "centre.Bureau",
        verbose_name=_("bureau in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shops",
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        # The lists of shops page by name and id (`profile.BY_NAME`): a page walks this from the last one's end.
        indexes = [models.Index(fields=["name", "id"], name="merchant_by_name")]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        # The history fields as stored (Django's documented way to know what a save changes): the first
        # change of working time keeps them as the shop's first revision (`profile.record_revision`).
        instance = super().from_db(db, field_names, values)
        loaded = dict(zip(field_names, values, strict=True))
        instance.stored_service_info = {f: loaded[f] for f in HISTORY_FIELDS if f in loaded}
        return instance

    def clean(self):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        # "district": centre.BureauLevel.DISTRICT (the centre's models sit above the shops'). A shop is in a
        # district's charge: the city centre is where what no district takes goes, never a registration.
        if self.registered_district is not None and self.registered_district.level != "district":
            district = _("Choose a district bureau: the district of the registered address.")
            raise ValidationError({"registered_district": district})

    def working_time_at(self, at: datetime | None) -> tuple[dict, str]:
        """The service hours and time zone in force at `at`: a change of working time applies to complaints
        received after it, so that a shop cannot move its own running deadlines.

        1. From the last change on (`working_time_since`), or when no change is recorded: the current ones.
        2. Before it: those of the latest revision at or before `at`, else of the first one written (for a
           shop that changed its working time before publishing anything else, the one that keeps its
           hours as created: `profile.record_revision`).
        """
        if at is None or self.working_time_since is None or at >= self.working_time_since:
            return self.service_hours, self.time_zone
        revisions = ServiceInfoRevision.objects.filter(merchant=self)
        revision = (
            revisions.filter(changed_at__lte=at).order_by("-changed_at", "-id").first()
            or revisions.order_by("id").first()
        )
        if revision is None:
            return self.service_hours, self.time_zone
        return revision.service_hours, revision.time_zone or self.time_zone


class ServiceInfoRevision(models.Model):
    """One row per publication of a shop's customer-service information: what it said, what changed, who
    changed it and when. Never updated: the history of SPEC §1's published contacts."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="service_info_revisions", verbose_name=_("merchant")
    )
    service_phone = models.CharField(max_length=32, blank=True, verbose_name=_("service phone"))
    service_email = models.EmailField(blank=True, verbose_name=_("service email"))
    service_chat_url = models.URLField(max_length=500, blank=True, verbose_name=_("online chat link"))
    returns_address = models.TextField(max_length=500, blank=True, verbose_name=_("returns address"))
    service_hours = models.JSONField(default=dict, verbose_name=_("service hours"))
    # Set by the regulator, not published by the shop, but a shop's deadlines count in it as in its hours.
    time_zone = models.CharField(max_length=64, blank=True, verbose_name=_("time zone"))
    changed_fields = models.JSONField(default=list, verbose_name=_("changed fields"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["merchant", "-changed_at"])]
        verbose_name = _("service info revision")
        verbose_name_plural = _("service info revisions")

    def __str__(self) -> str:
        # In the current zone (the regulator's in the back office), not the stored UTC.
        return _("%(shop)s: service information of %(when)s") % {
            "shop": self.merchant,
            "when": f"{timezone.localtime(self.changed_at):%Y-%m-%d %H:%M}",
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("service-information revisions are append-only")
        super().save(*args, **kwargs)


class CoordinatorDesignation(models.Model):
    """The shop's 12315 coordinator over time (SPEC §1: one required per shop). The current designation is
    the one without an end; the constraint makes a second current one impossible, even under a race."""

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.PROTECT,
        related_name="coordinator_designations",
        verbose_name=_("merchant"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinator_designations",
        verbose_name=_("user"),
    )
    direct_phone = models.CharField(_("direct phone"), max_length=32, validators=[validate_phone])
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("designated by"),
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"],
                condition=models.Q(ended_at__isnull=True),
                name="one_coordinator_per_shop",
            )
        ]
        verbose_name = _("coordinator designation")
        verbose_name_plural = _("coordinator designations")

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.merchant}"
