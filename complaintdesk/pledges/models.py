from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import Complaint

COMMITMENT_NUMBERS = [MinValueValidator(1), MaxValueValidator(8)]


class PledgeVersion(models.Model):
    """A published version of the online-retail customer-service pledge (SPEC §5)."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("pledge version")
        verbose_name_plural = _("pledge versions")

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"


class Commitment(models.Model):
    version = models.ForeignKey(
        PledgeVersion, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("version")
    )
    number = models.PositiveSmallIntegerField(validators=COMMITMENT_NUMBERS, verbose_name=_("number"))
    text_en = models.TextField(_("commitment (English)"))
    text_zh = models.TextField(_("commitment (Chinese)"))

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="commitment_unique_number")]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.number}. {self.text_en}"


class PledgeSignature(models.Model):
    """A shop's coordinator signed a version: who, when, which version, from which address."""

    version = models.ForeignKey(
        PledgeVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version")
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        related_name="pledge_signatures",
        verbose_name=_("merchant"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(verbose_name=_("signed at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))

    class Meta:
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["version", "merchant"], name="pledge_signed_once")]
        verbose_name = _("pledge signature")
        verbose_name_plural = _("pledge signatures")

    def __str__(self) -> str:
        return f"{self.merchant} signed v{self.version.number}"


class ComplaintCommitment(models.Model):
    """A complaint alleges that the shop broke commitment `number` (1–8) of the pledge."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="commitment_tags",
        verbose_name=_("complaint"),
    )
    number = models.PositiveSmallIntegerField(validators=COMMITMENT_NUMBERS, verbose_name=_("number"))
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("tagged by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # The complaint's shop and bureau in charge, copied onto the tag when it is made (`save`; kept in step
    # with the complaint's bureau by `pledges.signals`), so that a shop's or a bureau's tags are read from an
    # index in the list's order (complaint, number) instead of through every complaint of the shop or bureau.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # the first column of commitment_tag_shop
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shop"),
    )
    bureau = models.ForeignKey(
        "centre.Bureau",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # the first column of commitment_tag_bureau
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bureau in charge"),
    )
    # And its complaint's receipt (never changes after filing: no upkeep), so that the statistics' counts of
    # a period read the period's tags alone from commitment_tag_received, not every tag and its complaint.
    received_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("received at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="commitment_tag_once")]
        # No index of the numbers alone: a list of one commitment's tags walks an index in the list's order
        # (complaint, number) and skips the other numbers' (an eighth each), where one by number sorted
        # every tag of the number (12,000 at 10 M complaints) for each page.
        indexes = [
            models.Index(fields=["merchant", "complaint", "number"], name="commitment_tag_shop"),
            models.Index(fields=["bureau", "complaint", "number"], name="commitment_tag_bureau"),
            # Covering a period's counts per shop and number, the city's or a bureau's (tag_counts).
            models.Index(
                fields=["received_at", "bureau", "merchant", "number"], name="commitment_tag_received"
            ),
        ]
        verbose_name = _("complaint commitment")
        verbose_name_plural = _("complaint commitments")

    def __str__(self) -> str:
        return f"{self.complaint} ✗{self.number}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.complaint_id is not None:  # read from its row: in step with it
            self.merchant_id, self.bureau_id, self.received_at = (
                Complaint.objects.filter(pk=self.complaint_id)
                .values_list("merchant_id", "bureau_id", "received_at")
                .get()
            )
        super().save(*args, **kwargs)
