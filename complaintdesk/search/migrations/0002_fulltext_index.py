"""The database's own full-text index over search_complainttext (docs/decisions.md, "Chinese full-text
search"), then the rows of the complaints already stored.

SQLite: an FTS5 table whose content is search_complainttext (rowid = the complaint's id), kept in step by
triggers, so every write of a row updates the index in the same statement and transaction. The terms are
already split by `search.text`, so the unicode61 tokeniser only splits them at their spaces.

PostgreSQL: a generated tsvector column, the terms with weight A, the tails B, the scope D, through the
`simple` configuration (no stemming, no stop words: the lexemes are the terms), with a GIN index.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_complaint_fts USING fts5(
        terms, tails, scope,
        content='search_complainttext', content_rowid='complaint_id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_complainttext_ai AFTER INSERT ON search_complainttext BEGIN
        INSERT INTO search_complaint_fts (rowid, terms, tails, scope)
        VALUES (new.complaint_id, new.terms, new.tails, new.scope);
    END""",
    """CREATE TRIGGER search_complainttext_ad AFTER DELETE ON search_complainttext BEGIN
        INSERT INTO search_complaint_fts (search_complaint_fts, rowid, terms, tails, scope)
        VALUES ('delete', old.complaint_id, old.terms, old.tails, old.scope);
    END""",
    """CREATE TRIGGER search_complainttext_au AFTER UPDATE ON search_complainttext BEGIN
        INSERT INTO search_complaint_fts (search_complaint_fts, rowid, terms, tails, scope)
        VALUES ('delete', old.complaint_id, old.terms, old.tails, old.scope);
        INSERT INTO search_complaint_fts (rowid, terms, tails, scope)
        VALUES (new.complaint_id, new.terms, new.tails, new.scope);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_complainttext_au",
    "DROP TRIGGER search_complainttext_ad",
    "DROP TRIGGER search_complainttext_ai",
    "DROP TABLE search_complaint_fts",
]

POSTGRESQL = [
    """ALTER TABLE search_complainttext ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, tails), 'B')
        || setweight(to_tsvector('simple'::regconfig, scope), 'D')
    ) STORED""",
    "CREATE INDEX search_complainttext_document ON search_complainttext USING gin (document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX search_complainttext_document",
    "ALTER TABLE search_complainttext DROP COLUMN document",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def index_stored_complaints(apps, schema_editor):
    # The app's own rebuild (it reads a few columns that every version of the complaint tables has): a
    # database upgraded with complaints in it finds them from the start.
    from complaintdesk.search.rebuild import rebuild  # noqa: PLC0415 - the app is ready by now

    if apps.get_model("complaints", "Complaint").objects.exists():
        rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_complaint_text")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.RunPython(index_stored_complaints, migrations.RunPython.noop),
    ]
