"""Incremental rollups: the statistics API reads these, never the raw complaint table.

Every table keeps one row per (day in the regulator's time zone, shop, …) with counters that the complaint
services update in the same transaction as the complaint (`rollups.py`). `shop` is a merchant id, or
`ALL_SHOPS` (0) for the regulator-wide row that is written next to it, so a dashboard over every shop
reads a few hundred rows per day whatever the number of shops. The unique constraint, led by
(shop, day), is both the upsert target and the index that every statistics query range-scans.
"""

from django.db import models

ALL_SHOPS = 0
ALL_CATEGORIES = 0


class Rollup(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        fields = (f.name for f in self._meta.fields if f.name != "id")
        return " ".join(str(getattr(self, name)) for name in fields)


class ComplaintCount(Rollup):
    """Complaints received on `day`, by shop × category × kind × channel × sector (cohort counters:
    `resolved` and `finished` count the complaints received that day that have since reached them)."""

    day = models.DateField()
    shop = models.IntegerField(help_text="Merchant id, or 0 for all shops.")
    category = models.IntegerField(help_text="Category id.")
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    sector = models.CharField(max_length=24)
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0, help_text="Reached `resolved` (the consumer accepted).")
    finished = models.IntegerField(default=0, help_text="Reached resolved, closed or withdrawn.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "category", "kind", "channel", "sector"], name="complaintcount_key"
            )
        ]


class ShopCount(Rollup):
    """The same counters per shop and day only: totals, time series and shop rankings read one row per day
    and shop instead of one per combination of category, kind, channel and sector."""

    day = models.DateField()
    shop = models.IntegerField()
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="shopcount_key")]


class DeadlineCount(Rollup):
    """Deadlines of the complaints received on `day`, by shop × phase × rule, with their outcomes so far.

    Unmet deadlines that are neither paused nor cancelled are not counted by outcome here: those still
    running are few and counted live (`queries.compliance`), the rest were missed."""

    day = models.DateField()
    shop = models.IntegerField()
    phase = models.CharField(max_length=20)
    rule = models.CharField(max_length=300)
    total = models.IntegerField(default=0)
    met_in_time = models.IntegerField(default=0)
    met_late = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "phase", "rule"], name="deadlinecount_key")
        ]


class ResponseTimeCount(Rollup):
    """Met deadlines of the complaints received on `day`, by shop × phase × time bucket: the minutes from
    receipt until the phase was met (`buckets.bucket_of`; wall-clock time, pauses included), for medians
    and percentiles without reading raw rows."""

    day = models.DateField()
    shop = models.IntegerField()
    phase = models.CharField(max_length=20)
    bucket = models.IntegerField(help_text="Upper bound of the bucket in minutes.")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "phase", "bucket"], name="responsetimecount_key")
        ]


class CommitmentCount(Rollup):
    """Pledge commitments (1–8) alleged broken by the complaints received on `day`, by shop."""

    day = models.DateField()
    shop = models.IntegerField()
    number = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "day", "number"], name="commitmentcount_key")]


class HourCount(Rollup):
    """Complaints received in each local hour, by shop and by shop × category (category 0: all).
    The surge detector's observed counts and baselines (`detectors.py`)."""

    hour = models.DateTimeField(help_text="Start of the hour in the regulator's time zone.")
    shop = models.IntegerField()
    category = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "hour", "category"], name="hourcount_key")]
