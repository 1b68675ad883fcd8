"""Full-text search of complaints: `matching(complaints, query, scope)` narrows a queryset of complaints to
those whose words match, best first.

1. The query becomes phrases (`text.parse`): only terms the tokeniser makes reach the database, each
   quoted, as parameters; nothing of FTS5's or tsquery's syntax that a person types survives.
2. The index is asked for the newest `LIMIT` matches within the reader's scope (their shop's or their
   own complaints, or one shop's): the scope is a term of the row, so the database intersects it with the
   words inside the full-text index rather than after it. Newest first because both indexes hand out
   matches in id order and stop at the limit, whatever the number of matches (a two-word query stays fast
   at millions of complaints).
3. Those are ranked (SQLite: bm25; PostgreSQL: ts_rank) and the queryset is narrowed to them, ordered by
   rank: every other filter of the caller and the tenancy of `complaints` still apply in the same query.
   (The one place this app writes SQL for a queryset of another app's model: the rank order as a
   parameter, `_position_in`.)
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.search.models import FTS_TABLE, ComplaintText
from complaintdesk.search.text import Phrase, parse

# The matches a search ranks and answers: the newest this many in the reader's scope (docs/decisions.md).
LIMIT = 1000


@dataclass(frozen=True)
class Scope:
    """Whose complaints a search reads: a shop's, a consumer's, both narrowed, or every one (None). The
    same tenancy as `complaints.queries.visible_complaints`, which the results are narrowed by as well;
    here it keeps another shop's matches from taking the places of the reader's own."""

    merchant_id: int | None = None
    consumer_id: int | None = None
    nobody: bool = False

    @classmethod
    def of(cls, user, merchant_id: int | None = None) -> "Scope":
        """The scope of what `user` may see, narrowed to the shop `merchant_id` when given."""
        if user.role == Role.REGULATOR:
            return cls(merchant_id=merchant_id)
        if user.role in MERCHANT_ROLES and user.merchant_id:
            mismatch = merchant_id is not None and merchant_id != user.merchant_id
            return cls(merchant_id=user.merchant_id, nobody=mismatch)
        if user.role == Role.CONSUMER:
            return cls(merchant_id=merchant_id, consumer_id=user.pk)
        return cls(nobody=True)

    def terms(self) -> list[str]:
        return ([f"m{self.merchant_id}"] if self.merchant_id else []) + (
            [f"c{self.consumer_id}"] if self.consumer_id else []
        )


def matching(complaints: QuerySet, query: str, scope: Scope) -> QuerySet:
    """`complaints` whose words match `query`, best first (at most LIMIT, see the module's doc). A blank
    query is no search (`complaints` as they are); one with no searchable word (only punctuation) matches
    nothing."""
    if not query.strip():
        return complaints
    phrases = parse(query)
    if not phrases or scope.nobody:
        return complaints.none()
    ids = ranked_ids(phrases, scope)
    if not ids:
        return complaints.none()
    return complaints.filter(pk__in=ids).order_by(_position_in(complaints.model, ids))


def _position_in(model, ids: list[int]) -> RawSQL:
    """Each row's place in `ids`, as one parameter: a CASE of a thousand WHENs costs the ORM about 0.3 s
    to build, this nothing (and the database a few milliseconds over a thousand rows)."""
    q = connection.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(%s::bigint[], {column})", (ids,))
    return RawSQL(f"instr(%s, ',' || {column} || ',')", (f",{','.join(map(str, ids))},",))


def ranked_ids(phrases: list[Phrase], scope: Scope, limit: int | None = None) -> list[int]:
    """The ids of the newest `limit` (LIMIT) complaints in `scope` that match every phrase, best first."""
    limit = limit or LIMIT
    if connection.vendor == "postgresql":
        return _ranked_ids_postgresql(phrases, scope, limit)
    return _ranked_ids_sqlite(phrases, scope, limit)


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(phrases: list[Phrase], scope: Scope) -> str:
    """An FTS5 MATCH expression: the scope's terms in the `scope` column, each phrase in `terms` (a lone
    Chinese character: a term that starts with it, or a run's tail)."""
    parts = [f"scope : {_fts5_string(term)}" for term in scope.terms()]
    for phrase in phrases:
        if phrase.single:
            char = _fts5_string(phrase.terms[0])
            parts.append(f"(terms : {char} * OR tails : {char})")
        else:
            parts.append(f"terms : {_fts5_string(' '.join(phrase.terms))}")
    return " AND ".join(parts)


def _ranked_ids_sqlite(phrases, scope, limit) -> list[int]:
    # bm25's weights by column: terms, tails (one-character matches count less), scope (not at all).
    # Lower is better. The inner query stops at `limit` rows: FTS5 walks its matches in rowid order.
    sql = (
        f"SELECT rowid FROM (SELECT rowid, bm25({FTS_TABLE}, 1.0, 0.5, 0.0) AS score FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s) ORDER BY score, rowid DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_expression(phrases, scope), limit])
        return [r[0] for r in cursor.fetchall()]


def _lexeme(term: str, weight: str, prefix: bool = False) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{'*' if prefix else ''}{weight}"


def tsquery(phrases: list[Phrase], scope: Scope | None = None) -> str:
    """A tsquery's text over the weighted document (A: terms, B: tails, D: scope; migration 0002), read by
    a `::tsquery` cast, which takes the lexemes as they are (no parser, no dictionary)."""
    parts = [_lexeme(term, "D") for term in (scope.terms() if scope else [])]
    for phrase in phrases:
        if phrase.single:
            char = phrase.terms[0]
            parts.append(f"({_lexeme(char, 'A', prefix=True)} | {_lexeme(char, 'B')})")
        else:
            parts.append("(" + " <-> ".join(_lexeme(term, "A") for term in phrase.terms) + ")")
    return " & ".join(parts)


def _ranked_ids_postgresql(phrases, scope, limit) -> list[int]:
    # ts_rank's weights are {D, C, B, A}: the scope's terms count for nothing, tails for less. The rank
    # reads the words' query only: a scope term in it would weigh every pair it is in to zero.
    # Normalisation 1 divides by 1 + log(document length): long threads do not win by length alone.
    table = connection.ops.quote_name(ComplaintText._meta.db_table)
    sql = (
        f"SELECT complaint_id FROM (SELECT complaint_id, document FROM {table} "
        "WHERE document @@ %s::tsquery ORDER BY complaint_id DESC LIMIT %s) AS newest "
        "ORDER BY ts_rank('{0, 0, 0.5, 1}', document, %s::tsquery, 1) DESC, complaint_id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery(phrases, scope), limit, tsquery(phrases)])
        return [r[0] for r in cursor.fetchall()]
