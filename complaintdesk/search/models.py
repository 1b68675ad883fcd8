"""The full-text index's rows: one per complaint, its words as search terms (`search.text`). The database's
own index over them is made by the migrations, per database: an FTS5 table kept in step by triggers on
SQLite, a generated `tsvector` column with a GIN index on PostgreSQL (docs/decisions.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# SQLite's FTS5 table over ComplaintText (migration 0002), its rowid the complaint's id.
FTS_TABLE = "search_complaint_fts"


class ComplaintText(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_text",
        verbose_name=_("complaint"),
    )
    # The description, product, order number and the messages people wrote, as `text.tokens` makes them,
    # separated by spaces (a message is appended when it is written).
    terms = models.TextField(_("search terms"), blank=True)
    # The last character of each Chinese run of two or more (`text.tails`): one-character searches.
    tails = models.TextField(_("run ends"), blank=True)
    # Who may find it: "m<shop id>", "b<bureau in charge>" and, for a consumer's own complaint,
    # "c<consumer id>" (`index.SCOPE`, made from the complaint's row and kept in step when it moves).
    scope = models.CharField(_("scope"), max_length=64)

    class Meta:
        verbose_name = _("complaint search text")
        verbose_name_plural = _("complaint search texts")

    def __str__(self) -> str:
        return f"search text of complaint #{self.complaint_id}"
