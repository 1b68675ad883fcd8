from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0013_bureau_index_statistics"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["bureau", "state"], name="complaint_bureau_state"),
        ),
    ]
