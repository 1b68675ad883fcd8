from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaintdesk.alerts import titles
from complaintdesk.lib.cursor import Key, Order


class AlertKind(models.TextChoices):
    SURGE = "surge", _("Complaint surge at a shop")
    SURGE_CATEGORY = "surge_category", _("Complaint surge in one category at a shop")
    MASS_INCIDENT = "mass_incident", _("Mass-incident risk (same product or text)")
    UNFILED_PROMOTION = "unfiled_promotion", _("Promotion without a filing")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    """Something the regulator must look at. Raised once per episode: (kind, shop, episode_key) is unique,
    so a detector that sees the same episode again on its next pass adds nothing."""

    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("merchant")
    )
    category = models.ForeignKey(
        "complaints.Category", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category")
    )
    episode_key = models.CharField(
        _("episode key"), max_length=200, help_text=_("What makes two sightings the same episode.")
    )
    # The English title as raised; shown only when `facts` cannot render one (`shown_title`).
    title = models.CharField(_("title"), max_length=300)
    # What the detector saw, as data (alerts.titles): the title is rendered from it in the reader's language.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    observed = models.PositiveIntegerField(_("complaints observed"), null=True, blank=True)
    expected = models.FloatField(_("complaints expected"), null=True, blank=True)
    p_value = models.FloatField(_("probability by chance"), null=True, blank=True)
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=AlertState.choices, default=AlertState.OPEN)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    complaints = models.ManyToManyField(
        "complaints.Complaint", blank=True, related_name="alerts", verbose_name=_("complaints")
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "merchant", "episode_key"], name="alert_once_per_episode")
        ]
        indexes = [models.Index(fields=["state", "-raised_at"])]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the active language, from the facts; the stored title when they are not enough."""
        return titles.render(self.kind, self.facts or {}, self.category_label) or self.title

    def titles_by_language(self) -> dict[str, str]:
        """The title in each of the site's languages (for a notice read in the reader's language)."""
        titles_ = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                titles_[code] = self.shown_title
        return titles_

    @property
    def category_label(self) -> str:
        if self.category_id is None:
            return ""
        zh = (get_language() or "").startswith("zh")
        return self.category.name_zh if zh else self.category.name_en

    @property
    def expected_count(self) -> str:
        return titles.expected_count(self.expected)

    @property
    def chance(self) -> str:
        """The probability by chance in plain words ('' when the detector gave none)."""
        return titles.chance(self.p_value)


# The alert lists' order, the latest raised first (the model's own, with the id for ties), as their pages
# walk it (lib.cursor).
NEWEST_FIRST = Order("alerts", (Key("raised_at", descending=True), Key("id", descending=True)))
