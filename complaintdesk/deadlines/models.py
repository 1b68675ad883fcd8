from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.choices import Channel, Kind


class Phase(models.TextChoices):
    # The shop's (SPEC §3).
    FIRST_RESPONSE = "first_response", _("First response")
    REPLY = "reply", _("Reply to a quality issue")
    RESOLUTION = "resolution", _("Resolution")
    # The 12315 centre's own duties (SPEC §10), from its rule versions (`centre.RuleVersion`).
    ACCEPTANCE = "acceptance", _("Decision to accept")
    MEDIATION = "mediation", _("Mediation")
    TERMINATION_NOTICE = "termination_notice", _("Notice of termination")
    REPORT_DECISION = "report_decision", _("Decision on a report")
    ENQUIRY_ANSWER = "enquiry_answer", _("Answer to an enquiry")
    # The consumer's window to rate a closed complaint: no duty, never reminded or breached.
    RATING = "rating", _("Rating window")


SHOP_PHASES = frozenset({Phase.FIRST_RESPONSE, Phase.REPLY, Phase.RESOLUTION})
CENTRE_PHASES = frozenset(
    {Phase.ACCEPTANCE, Phase.MEDIATION, Phase.TERMINATION_NOTICE, Phase.REPORT_DECISION, Phase.ENQUIRY_ANSWER}
)


class Clock(models.TextChoices):
    WALL = "wall", _("Wall clock")
    BUSINESS = "business", _("Working time")
    WORKING_DAYS = "working_days", _("End of the N-th working day after receipt")


class ClockChange(models.TextChoices):
    """What a lifecycle action does to a complaint's running deadlines besides meeting some (the
    complaint's `lifecycle.Transition` says which; `services.apply_effects` does it). Not stored."""

    PAUSE_RESOLUTION = "pause_resolution"
    RESUME_RESOLUTION = "resume_resolution"
    CANCEL = "cancel"
    # The centre's mediation period stops while testing or appraisal runs (SPEC §10, art. 20).
    PAUSE_MEDIATION = "pause_mediation"
    RESUME_MEDIATION = "resume_mediation"


class ReceivedIn(models.TextChoices):
    ANY = "any", _("Any time")
    WORKING_TIME = "working_time", _("In working time")
    OUTSIDE_WORKING_TIME = "outside_working_time", _("Outside working time")


class Policy(models.Model):
    """A named set of deadline rules. Exactly one policy is active; it applies to every new complaint."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    reminder_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("reminder at % of window"),
        default=75,
        help_text=_("The shop is reminded when this share has passed."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy"
            )
        ]
        verbose_name = _("policy")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Activating a policy retires the active one in the same transaction: there is never a moment
        without an active policy, which is why the active one cannot be deactivated by itself."""
        with transaction.atomic():
            if self.is_active:
                Policy.objects.filter(is_active=True).exclude(pk=self.pk).update(is_active=False)
            super().save(*args, **kwargs)

    def clean(self):
        # Every filing reads the active policy: without one no complaint can get its deadlines.
        if not self.is_active and self.pk and Policy.objects.filter(pk=self.pk, is_active=True).exists():
            raise ValidationError({"is_active": ACTIVE_POLICY_STAYS})

    def validate_constraints(self, exclude=None):
        # Saving an active policy retires the one active before (save), so "one active policy" holds
        # after the save: checking it before would refuse every change of policy.
        if self.is_active:
            exclude = {*(exclude or ()), "is_active"}
        super().validate_constraints(exclude=exclude)


ACTIVE_POLICY_STAYS = _(
    "This is the active policy: every new complaint takes its deadlines from it, so it cannot be "
    "deactivated or deleted. To change policies, tick “active” on another policy and save it; that one "
    "then replaces this one."
)


