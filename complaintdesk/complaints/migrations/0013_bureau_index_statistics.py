# Written by hand.

from django.db import migrations


def analyze(apps, schema_editor):
    """The planner's figures for the new index: without them SQLite takes `bureau_id = ?` for a handful of
    rows and walks a bureau's whole index to load a page's 50 complaints by id. Sampled (analysis_limit),
    so it costs about the same at any size; PostgreSQL's autovacuum analyzes the table itself."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE complaint_bureau_newest")


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0012_bureau_in_charge'),
    ]

    operations = [
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
