from django.db import migrations

# The well-known sale periods at the time of this migration; afterwards the regulator edits them in the
# admin. Each window runs from the warm-up to a few days after the sale day, when complaints arrive.
PERIODS = [
    ("618", "618", "618", "618大促, 六一八, 6.18, 年中大促, mid-year sale", (6, 1), (6, 21)),
    ("double_11", "Double 11", "double_11", "双11, 双十一, 11.11, 光棍节, singles day, double eleven", (11, 1), (11, 14)),
    ("double_12", "Double 12", "double_12", "双12, 双十二, 12.12, double twelve", (12, 8), (12, 15)),
]


def create(apps, schema_editor):
    SalePeriod = apps.get_model("promotions", "SalePeriod")
    for code, name, kind, aliases, (sm, sd), (em, ed) in PERIODS:
        SalePeriod.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "promotion_type": kind,
                "aliases": aliases,
                "start_month": sm,
                "start_day": sd,
                "end_month": em,
                "end_day": ed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("promotions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