class PolicyRule(models.Model):
    """One rule: for complaints matching the condition, the phase is due after this duration on this clock.

    For each phase the first matching rule by `priority` (lowest first) wins; blank conditions match all.
    A rule belongs to a shops' policy or to one of the centre's rule versions (`centre.RuleVersion`, its
    legal time limits), never both.
    """

    policy = models.ForeignKey(
        Policy,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("policy"),
    )
    version = models.ForeignKey(
        "centre.RuleVersion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("rule version"),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    # Choices, not free text: a misspelt kind or channel would match no complaint and silently turn the
    # rule off.
    kind = models.CharField(
        _("kind"), max_length=20, blank=True, choices=Kind.choices, help_text=_("Blank matches every kind.")
    )
    category = models.ForeignKey(
        "complaints.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Blank matches all."),
        verbose_name=_("category"),
    )
    channel = models.CharField(
        _("channel"), max_length=20, blank=True, choices=Channel.choices, help_text=_("Blank matches all.")
    )
    received_in = models.CharField(
        _("received"), max_length=24, choices=ReceivedIn.choices, default=ReceivedIn.ANY
    )
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    duration = models.DurationField(
        _("duration"), null=True, blank=True, help_text=_("For wall and working time.")
    )
    days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)
    label = models.CharField(_("rule as stated"), max_length=300, blank=True)
    citation = models.CharField(
        _("legal citation"),
        max_length=300,
        blank=True,
        help_text=_("Law, order and article the rule comes from."),
    )

    class Meta:
        ordering = ["policy", "phase", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(policy__isnull=True) ^ models.Q(version__isnull=True),
                name="rule_of_a_policy_or_a_version",
            )
        ]
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")

    def __str__(self) -> str:
        return self.label or f"{self.phase} {self.clock}"

    def clean(self):
        if self.clock == Clock.WORKING_DAYS:
            if not self.days:
                raise ValidationError({"days": _("A working-days rule needs a number of days.")})
        elif not self.duration or self.duration.total_seconds() <= 0:
            raise ValidationError({"duration": _("A wall or working-time rule needs a positive duration.")})


