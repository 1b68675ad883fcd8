"""The 12315 centre's side (SPEC §10–§11): its bureaus, the versioned legal rules it works by, what it
decides on a complaint (`CentreCase`), the reports and enquiries that reach it (`Matter`), the notices its
decisions write, and the consumers' ratings and the officers' follow-up calls.

The deadlines of the centre's duties are rows of `deadlines.Deadline` like the shops': one engine, one
sweep, one queue ordered by due time. Their rules are `deadlines.PolicyRule` rows of a `RuleVersion`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.merchants.models import Platform, validate_countable_hours


class BureauLevel(models.TextChoices):
    CITY = "city", _("City centre")
    DISTRICT = "district", _("District bureau")


class Bureau(models.Model):
    """An office of the regulator that handles matters: the city centre or a district bureau. Its name and
    address head the centre's letters."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=BureauLevel.choices, default=BureauLevel.CITY)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The bureau's working hours by weekday, as a shop's `service_hours`; empty: the centre's (Monday–Friday
    # 09:00–18:00). Always on the Chinese statutory calendar in the regulator's zone (`centre.duties`).
    service_hours = models.JSONField(
        _("working hours"),
        default=dict,
        blank=True,
        help_text=_("Leave empty for the centre's working hours (Monday to Friday, 09:00 to 18:00)."),
    )

    class Meta:
        ordering = ["level", "name_en", "id"]
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en

    @property
    def local_name(self) -> str:
        """The name in the active language (what a page shows)."""
        return self.name_in(get_language() or "en")

    def clean(self):
        # A district reports to the city: the tree is two levels deep (SPEC §11).
        if self.level == BureauLevel.DISTRICT and (
            self.parent is None or self.parent.level != BureauLevel.CITY
        ):
            raise ValidationError(
                {
                    "parent": _(
                        "A district bureau's parent must be a city-level bureau: choose the city centre."
                    )
                }
            )
        if self.level == BureauLevel.CITY and self.parent_id is not None:
            raise ValidationError({"parent": _("A city-level bureau has no parent.")})
        if self.service_hours:
            try:
                validate_countable_hours(self.service_hours)
            except ValidationError as exc:
                raise ValidationError({"service_hours": exc.messages}) from None

    @classmethod
    def city_centre(cls) -> "Bureau":
        """The city-level bureau that receives what no district takes (migration data)."""
        return cls.objects.filter(level=BureauLevel.CITY).order_by("id").first()


class PlatformSeat(models.Model):
    """Where an e-commerce platform is registered: a shop on it without a published, reachable address of
    its own goes to this bureau (SAMR Order No. 121; SPEC §11)."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, unique=True)
    operator = models.CharField(_("operator (company)"), max_length=200, blank=True)
    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="platform_seats", verbose_name=_("bureau")
    )

    class Meta:
        ordering = ["platform"]
        verbose_name = _("platform's registered seat")
        verbose_name_plural = _("platforms' registered seats")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} → {self.bureau}"


class Routing(models.TextChoices):
    """Why a complaint, a report or an enquiry first went to the bureau it went to (SPEC §11;
    `centre.jurisdiction.route`): said after "Routed to <bureau>:" on the officers' pages."""

    DISTRICT = "district", _("the shop's registered district")
    PLATFORM = (
        "platform",
        _("the district where the shop's platform is registered (the shop has no reachable address)"),
    )
    CITY = "city", _("the city centre (neither the shop nor its platform has a registered district here)")
    NO_SHOP = "no_shop", _("the city centre (no shop of ours is named)")


class Routed:
    """What the officers' pages say of where a case or a matter went: its routing at receipt
    (`routing_line`), then its transfers (`transfer_list`, the oldest first)."""

    def transfer_owner(self) -> dict:
        raise NotImplementedError

    def transfer_list(self):
        rows = Transfer.objects.filter(**self.transfer_owner())
        return rows.select_related("from_bureau", "to_bureau", "by").order_by("at", "id")

    def routing_line(self) -> str:
        """The line "Routed to <bureau>: <why>" ('' for one received before routing was recorded)."""
        if not self.routing:
            return ""
        first = self.transfer_list().first()
        bureau = first.from_bureau if first else self.bureau
        return _("Routed to %(bureau)s: %(basis)s") % {
            "bureau": bureau.local_name,
            "basis": self.get_routing_display(),
        }


class RuleVersion(models.Model):
    """The centre's legal time limits as in force from a day on: its rules are `deadlines.PolicyRule` rows
    (phase, clock, duration or working days, citation). A matter follows the version in force on the day
    the centre received it (`in_force_on`), so a new version never moves a running duty."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    law = models.CharField(_("legal basis"), max_length=300)
    refusal_article = models.CharField(
        _("article listing the grounds for not accepting"), max_length=100, default="art. 15"
    )
    termination_article = models.CharField(
        _("article listing the grounds for ending mediation"), max_length=100, default="art. 21"
    )
    # An agreement letter's legal basis. Blank: the letter cites the version's law without an article (the
    # mediation rule's citation is the time-out ground, never an agreement's basis).
    agreement_article = models.CharField(
        _("article on mediation agreements"),
        max_length=100,
        blank=True,
        help_text=_(
            "Cited as the legal basis of a mediation agreement's letters, written as 'art. N'. Leave blank until "
            "checked against the official text: the letters then cite the legal basis above."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"

    @classmethod
    def in_force_on(cls, day) -> "RuleVersion | None":
        return cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class Via(models.TextChoices):
    """How a complaint reached the centre."""

    ESCALATION = "escalation", _("Escalated from the shop")
    DIRECT = "direct", _("Filed with the centre")


class Outcome(models.TextChoices):
    REFUSED = "refused", _("Not accepted")
    AGREED = "agreed", _("Mediation agreement")
    TERMINATED = "terminated", _("Mediation terminated")
    CLOSED = "closed", _("Closed")


class CentreCase(Routed, models.Model):
    """What the centre decides on one complaint, from the day it received it. Created when the complaint
    reaches the centre (escalation or direct filing); the complaint's state says where it stands, this row
    keeps the decisions and their grounds."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="centre_case",
        verbose_name=_("complaint"),
    )
    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="cases", verbose_name=_("bureau")
    )
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("rule version")
    )
    via = models.CharField(_("reached the centre by"), max_length=12, choices=Via.choices)
    # Why the bureau that first held it was chosen; blank for a case older than routing. A transfer since
    # is a `Transfer` row; this stays what routing said.
    routing = models.CharField(_("routed to"), max_length=10, choices=Routing.choices, blank=True)
    # When the bureau that holds it received it: a transfer starts the receiving bureau's duty anew.
    received_at = models.DateTimeField(_("received by the centre"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_ground = models.PositiveSmallIntegerField(
        _("ground for not accepting"), choices=RefusalGround.choices, null=True, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    termination_ground = models.PositiveSmallIntegerField(
        _("ground for ending mediation"), choices=TerminationGround.choices, null=True, blank=True
    )
    agreement_terms = models.TextField(_("terms of the agreement"), max_length=5000, blank=True)
    amount_recovered = models.DecimalField(
        _("money recovered (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    termination_notice_sent_at = models.DateTimeField(_("termination notice sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("centre case")
        verbose_name_plural = _("centre cases")

    def __str__(self) -> str:
        return str(self.complaint)

    def transfer_owner(self) -> dict:
        return {"complaint_id": self.complaint_id}


class MatterKind(models.TextChoices):
    REPORT = "report", _("Report")
    ENQUIRY = "enquiry", _("Enquiry")


class MatterState(models.TextChoices):
    # Not yet decided: "Received" alone is the time a column or a field gives.
    RECEIVED = "received", pgettext_lazy("matter state", "Received")
    CASE_OPENED = "case_opened", _("Case opened")
    NO_CASE = "no_case", _("No case opened")
    ANSWERED = "answered", _("Answered")


class MatterChannel(models.TextChoices):
    WEB = "web", _("Web")
    HOTLINE = "hotline_12315", _("12315 hotline")
    COUNTER = "counter", _("Counter")
    LETTER = "letter", _("Letter")


class Matter(Routed, models.Model):
    """A report (举报: anyone's tip that a shop breaks the law, anonymous allowed) or an enquiry (咨询: a
    question). Neither is a complaint: no dispute, no shop deadline, a duty of the centre's own."""

    kind = models.CharField(_("kind"), max_length=10, choices=MatterKind.choices)
    # NULL until the row has its id (the reference is built from it).
    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, editable=False)  # noqa: DJ001
    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="matters", verbose_name=_("bureau")
    )
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="matters", verbose_name=_("rule version")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=MatterChannel.choices, default=MatterChannel.WEB
    )
    routing = models.CharField(_("routed to"), max_length=10, choices=Routing.choices, blank=True)
    # When the bureau that holds it received it (as `CentreCase.received_at`); its first receipt is the
    # first transfer's `received_before`.
    received_at = models.DateTimeField(_("received at"), db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=MatterState.choices, default=MatterState.RECEIVED
    )
    # What a report is about: a shop of ours, or a web address (a shop we do not know).
    merchant = models.ForeignKey(
        "merchants.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shop"),
    )
    web_address = models.URLField(_("web address"), max_length=500, blank=True)
    text = models.TextField(_("text"), max_length=10000)
    # Who wrote in. A report's reporter is never shown to the shop's side (its pages, API, exports, open data).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
        verbose_name=_("filed by"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    # The decision (report) or the answer (enquiry), by whom and when.
    reason = models.TextField(_("reason or answer"), max_length=5000, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When its nearest running duty falls due (None: none runs): the lists' order, kept by
    # `centre.duties.settle` whenever one of its duties is saved.
    next_due = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "state", "-received_at"]),
            # The lists in their two parts (`centre.matters.listed`): what has a duty running by its due
            # time, then the rest by receipt, each read in its order from its own partial index.
            models.Index(
                fields=["kind", "next_due", "-received_at", "id"],
                name="matter_running",
                condition=models.Q(next_due__isnull=False),
            ),
            models.Index(
                fields=["kind", "-received_at", "id"],
                name="matter_at_rest",
                condition=models.Q(next_due__isnull=True),
            ),
            # The same of one shop (`merchant=`): a small shop's few, not every matter walked to find them.
            models.Index(
                fields=["merchant", "kind", "next_due", "-received_at", "id"],
                name="matter_shop_running",
                condition=models.Q(next_due__isnull=False),
            ),
            models.Index(
                fields=["merchant", "kind", "-received_at", "id"],
                name="matter_shop_at_rest",
                condition=models.Q(next_due__isnull=True),
            ),
            # The week's decided matters the follow-up sample draws from (`followup.closed_in`).
            models.Index(fields=["decided_at"], name="matter_decided"),
        ]
        verbose_name = _("report or enquiry")
        verbose_name_plural = _("reports and enquiries")

    def __str__(self) -> str:
        return self.reference or f"{self.kind} #{self.pk}"

    PREFIX = {MatterKind.REPORT: "JB", MatterKind.ENQUIRY: "ZX"}

    @classmethod
    def reference_for(cls, kind: str, pk: int, year: int) -> str:
        return f"{cls.PREFIX[kind]}-{year}-{pk:07d}"

    def transfer_owner(self) -> dict:
        return {"matter_id": self.pk}

    @property
    def reachable(self) -> bool:
        """Whether the centre can tell the person who wrote in of its decision."""
        return bool(self.user_id or self.contact_email or self.contact_phone)


