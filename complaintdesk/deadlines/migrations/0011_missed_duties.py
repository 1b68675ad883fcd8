"""A breached duty of the shop's still unmet when its complaint ended is `missed` (DeadlineStatus.MISSED): it
no longer runs. Made so here for the complaints that ended before; the figures do not change (a breached
and a missed duty both count as missed)."""

from django.db import migrations, models

SHOP_PHASES = ["first_response", "reply", "resolution"]
ENDED = ["agreed", "closed", "refused", "resolved", "terminated", "withdrawn"]  # choices.TERMINAL_STATES


def mark_missed(apps, schema_editor):
    Deadline = apps.get_model("deadlines", "Deadline")
    Deadline.objects.filter(
        phase__in=SHOP_PHASES, met_at__isnull=True, status="breached", complaint__state__in=ENDED
    ).update(status="missed", next_check_at=None)


def mark_breached(apps, schema_editor):
    apps.get_model("deadlines", "Deadline").objects.filter(status="missed").update(status="breached")


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0010_shop_running_covering"),
        ("complaints", "0018_shop_bureau_statistics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deadline",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("paused", "Paused"),
                    ("met", "Met"),
                    ("breached", "Breached"),
                    ("cancelled", "No longer applies"),
                    ("missed", "Missed"),
                ],
                default="open",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(mark_missed, mark_breached),
    ]
