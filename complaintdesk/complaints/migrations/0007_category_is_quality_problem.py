from django.db import migrations, models

# The default taxonomy's quality problems (0002_default_categories sets the same when it runs again).
QUALITY_PROBLEMS = ["quality"]


def mark_quality_problems(apps, schema_editor):
    # Complaints already filed keep their kind: it decided the deadlines they run on.
    Category = apps.get_model("complaints", "Category")
    Category.objects.filter(code__in=QUALITY_PROBLEMS).update(is_quality_problem=True)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_complaint_publish_consent")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="is_quality_problem",
            field=models.BooleanField(
                default=False,
                help_text="Complaints in this category are quality issues: the shop must reply within 4 working hours.",
                verbose_name="quality problem",
            ),
        ),
        migrations.RunPython(mark_quality_problems, migrations.RunPython.noop),
    ]