class Transfer(models.Model):
    """An officer moved a complaint at the centre, a report or an enquiry to another bureau, with the reason
    (SPEC §11): the receiving bureau's duty starts when it receives it (`at`). Written by the transfer step
    in its transaction (`complaints.centre`, `centre.matters`), never changed; counted in the centre's
    figures as a transfer out of one bureau and into the other."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transfers",
        verbose_name=_("complaint"),
    )
    matter = models.ForeignKey(
        Matter,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transfers",
        verbose_name=_("report or enquiry"),
    )
    from_bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from")
    )
    to_bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    reason = models.TextField(_("reason"), max_length=5000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("transferred by"),
    )
    at = models.DateTimeField(_("transferred at"), db_index=True)
    # When the sending bureau had received it: the matter's first receipt stays known after transfers.
    received_before = models.DateTimeField(_("received by the sending bureau"))

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(complaint__isnull=True) ^ models.Q(matter__isnull=True),
                name="transfer_of_one_matter",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_bureau=models.F("to_bureau")), name="transfer_to_another_bureau"
            ),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.complaint or self.matter}: {self.from_bureau} → {self.to_bureau}"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    REFUSAL = "refusal", _("Notice of non-acceptance")
    AGREEMENT = "agreement", _("Mediation agreement")
    TERMINATION = "termination", _("Notice of termination of mediation")
    REPORT_DECISION = "report_decision", _("Decision on a report")
    ENQUIRY_ANSWER = "enquiry_answer", _("Answer to an enquiry")


class Recipient(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    SHOP = "shop", _("Shop")
    REPORTER = "reporter", _("Reporter")
    ENQUIRER = "enquirer", _("Enquirer")


class Notice(models.Model):
    """A decision's letter to one party, as issued: its words are kept in the recipient's language as they
    were sent (a letter is not re-worded when the catalogue changes). Sent through the outbox; printable."""

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="centre_notices",
        verbose_name=_("complaint"),
    )
    matter = models.ForeignKey(
        Matter,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("matter"),
    )
    recipient = models.CharField(_("recipient"), max_length=10, choices=Recipient.choices)
    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau"))
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    ground = models.PositiveSmallIntegerField(_("ground"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(complaint__isnull=True) ^ models.Q(matter__isnull=True),
                name="notice_about_one_matter",
            )
        ]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_recipient_display()})"


class Rating(models.Model):
    """The consumer's rating of how a closed complaint was handled: once, editable within the window."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="rating", verbose_name=_("complaint")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("rated at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.complaint}: {self.score}"


class CallOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NOT_REACHED = "not_reached", _("Not reached")


class FollowUpCall(models.Model):
    """An officer's follow-up call (回访) on a closed matter: when, the outcome, a note."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_up_calls",
        verbose_name=_("complaint"),
    )
    matter = models.ForeignKey(
        Matter,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_up_calls",
        verbose_name=_("matter"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    called_at = models.DateTimeField(_("called at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-called_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(complaint__isnull=True) ^ models.Q(matter__isnull=True),
                name="follow_up_about_one_matter",
            )
        ]
        # The console's calls of a week, newest first (`followup.calls_in`), read in this index's order.
        indexes = [models.Index(fields=["called_at", "id"], name="followupcall_by_time")]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")

    def __str__(self) -> str:
        return f"{self.complaint or self.matter} {self.called_at:%Y-%m-%d}"

    def clean(self):
        if (self.complaint_id is None) == (self.matter_id is None):
            raise ValidationError(_("A follow-up call is about one complaint or one matter."))


class FlagReason(models.TextChoices):
    MANY_SHOPS = "many_shops", _("Many complaints against many shops")
    REPEAT = "repeat", _("Repeats a complaint already filed")


class Flag(models.Model):
    """A complaint flagged for an officer's review (SPEC §11): its complainant files many complaints against
    many shops in a short time, or it repeats one already filed or closed. A flag, never a verdict: nothing
    is refused because of it. Shown to officers only, with the evidence; cleared with a note."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="flags", verbose_name=_("complaint")
    )
    # A copy of its complaint's bureau in charge (`Complaint.bureau`), set when the flag is made (`save`,
    # `complaints.flags.raise_flags`) and kept in step by `centre.jurisdiction` whenever the complaint's
    # changes, so that a bureau's open flags are one read of `flag_open_bureau` in the list's order: through
    # the complaints, SQLite walked the bureau's every complaint (700,000 at 10 M) to find the flagged ones.
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,  # the first column of flag_open_bureau; `figures_of` reads the flags by date
        editable=False,
        verbose_name=_("bureau in charge"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    # The other complaints that raised it (ids), and the figures (counts, window) behind it.
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cleared by"),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["complaint", "reason"], name="flag_once_per_reason")]
        indexes = [
            # The open flags (few of many), newest first: a bureau's (`complaints.flags.open_flags`) and all.
            models.Index(
                fields=["bureau", "-raised_at", "-id"],
                name="flag_open_bureau",
                condition=models.Q(cleared_at__isnull=True),
            ),
            models.Index(
                fields=["-raised_at", "-id"],
                name="flag_open_newest",
                condition=models.Q(cleared_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} ({self.reason})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.bureau_id is None:
            # Read from the complaint's row: an object the caller loaded may predate a transfer.
            complaints = type(self).complaint.field.related_model.objects
            self.bureau_id = (
                complaints.filter(pk=self.complaint_id).values_list("bureau_id", flat=True).first()
            )
        super().save(*args, **kwargs)
