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
        # Every shop's days of a period (a breakdown or ranking by shop, the month not yet rolled into
        # ShopMonthCount): a range of days, not every shop's key (PostgreSQL read the whole table without it).
        indexes = [models.Index(fields=["day", "shop", "received"], name="shopcount_day")]


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


# ------------------------------------------------------------------------------- the same by calendar month
# `day` is the first of the month; every counter is the sum of the month's daily rows of the same keys, kept by
# the same writes (`rollups.Deltas.add`). A period's figures read its whole months here and only the days of
# its first and last months that it covers partly from the daily tables (`queries._summed`): a year of a
# shop is ~12 + ~30 rows instead of 365.


def _sums(name: str, key: list[str], counters: list[str]) -> models.Index:
    """A month table's key and its counters in one index: the sum of a district's or a shop's months is read
    from the index alone (PostgreSQL's index-only scan, SQLite's covering index), not a table row a key and
    month. At 10 M complaints a district's dashboard read 46,569 response-time rows through 24,301 table pages
    on PostgreSQL for one of its sums (117 ms; 42 from this index). Past months' rows no longer change, so
    PostgreSQL's visibility map lets it skip the table for them."""
    return models.Index(fields=[*key, *counters], name=name)


class ComplaintMonthCount(Rollup):
    """`ComplaintCount` by month: a district's figures by category, kind, channel or sector read ~30 rows a
    shop and month instead of ~40 daily ones (its shops have no ALL_SHOPS row to read instead)."""

    day = models.DateField(help_text="The first day of the month.")
    shop = models.IntegerField(help_text="Merchant id, or 0 for all shops.")
    category = models.IntegerField(help_text="Category id.")
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    sector = models.CharField(max_length=24)
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "category", "kind", "channel", "sector"],
                name="complaintmonthcount_key",
            )
        ]
        indexes = [
            _sums(
                "complaintmonthcount_sums",
                ["shop", "day", "category", "kind", "channel", "sector"],
                ["received", "resolved", "finished"],
            )
        ]


class ShopMonthCount(Rollup):
    """`ShopCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
    shop = models.IntegerField()
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="shopmonthcount_key")]
        indexes = [_sums("shopmonthcount_sums", ["shop", "day"], ["received", "resolved", "finished"])]


class DeadlineMonthCount(Rollup):
    """`DeadlineCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
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
            models.UniqueConstraint(fields=["shop", "day", "phase", "rule"], name="deadlinemonthcount_key")
        ]
        indexes = [
            _sums(
                "deadlinemonthcount_sums",
                ["shop", "day", "phase", "rule"],
                ["total", "met_in_time", "met_late", "cancelled", "paused"],
            )
        ]


class ResponseTimeMonthCount(Rollup):
    """`ResponseTimeCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
    shop = models.IntegerField()
    phase = models.CharField(max_length=20)
    bucket = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "phase", "bucket"], name="responsetimemonthcount_key"
            )
        ]
        indexes = [_sums("responsetimemonthcount_sums", ["shop", "day", "phase", "bucket"], ["n"])]


class CommitmentCount(Rollup):
    """Pledge commitments (1–8) alleged broken by the complaints received on `day`, by shop."""

    day = models.DateField()
    shop = models.IntegerField()
    number = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "day", "number"], name="commitmentcount_key")]


class RatingCount(Rollup):
    """The consumers' ratings of the shop's complaints given on `day` (the day rated, not the complaint's):
    how many and the sum of their scores, for the scorecards' count and average without reading raw rows."""

    day = models.DateField()
    shop = models.IntegerField()
    n = models.IntegerField(default=0)
    score = models.IntegerField(default=0, help_text="The sum of the scores (1–5 each).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="ratingcount_key")]


class HourCount(Rollup):
    """Complaints received in each local hour, by shop and by shop × category (category 0: all).
    The surge detector's observed counts and baselines (`detectors.py`)."""

    hour = models.DateTimeField(help_text="Start of the hour in the regulator's time zone.")
    shop = models.IntegerField()
    category = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "hour", "category"], name="hourcount_key")]


# ------------------------------------------------------------------------------- the 12315 centre's figures
# Kept like the shops' (`centre_rollups.py`): one row per (day the centre received a matter, bureau, …),
# `bureau` a `centre.Bureau` id or ALL_BUREAUS (0) for the row of every bureau written next to it.

ALL_BUREAUS = 0


