from django.db import migrations, models


def cfpb_rows_consented(apps, schema_editor):
    # The CFPB publishes a narrative only when its consumer consented, and a row without one has our
    # summary of the CFPB's product and issue instead: imported CFPB rows keep their text in the open data
    # (complaints.importing decides the same for new imports). Every other complaint was filed before
    # consent was asked: its text leaves the open data.
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(external_id__startswith="cfpb:").update(publish_consent=True)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_complaint_product")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="publish_consent",
            field=models.BooleanField(
                default=False,
                help_text="The consumer agreed that the description, with personal data removed, is published in the open data.",
                verbose_name="consent to publish the description",
            ),
        ),
        migrations.RunPython(cfpb_rows_consented, migrations.RunPython.noop),
    ]