class CalendarOverride(models.Model):
    """A statutory day entered by the regulator (State Council notice) for years the packages miss."""

    date = models.DateField(_("date"), unique=True)
    is_day_off = models.BooleanField(
        _("day off"), help_text=_("Off: a holiday. On: an adjusted working day.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The notice's year: only such years count as covered. A 2028 notice may also move 2027-12-31 without
    # making the rest of 2027 look known.
    notice_year = models.PositiveSmallIntegerField(
        _("notice year"), blank=True, help_text=_("Year of the State Council notice; empty: the date's year.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        day = _("day off") if self.is_day_off else _("working day")
        return f"{self.date} {day} {self.note}".strip()

    def save(self, *args, **kwargs):
        if self.notice_year is None:
            self.notice_year = self.date.year
        super().save(*args, **kwargs)


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("No longer applies")
    # A breached duty of the shop's still unmet when its complaint ended (withdrawn, agreed, closed…): it
    # counts as missed in the figures, as a breached one does, but no longer runs (`SHOP_RUNNING`), so the
    # late duties are the open complaints' backlog, not every breach the history ever left unmet.
    MISSED = "missed", _("Missed")


# The statuses of a duty that no longer applies or can no longer be met, when it was not met.
ENDED_UNMET = frozenset({DeadlineStatus.CANCELLED, DeadlineStatus.MISSED})


# A duty of the shop's that still runs: not met, open or breached (late, still unanswered); paused ones wait
# for the consumer. Only an open complaint has one: its end cancels the open ones and makes the breached ones
# missed (`services.apply_effects`). The condition of the partial index `deadline_shop_running`: queries
# that want the index write it with `lib.literal` (SQLite matches a partial index only on literal terms).
SHOP_RUNNING = models.Q(
    phase__in=sorted(SHOP_PHASES),
    met_at__isnull=True,
    status__in=sorted([DeadlineStatus.OPEN, DeadlineStatus.BREACHED]),
)


class Deadline(models.Model):
    """A duty with its due time: a complaint's (the shop's, or the centre's once it reached the centre) or a
    report's or enquiry's (`centre.Matter`), never both."""

    # The unique (complaint, phase) index serves look-ups by complaint too.
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadlines",
        db_index=False,
        verbose_name=_("complaint"),
    )
    matter = models.ForeignKey(
        "centre.Matter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadlines",
        db_index=False,
        verbose_name=_("report or enquiry"),
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, verbose_name=_("phase"))
    rule = models.ForeignKey(
        PolicyRule, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("rule")
    )
    rule_label = models.CharField(
        max_length=300,
        help_text=_("The rule as it stood when the deadline was set."),
        verbose_name=_("rule label"),
    )
    clock = models.CharField(max_length=20, choices=Clock.choices, verbose_name=_("clock"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    due_at = models.DateTimeField(db_index=True, verbose_name=_("due at"))
    remind_at = models.DateTimeField(verbose_name=_("reminder due at"))
    status = models.CharField(
        max_length=12, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN, verbose_name=_("status")
    )
    # The worker's single work queue: the next instant this row needs attention, NULL when none.
    next_check_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next check at"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    breached_at = models.DateTimeField(null=True, blank=True, verbose_name=_("breached at"))
    met_at = models.DateTimeField(null=True, blank=True, verbose_name=_("met at"))
    paused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paused at"))
    # Time spent waiting for the consumer, on the rule's clock; a recomputation adds it back.
    paused_total = models.DurationField(default=timedelta(0), verbose_name=_("total time paused"))
    warning = models.CharField(max_length=300, blank=True, verbose_name=_("warning"))

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "phase"], name="deadline_unique_phase"),
            models.UniqueConstraint(
                fields=["matter", "phase"],
                condition=models.Q(matter__isnull=False),
                name="deadline_unique_matter_phase",
            ),
            models.CheckConstraint(
                condition=models.Q(complaint__isnull=True) ^ models.Q(matter__isnull=True),
                name="deadline_of_one_matter",
            ),
        ]
        indexes = [
            # Used by `manage.py worker` (sweep): an index range scan over rows that need attention only.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(next_check_at__isnull=False),
                name="deadline_due_work",
            ),
            # Used by the officer's queue (`complaints.centre_queue`): the centre's duties not met yet,
            # by due time — the centre's open work, not every deadline ever set.
            models.Index(
                fields=["due_at"],
                condition=models.Q(phase__in=sorted(CENTRE_PHASES), met_at__isnull=True),
                name="deadline_centre_to_do",
            ),
            # Used by the complaint lists' `overdue` filter (`complaints.queries.overdue_filter`): whether a
            # complaint has a running duty of the shop's past due is one look-up in an index of the running
            # ones, which also holds the due time, never a read of the deadline rows. It holds every column
            # a shop's running duties are counted by too (`stats.queries._running`: status, phase, rule; and
            # met_at, for SQLite reads a partial index's own condition from its columns): the biggest shop's
            # ~3,000 are counted from the index alone, no deadline row read.
            models.Index(
                fields=["complaint", "due_at", "status", "phase", "rule_label", "met_at"],
                condition=SHOP_RUNNING,
                name="deadline_shop_running",
            ),
            # Used by the queues by nearest deadline (`complaints.shop_queue`): the running duties of the
            # shops by due time, walked from the soonest.
            models.Index(
                fields=["due_at", "complaint"], condition=SHOP_RUNNING, name="deadline_shop_running_due"
            ),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        # In the current zone (the regulator's in the back office), not the stored UTC.
        return _("%(phase)s due %(due)s") % {
            "phase": self.get_phase_display(),
            "due": f"{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}",
        }

    @property
    def still_applies(self) -> bool:
        """Not met, and neither cancelled nor missed: it runs, or waits paused."""
        return self.met_at is None and self.status not in ENDED_UNMET

    @property
    def was_met_in_time(self) -> bool | None:
        if self.met_at is None:
            return None
        return self.met_at <= self.due_at