class CentreCount(Rollup):
    """Matters the centre received on `day` (complaints, reports, enquiries), by bureau × kind × how a
    complaint reached it × channel × where the matter stands now × the decision's legal ground (0: none).
    Cohort counters: `accepted` counts those since accepted, `amount_fen` the money recovered for the
    consumers by their mediation agreements, in fen (1/100 yuan), so that sums stay exact integers."""

    day = models.DateField()
    bureau = models.IntegerField(help_text="Bureau id, or 0 for every bureau.")
    kind = models.CharField(max_length=10, help_text="complaint, report or enquiry.")
    via = models.CharField(
        max_length=12, help_text="How a complaint reached the centre; blank for the others."
    )
    channel = models.CharField(max_length=20)
    state = models.CharField(
        max_length=12,
        help_text="pending, accepted (mediating), refused, agreed, terminated, closed; a report's "
        "case_opened or no_case; an enquiry's answered.",
    )
    ground = models.SmallIntegerField(help_text="The refusal or termination ground (SPEC §10), 0 for none.")
    n = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "day", "kind", "via", "channel", "state", "ground"], name="centrecount_key"
            )
        ]


class CentreDutyCount(Rollup):
    """The centre's duties (acceptance, mediation, termination notice, report decision, enquiry answer) of
    the matters received on `day`, by bureau × phase, with their outcomes so far (as `DeadlineCount`)."""

    day = models.DateField()
    bureau = models.IntegerField()
    phase = models.CharField(max_length=20)
    total = models.IntegerField(default=0)
    met_in_time = models.IntegerField(default=0)
    met_late = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bureau", "day", "phase"], name="centredutycount_key")]


class CentreValueCount(Rollup):
    """Distributions over the matters received on `day`, by bureau: `measure` is to_acceptance or
    to_closing_<kind> (`value`: working days on the bureau's calendar) or rating (`value`: the score 1–5),
    for averages, medians and percentiles without reading raw rows."""

    day = models.DateField()
    bureau = models.IntegerField()
    measure = models.CharField(max_length=24)
    value = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "day", "measure", "value"], name="centrevaluecount_key")
        ]


class CentreTransferCount(Rollup):
    """Transfers between bureaus made on `day` (the day of the transfer, whenever the matter was received), by
    bureau × direction × the other bureau: `in`, received from `other`; `out`, sent to `other` (SPEC §11).
    The row of every bureau (ALL_BUREAUS) counts each transfer once in and once out."""

    day = models.DateField()
    bureau = models.IntegerField()
    direction = models.CharField(max_length=3, help_text="in or out")
    other = models.IntegerField(help_text="The bureau it came from (in) or went to (out).")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "day", "direction", "other"], name="centretransfercount_key"
            )
        ]


# The centre's tables by calendar month (as the shops' above: `day` the first of the month, each counter the
# sum of the month's daily rows, kept by the same writes): a year of the centre's figures reads ~12 rows a key
# and the days of the months it covers partly (`stats.centre`), not 365.


class CentreMonthCount(Rollup):
    """`CentreCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
    bureau = models.IntegerField(help_text="Bureau id, or 0 for every bureau.")
    kind = models.CharField(max_length=10)
    via = models.CharField(max_length=12)
    channel = models.CharField(max_length=20)
    state = models.CharField(max_length=12)
    ground = models.SmallIntegerField()
    n = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "day", "kind", "via", "channel", "state", "ground"],
                name="centremonthcount_key",
            )
        ]


class CentreDutyMonthCount(Rollup):
    """`CentreDutyCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
    bureau = models.IntegerField()
    phase = models.CharField(max_length=20)
    total = models.IntegerField(default=0)
    met_in_time = models.IntegerField(default=0)
    met_late = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "day", "phase"], name="centredutymonthcount_key")
        ]


class CentreValueMonthCount(Rollup):
    """`CentreValueCount` by month."""

    day = models.DateField(help_text="The first day of the month.")
    bureau = models.IntegerField()
    measure = models.CharField(max_length=24)
    value = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "day", "measure", "value"], name="centrevaluemonthcount_key"
            )
        ]


class CentreLedger(models.Model):
    """What each matter of the centre (a complaint at the centre, a report, an enquiry) has added to the
    centre's rollups so far, exactly as added: a change subtracts this and adds the new contribution, so
    the rollups stay right whoever changes the matter's rows and however often it is counted again
    (`centre_rollups.refresh`). No foreign key: the row must outlive its matter's deletion until that
    deletion has been subtracted."""

    owner = models.CharField(max_length=10, help_text="complaint or matter")
    owner_id = models.BigIntegerField()
    contribution = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "owner_id"], name="centreledger_owner")]

    def __str__(self) -> str:
        return f"{self.owner} {self.owner_id}"


# ------------------------------------------------------------------------------- the city's overdue complaints


class OverdueCount(Rollup):
    """Each shop's overdue complaints (open, with a late duty of the shop's) as the worker last counted them
    for the whole city (`stats.overdue`), all rows of one count at once: one row per shop with any, and the
    ALL_SHOPS row, always there once counted, with the city's total. Its `counted_at` says when: a count
    without a row for a shop found none of its complaints overdue."""

    shop = models.IntegerField(help_text="Merchant id, or 0 for all shops.")
    overdue = models.IntegerField()
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="overduecount_shop")]
