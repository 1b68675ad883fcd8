"""Each row's scope also names the bureau in charge of its complaint ("b<bureau>", `search.index.SCOPE`),
kept in step when a complaint moves (`search.index.complaints_moved`), so that a district officer's search
is narrowed by its own term inside the full-text index, exactly its tenancy, instead of every city match
being looked up for its bureau (PostgreSQL) or an OR of its shops' terms (SQLite, at most 500 shops).

PostgreSQL: the document also holds the bureau's window of ids ("b<bureau>w<n>", as 0003 its shop's), so
that a district's search asks for its newest windows first as a shop's does. The scope is written before the
document is made again: one rewrite of the table and one build of its index, not one per row (minutes per
million complaints; docs/scaling.md says how to deploy it on a large database). SQLite: the update goes
through the FTS5 table's triggers.
"""

import importlib

from django.db import migrations

SCOPE = "'m' || c.merchant_id || COALESCE(' b' || c.bureau_id, '') || COALESCE(' c' || c.consumer_id, '')"
SCOPE_BEFORE = "'m' || c.merchant_id || COALESCE(' c' || c.consumer_id, '')"

# The document's terms and 0003's windows, as 0003 made them.
_0003 = importlib.import_module("complaintdesk.search.migrations.0003_id_windows")
TERMS, WINDOWS_BEFORE = _0003.TERMS, _0003.WINDOWS
# The bureau's term is the scope's " b<id>"; a complaint with no bureau in charge has no such window.
WINDOWS = """
        || array_to_tsvector(array_remove(ARRAY[
            'w' || (complaint_id / 16384)::text,
            split_part(scope, ' ', 1) || 'w' || (complaint_id / 16384)::text,
            substring(scope from ' (b[0-9]+)') || 'w' || (complaint_id / 16384)::text
        ], NULL))"""


def _scope(expression: str) -> str:
    return (
        f"UPDATE search_complainttext SET scope = (SELECT {expression} FROM complaints_complaint c "
        "WHERE c.id = search_complainttext.complaint_id)"
    )


def _rewrite(scope: str, windows: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.execute(_scope(scope), params=None)
            return
        for sql in (
            "DROP INDEX search_complainttext_document",
            "ALTER TABLE search_complainttext DROP COLUMN document",
            _scope(scope),
            "ALTER TABLE search_complainttext ADD COLUMN document tsvector "
            f"GENERATED ALWAYS AS ({TERMS + windows}) STORED",
            "CREATE INDEX search_complainttext_document ON search_complainttext USING gin (document)",
        ):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_id_windows"), ("complaints", "0012_bureau_in_charge")]

    operations = [migrations.RunPython(_rewrite(SCOPE, WINDOWS), _rewrite(SCOPE_BEFORE, WINDOWS_BEFORE))]
