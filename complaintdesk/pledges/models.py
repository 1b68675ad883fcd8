from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

COMMITMENT_NUMBERS = [MinValueValidator(1), MaxValueValidator(8)]


class PledgeVersion(models.Model):
    """A published version of the online-retail customer-service pledge (SPEC §5)."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"


class Commitment(models.Model):
    version = models.ForeignKey(PledgeVersion, on_delete=models.CASCADE, related_name="commitments")
    number = models.PositiveSmallIntegerField(validators=COMMITMENT_NUMBERS)
    text_en = models.TextField(_("commitment (English)"))
    text_zh = models.TextField(_("commitment (Chinese)"))

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="commitment_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text_en}"


class PledgeSignature(models.Model):
    """A shop's coordinator signed a version: who, when, which version, from which address."""

    version = models.ForeignKey(PledgeVersion, on_delete=models.PROTECT, related_name="signatures")
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="pledge_signatures"
    )
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["version", "merchant"], name="pledge_signed_once")]

    def __str__(self) -> str:
        return f"{self.merchant} signed v{self.version.number}"


class ComplaintCommitment(models.Model):
    """A complaint alleges that the shop broke commitment `number` (1–8) of the pledge."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="commitment_tags"
    )
    number = models.PositiveSmallIntegerField(validators=COMMITMENT_NUMBERS)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="commitment_tag_once")]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return f"{self.complaint} ✗{self.number}"
