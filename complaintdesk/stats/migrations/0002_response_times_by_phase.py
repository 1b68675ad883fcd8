"""Response times by phase: the first-response histogram gains a `phase`, and the replies and resolutions
met before are counted into it. The buckets now go on past 14 days, where everything longer used to share
one bucket: the first responses counted there are counted again into their new buckets."""

from collections import Counter
from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, Q

# The last bucket before this migration: 6 hours up to 14 days, and every longer time with them.
OLD_LAST_BUCKET = 20520
FOURTEEN_DAYS = timedelta(days=14)


def count_in(apps, schema_editor):
    # The bucket and local-day rules are the app's own (pure functions): the rows written here must be
    # the ones `rollups.recompute` gives, or `manage.py stats --check` would report them.
    from complaintdesk.stats import buckets, periods

    Deadline = apps.get_model("deadlines", "Deadline")
    ResponseTimeCount = apps.get_model("stats", "ResponseTimeCount")
    recounted = Q(phase="first_response", met_at__gt=F("starts_at") + FOURTEEN_DAYS)
    deadlines = (
        Deadline.objects.filter(met_at__isnull=False)
        .filter(Q(phase__in=["reply", "resolution"]) | recounted)
        .order_by()
        .values_list("complaint__received_at", "complaint__merchant_id", "phase", "met_at", "starts_at")
    )
    counts = Counter()
    for received_at, shop, phase, met_at, starts_at in deadlines.iterator(chunk_size=5000):
        day, bucket = periods.local_day(received_at), buckets.bucket_of(met_at - starts_at)
        counts[(day, shop, phase, bucket)] += 1
        counts[(day, 0, phase, bucket)] += 1
    ResponseTimeCount.objects.filter(phase="first_response", bucket=OLD_LAST_BUCKET).delete()
    ResponseTimeCount.objects.bulk_create(
        (
            ResponseTimeCount(day=day, shop=shop, phase=phase, bucket=bucket, n=n)
            for (day, shop, phase, bucket), n in counts.items()
        ),
        batch_size=1000,
    )


def count_out(apps, schema_editor):
    ResponseTimeCount = apps.get_model("stats", "ResponseTimeCount")
    ResponseTimeCount.objects.exclude(phase="first_response").delete()
    longer = ResponseTimeCount.objects.filter(bucket__gt=OLD_LAST_BUCKET)
    merged = Counter()
    for day, shop, n in longer.values_list("day", "shop", "n"):
        merged[(day, shop)] += n
    longer.delete()
    for (day, shop), n in merged.items():
        row, _ = ResponseTimeCount.objects.get_or_create(
            day=day, shop=shop, phase="first_response", bucket=OLD_LAST_BUCKET
        )
        ResponseTimeCount.objects.filter(pk=row.pk).update(n=F("n") + n)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("deadlines", "0001_initial"),
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="responsetimecount", name="responsetimecount_key"),
        migrations.AddField(
            model_name="responsetimecount",
            name="phase",
            # Every row stored so far is a first response.
            field=models.CharField(default="first_response", max_length=20),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="responsetimecount",
            constraint=models.UniqueConstraint(
                fields=("shop", "day", "phase", "bucket"), name="responsetimecount_key"
            ),
        ),
        migrations.RunPython(count_in, count_out),
    ]
