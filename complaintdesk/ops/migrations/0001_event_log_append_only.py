"""On PostgreSQL the database itself refuses to change or delete complaint events, whatever the client."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION complaintdesk_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaint events are append-only (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaint_event_append_only
    BEFORE UPDATE OR DELETE ON complaints_complaintevent
    FOR EACH ROW EXECUTE FUNCTION complaintdesk_refuse_event_change();
"""
DROP = """
DROP TRIGGER IF EXISTS complaint_event_append_only ON complaints_complaintevent;
DROP FUNCTION IF EXISTS complaintdesk_refuse_event_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_default_categories")]
    operations = [migrations.RunPython(create, drop)]
