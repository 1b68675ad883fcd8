from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.choices import (
    OPEN_STATES,
    TERMINAL_STATES,
    Channel,
    Kind,
    ResolutionType,
    Sector,
    State,
    WantedOutcome,
)
from complaintdesk.lib.errors import AppendOnlyError


class Category(models.Model):
    """The configurable complaint taxonomy (SPEC §2)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # A complaint in such a category is a quality issue (its kind is derived, intake.kind_for), so the
    # 4-working-hour reply deadline runs.
    is_quality_problem = models.BooleanField(
        _("quality problem"),
        default=False,
        help_text=_(
            "Complaints in this category are quality issues: the shop must reply within 4 working hours."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.name_en} / {self.name_zh}"

    @property
    def complaint_kind(self) -> str:
        """The kind of every complaint in this category: filings, imports and the demo all follow it."""
        return (Kind.QUALITY_ISSUE if self.is_quality_problem else Kind.COMPLAINT).value


_STATE_LABELS, _KIND_LABELS = dict(State.choices), dict(Kind.choices)


class Complaint(models.Model):
    # NULL until the row has its id (the reference is built from it); unique once set.
    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, editable=False)  # noqa: DJ001
    # No single-column indexes on consumer and merchant: Meta.indexes lead with them (one index less to
    # update per filing and per imported row).
    consumer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints",
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("consumer"),
    )
    # Imported complaints (CFPB, hotline records) have no account; their consumer is named only here.
    consumer_name = models.CharField(_("consumer name"), max_length=100, blank=True)
    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,
        verbose_name=_("merchant"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    sector = models.CharField(
        _("sector"), max_length=24, choices=Sector.choices, default=Sector.ONLINE_SHOPPING
    )
    order_number = models.CharField(_("order number"), max_length=64, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    order_date = models.DateField(_("order date"), null=True, blank=True)
    # As the consumer names it (a name, a model or SKU, a product link): the mass-incident warning's
    # "same product" (stats.detectors.product_key).
    product = models.CharField(_("product"), max_length=200, blank=True)
    promotion_name = models.CharField(_("promotion"), max_length=200, blank=True)
    # The shop's filing this complaint concerns: named by the consumer, or inferred from the order date
    # (promotions.linking). A name without a filing stays here unlinked: the unfiled-promotion sign.
    promotion = models.ForeignKey(
        "promotions.Promotion",
        verbose_name=_("promotion filing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    # A group complaint (集体投诉, SPEC §11) the complaint belongs to: its members share a shop and a problem.
    group = models.ForeignKey(
        "ComplaintGroup",
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("group complaint"),
    )
    wanted_outcome = models.CharField(_("wanted outcome"), max_length=20, choices=WantedOutcome.choices)
    description = models.TextField(_("description"), max_length=10000)
    # Names cannot be found in free text, so the open data publishes the description (scrubbed) only
    # with the consumer's consent, asked at filing and off by default (as the CFPB's narratives).
    publish_consent = models.BooleanField(
        _("consent to publish the description"),
        default=False,
        help_text=_(
            "The consumer agreed that the description, with personal data removed, is published in the "
            "open data."
        ),
    )
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.SUBMITTED)
    # Where a complaint goes back to when the consumer answers a request for information.
    resume_state = models.CharField(
        max_length=24, choices=State.choices, blank=True, verbose_name=_("state to resume")
    )
    resolution_type = models.CharField(
        _("proposed resolution"), max_length=20, choices=ResolutionType.choices, blank=True
    )
    resolution_text = models.TextField(_("resolution details"), max_length=5000, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # The bureau in charge of it (SPEC §11): its centre case's once it reached the centre, else its shop's
    # (`Merchant.jurisdiction`; NULL with it). Kept on the row, in step by `centre.jurisdiction` (filing, a
    # case's routing and transfers, a shop re-routed), so that a bureau's lists read one index in their
    # order (`complaint_bureau_newest`) instead of an OR over the case and the shop.
    bureau = models.ForeignKey(
        "centre.Bureau",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        editable=False,
        verbose_name=_("bureau in charge"),
    )
    external_id = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Identifier in an imported source."),
        verbose_name=_("external identifier"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "state"]),
            models.Index(fields=["consumer", "-received_at"]),
            # The lists filtered by shop or by state, newest first (`queries.NEWEST_FIRST`): their pages walk
            # these from the cursor, where (merchant, state) would sort every complaint of a big shop.
            models.Index(fields=["merchant", "received_at"], name="complaint_shop_newest"),
            models.Index(fields=["state", "received_at"], name="complaint_state_newest"),
            # A bureau's lists (`centre.jurisdiction.in_bureau`), newest first; the id orders a tie on
            # PostgreSQL too (SQLite's indexes end with it anyway).
            models.Index(fields=["bureau", "received_at", "id"], name="complaint_bureau_newest"),
            # A bureau's complaints in some states, counted (the dashboard's open complaints and escalations
            # of a district): a range of this index, the bureau's open work, not every complaint it ever had.
            models.Index(fields=["bureau", "state"], name="complaint_bureau_state"),
            # A group's members in the order of their ids, its page's order: with the group alone indexed,
            # PostgreSQL walked the primary key for a page of a big group whose members are the newest
            # complaints (2.2 s at 10 M, expecting them spread evenly). Of the grouped complaints only.
            models.Index(
                fields=["group", "id"],
                name="complaint_group_members",
                condition=models.Q(group__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="complaint_unique_external_id",
            )
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference or f"complaint #{self.pk}"

    # Django's own get_<field>_display hashes every choice's label to find one, and hashing a lazy label
    # translates it: a dozen catalogue look-ups each, 1,100 on a list's page of 50 complaints (a fifth of
    # its rendering at 10 M complaints). These find the label by its value; then translate that one.
    def get_state_display(self) -> str:
        return str(_STATE_LABELS.get(self.state, self.state))

    def get_kind_display(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    @staticmethod
    def reference_for(pk: int, year: int) -> str:
        return f"TS-{year}-{pk:07d}"


class GroupState(models.TextChoices):
    OPEN = "open", _("Open to join")
    CLOSED = "closed", _("Closed")


class ComplaintGroup(models.Model):
    """A group complaint (集体投诉, SPEC §11): many consumers with the same problem with one shop, handled as
    one case. It has a public page (shop, product, problem, members count, the public answers; no personal
    data); signed-in consumers join it with their own order, each member's complaint stays their own."""

    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        related_name="complaint_groups",
        verbose_name=_("merchant"),
    )
    # The bureau that handles the group (the shop's, at opening): district officers see their bureau's.
    bureau = models.ForeignKey(
        "centre.Bureau", on_delete=models.PROTECT, related_name="groups", verbose_name=_("bureau")
    )
    product = models.CharField(_("product"), max_length=200)
    problem = models.TextField(_("problem"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=GroupState.choices, default=GroupState.OPEN)
    # The mass-incident alert it was opened from, if any (else an officer picked its first complaints).
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("alert"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The group's figures (`groups.figures`), kept by the writes that change them (`complaints.group_figures`),
    # so that a list of groups reads them from its rows instead of every member's events.
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    answered_count = models.PositiveIntegerField(_("members answered"), default=0, editable=False)
    accepted_count = models.PositiveIntegerField(_("members who accepted"), default=0, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("group complaint")
        verbose_name_plural = _("group complaints")

    def __str__(self) -> str:
        return f"{self.merchant}: {self.product}"


class GroupPostSide(models.TextChoices):
    SHOP = "shop", _("The shop")
    CENTRE = "centre", _("The 12315 centre")


class GroupPost(models.Model):
    """A public answer on a group's page: the shop's answer to the group (posted to every member's
    complaint too) or the centre's statement. Public: it names no consumer."""

    group = models.ForeignKey(
        ComplaintGroup, on_delete=models.CASCADE, related_name="posts", verbose_name=_("group")
    )
    side = models.CharField(_("from"), max_length=10, choices=GroupPostSide.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    message = models.TextField(_("message"), max_length=5000)
    resolution_type = models.CharField(_("resolution"), max_length=20, blank=True)
    resolution_text = models.TextField(_("resolution details"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("posted at"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("group post")
        verbose_name_plural = _("group posts")

    def __str__(self) -> str:
        return f"{self.group} ({self.side}, {self.created_at:%Y-%m-%d})"


# An event that closed a complaint: from an open state to a terminal one. The condition of the partial index
# `complaint_event_closed` (the week's closings, `followup.closing_events`): queries that want the index
# write it with `lib.literal` (SQLite matches a partial index only on literal terms).
CLOSING = models.Q(
    from_state__in=sorted(s.value for s in OPEN_STATES), to_state__in=sorted(s.value for s in TERMINAL_STATES)
)


class ComplaintEvent(models.Model):
    """One row per change of a complaint; never updated or deleted (SPEC §2)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="events", verbose_name=_("complaint")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("actor")
    )
    actor_role = models.CharField(
        max_length=24,
        help_text=_("Role at the time, or 'system' for the worker."),
        verbose_name=_("actor's role"),
    )
    action = models.CharField(max_length=40, verbose_name=_("action"))
    from_state = models.CharField(max_length=24, blank=True, verbose_name=_("from state"))
    to_state = models.CharField(max_length=24, blank=True, verbose_name=_("to state"))
    message = models.TextField(blank=True, verbose_name=_("message"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The closings of a period by time (`CLOSING`): a week's are an eighth of its events. The states
            # too, so that SQLite reads the index alone (it checks the condition's IN terms on each row).
            models.Index(
                fields=["created_at", "complaint", "from_state", "to_state"],
                condition=CLOSING,
                name="complaint_event_closed",
            ),
        ]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("complaint events are append-only")


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.complaint_id}/{instance.sha256[:16]}{instance.extension}"


class Evidence(models.Model):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("complaint")
    )
    file = models.FileField(upload_to=evidence_path, max_length=300, verbose_name=_("file"))
    original_name = models.CharField(max_length=255, verbose_name=_("original file name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    extension = models.CharField(max_length=10, verbose_name=_("extension"))
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class IdempotencyKey(models.Model):
    """Remembers which complaint a client's Idempotency-Key created, and the body it was sent with."""

    # The unique (user, key) index serves look-ups by user too.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, verbose_name=_("user")
    )
    key = models.CharField(max_length=255, verbose_name=_("key"))
    request_hash = models.CharField(max_length=64, verbose_name=_("request hash"))
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, verbose_name=_("complaint"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
