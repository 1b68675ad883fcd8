"""Keeping the full-text index of complaints up to date, in the caller's transaction: a filing
(`complaint_filed`), a message (`message_added`), an import batch (`complaints_imported`), complaints moved
to another bureau (`complaints_moved`); and building it anew for the complaints already stored (`rebuild`).

The callers write only `ComplaintText` rows; the database keeps its own index over them in the same
statement (SQLite: triggers into the FTS5 table; PostgreSQL: the generated `tsvector` column), so the index
can never disagree with a committed complaint. Of the complaints app it imports only its choices (the
complaints call it with their rows).
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from complaintdesk.complaints.choices import EventKind
from complaintdesk.search import text
from complaintdesk.search.models import ComplaintText

# A thread's terms stop growing past this many characters (about 30,000 terms): a runaway thread cannot
# make its row, or PostgreSQL's tsvector (1 MB at most), too large to write, which would fail the message.
MAX_TERMS_CHARS = 100_000


# A row's scope terms, made by the database from its complaint's row (`c`): its shop "m<id>", the bureau in
# charge "b<id>" (a district's officers) and its consumer "c<id>" when the complaint has an account. One
# expression for a row written and for a complaint moved to another bureau (`complaints_moved`), so the two
# cannot disagree. Search migration 0004 has it too (as it was then).
SCOPE = "'m' || c.merchant_id || COALESCE(' b' || c.bureau_id, '') || COALESCE(' c' || c.consumer_id, '')"


def _document(*texts: str) -> tuple[str, str]:
    terms, tails = [], []
    for value in texts:
        if value:
            more_terms, more_tails = text.terms_and_tails(value)
            terms += more_terms
            tails += more_tails
    return " ".join(terms)[:MAX_TERMS_CHARS], " ".join(tails)[:MAX_TERMS_CHARS]


def row(pk: int, description: str, product: str, order_number: str, *messages) -> tuple[int, str, str]:
    """The words of a complaint's index row: (complaint id, terms, tails)."""
    terms, tails = _document(description, product, order_number, *messages)
    return (pk, terms, tails)


def _table() -> str:
    return connection.ops.quote_name(ComplaintText._meta.db_table)


def _complaints() -> str:
    return connection.ops.quote_name(ComplaintText._meta.get_field("complaint").related_model._meta.db_table)


def write_rows(rows: list[tuple[int, str, str]]) -> None:
    """INSERT index rows made by `row`, of complaints already written (their scope is read from them)."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {_table()} (complaint_id, terms, tails, scope) "
                f"SELECT c.id, %s, %s, {SCOPE} FROM {_complaints()} c WHERE c.id = %s",
                [(terms, tails, pk) for pk, terms, tails in rows],
            )


def complaints_moved(complaints: QuerySet) -> None:
    """After `complaints`' bureau in charge was written (`centre.jurisdiction.complaints_moved`): their rows'
    scope follows, in the same transaction, so that a district's search finds exactly what it holds."""
    sql, params = complaints.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET scope = (SELECT {SCOPE} FROM {_complaints()} c "
            f"WHERE c.id = {_table()}.complaint_id) WHERE complaint_id IN ({sql})",
            params,
        )


def complaint_filed(complaint) -> None:
    """Index a complaint just written (inside its filing's transaction)."""
    write_rows([_complaint_row(complaint)])


def _complaint_row(complaint, *messages: str) -> tuple:
    return row(complaint.pk, complaint.description, complaint.product, complaint.order_number, *messages)


# The complaint columns an import batch hands to `complaints_imported` (after writing them), in this order.
IMPORTED_COLUMNS = ("id", "description", "product", "order_number")


def complaints_imported(rows: Iterable[Iterable]) -> None:
    """Index an import batch: `rows` of the IMPORTED_COLUMNS' values."""
    write_rows([row(*r) for r in rows])


def indexes_message(event) -> bool:
    """Messages people wrote are searchable; the sentences the system writes (reminders, imports) are not,
    nor a filing's own event, whose message repeats the description."""
    return event.actor_id is not None and event.action != EventKind.SUBMIT and bool(event.message.strip())


def message_added(complaint, event) -> None:
    """Append an event's message to its complaint's terms (inside the event's transaction). A complaint
    with no row yet (stored before the index existed, and not rebuilt since) gets its whole row now."""
    if not indexes_message(event):
        return
    terms, tails = _document(event.message)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET "
            "terms = CASE WHEN length(terms) < %s THEN terms || ' ' || %s ELSE terms END, "
            "tails = CASE WHEN length(tails) < %s THEN tails || ' ' || %s ELSE tails END "
            "WHERE complaint_id = %s",
            [MAX_TERMS_CHARS, terms, MAX_TERMS_CHARS, tails, complaint.pk],
        )
        if cursor.rowcount:
            return
    messages = [e.message for e in complaint.events.order_by("created_at", "id") if indexes_message(e)]
    write_rows([_complaint_row(complaint, *messages)])
