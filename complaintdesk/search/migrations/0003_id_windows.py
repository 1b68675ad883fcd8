"""PostgreSQL: the document also holds each complaint's window of ids, for the city ("w<n>") and for its shop
("m<shop>w<n>"), n = complaint_id // 16384 (`search.query.WINDOW`), so that a search asks the GIN index
for the newest windows' matches first instead of every match (docs/decisions.md, "Chinese full-text
search"). The shop is the scope's first term (`search.index.scope`). Derived in the generated column from
the row itself: the app writes nothing new, and SQLite's index is unchanged.

Redefining a generated column rewrites the table and rebuilds its index: minutes per million complaints
(docs/scaling.md says how to deploy it on a large database).
"""

from django.db import migrations

TERMS = """
        setweight(to_tsvector('simple'::regconfig, terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, tails), 'B')
        || setweight(to_tsvector('simple'::regconfig, scope), 'D')"""
WINDOWS = """
        || array_to_tsvector(ARRAY[
            'w' || (complaint_id / 16384)::text,
            split_part(scope, ' ', 1) || 'w' || (complaint_id / 16384)::text
        ])"""


def _document(expression: str) -> list[str]:
    return [
        "DROP INDEX search_complainttext_document",
        "ALTER TABLE search_complainttext DROP COLUMN document",
        f"ALTER TABLE search_complainttext ADD COLUMN document tsvector GENERATED ALWAYS AS ({expression}) STORED",
        "CREATE INDEX search_complainttext_document ON search_complainttext USING gin (document)",
    ]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [
        migrations.RunPython(_on_postgresql(_document(TERMS + WINDOWS)), _on_postgresql(_document(TERMS))),
    ]
