"""Full-text search of complaints: `matching(complaints, query, scope)` narrows a queryset of complaints to
those whose words match, best first.

1. The query becomes phrases (`text.parse`): only terms the tokeniser makes reach the database, each
   quoted, as parameters; nothing of FTS5's or tsquery's syntax that a person types survives.
2. The index is asked for the newest `LIMIT` matches within the reader's scope (their shop's or their
   own complaints, a district bureau's shops', or one shop's): the scope is a term of the row, so the
   database intersects it with the words inside the full-text index rather than after it. Newest first because both indexes hand out
   matches in id order and stop at the limit, whatever the number of matches (a two-word query stays fast
   at millions of complaints).
3. Those are ranked by BM25 over their own terms (`rank`, the same on both databases) and the queryset is
   narrowed to them, ordered by rank: every other filter of the caller and the tenancy of `complaints`
   still apply in the same query.
   (The one place this app writes SQL for a queryset of another app's model: the rank order as a
   parameter, `_position_in`.)
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.centre.models import Transfer
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.merchants.models import Merchant
from complaintdesk.search.models import FTS_TABLE, ComplaintText
from complaintdesk.search.text import Phrase, parse

# The matches a search ranks and answers: the newest this many in the reader's scope (docs/decisions.md).
LIMIT = 1000
# A district officer's search is narrowed in the index to its shops up to this many; past it, not in the
# index (the results are still narrowed by `visible_complaints`), so that a query's terms stay bounded.
SCOPE_MAX_SHOPS = 500
# The order of `matching`'s results, for their pages: each row's place in the ranking, then its id.
RANK = Order("search", (Key("search_rank"), Key("id")))


@dataclass(frozen=True)
class Scope:
    """Whose complaints a search reads: a shop's, a consumer's, both narrowed, or every one (None). The
    same tenancy as `complaints.queries.visible_complaints`, which the results are narrowed by as well;
    here it keeps another shop's matches from taking the places of the reader's own."""

    merchant_id: int | None = None
    consumer_id: int | None = None
    nobody: bool = False
    # One of these shops: a district officer's (SPEC §11), whose complaints are those of the shops in its
    # bureau's charge and those its bureau holds, which may be another district's shop's.
    merchant_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, user, merchant_id: int | None = None) -> "Scope":
        """The scope of what `user` may see, narrowed to the shop `merchant_id` when given."""
        if user.role == Role.REGULATOR:
            bureau = officer_bureau(user)
            if bureau is None or merchant_id is not None:
                return cls(merchant_id=merchant_id)
            return cls.of_bureau(bureau)
        if user.role in MERCHANT_ROLES and user.merchant_id:
            mismatch = merchant_id is not None and merchant_id != user.merchant_id
            return cls(merchant_id=user.merchant_id, nobody=mismatch)
        if user.role == Role.CONSUMER:
            return cls(merchant_id=merchant_id, consumer_id=user.pk)
        return cls(nobody=True)

    @classmethod
    def of_bureau(cls, bureau: int) -> "Scope":
        """A district bureau's complaints: of the shops in its charge, or of a shop whose complaint was
        transferred to it (one query over two small indexed sets, at most SCOPE_MAX_SHOPS + 1 rows read).
        Not the shops of every case it holds: that reads each of its cases (8,200 of a district's at 1 M
        complaints, 70 ms, ten times that at 10 M), and a case is routed to its shop's bureau unless it was
        transferred (see docs/decisions.md for the one exception)."""
        moved_in = Transfer.objects.filter(to_bureau_id=bureau, complaint__isnull=False)
        shops = Merchant.objects.filter(
            Q(jurisdiction_id=bureau) | Q(pk__in=moved_in.values("complaint__merchant_id"))
        ).order_by("pk")
        found = list(shops.values_list("pk", flat=True)[: SCOPE_MAX_SHOPS + 1])
        if len(found) > SCOPE_MAX_SHOPS:
            return cls()
        return cls(merchant_ids=tuple(found), nobody=not found)

    def terms(self) -> list[str]:
        """The scope terms a match must have, every one."""
        return ([f"m{self.merchant_id}"] if self.merchant_id else []) + (
            [f"c{self.consumer_id}"] if self.consumer_id else []
        )

    def any_terms(self) -> list[str]:
        """The scope terms a match must have one of (none: no such condition)."""
        return [f"m{pk}" for pk in self.merchant_ids]


def matching(complaints: QuerySet, query: str, scope: Scope) -> QuerySet:
    """`complaints` whose words match `query`, best first (at most LIMIT, see the module's doc). A blank
    query is no search (`complaints` as they are); one with no searchable word (only punctuation) matches
    nothing."""
    if not query.strip():
        return complaints
    phrases = parse(query)
    ids = ranked_ids(phrases, scope) if phrases and not scope.nobody else []
    # The rank is an annotation, so that a list of results pages by it (`RANK`, lib.cursor).
    ranked = _candidates(complaints, ids).annotate(search_rank=_position_in(complaints.model, ids))
    return ranked.order_by("search_rank") if ids else ranked.none()


def _candidates(complaints: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of `complaints` among `ids`, read by their keys: each candidate is looked up, then checked
    against the caller's filters and tenancy (an EXISTS on that one row). With the filters beside the
    candidates, the database may walk the index of one of them instead, every complaint of a big shop or
    of a state (SQLite did: 110 ms for the biggest shop at 1 M complaints, growing with the shop)."""
    if complaints.query.annotations or complaints.query.is_sliced:
        return complaints.filter(pk__in=_one_of(ids))
    within = complaints.filter(pk=OuterRef("pk"))
    found = complaints.model._default_manager.filter(Exists(within), pk__in=_one_of(ids))
    found.query.select_related = complaints.query.select_related
    return found.prefetch_related(*complaints._prefetch_related_lookups)


def order_of(results: QuerySet, otherwise: Order) -> Order:
    """The order `matching`'s `results` page by: RANK, or `otherwise` when the query was blank (no search)."""
    return RANK if "search_rank" in results.query.annotations else otherwise


def _one_of(ids: list[int]) -> RawSQL:
    """The candidates as one parameter (a thousand values would be a thousand, each built by the ORM)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _position_in(model, ids: list[int]) -> RawSQL:
    """Each row's place in `ids`, as one parameter: a CASE of a thousand WHENs costs the ORM about 0.3 s
    to build, this nothing (and the database a few milliseconds over a thousand rows)."""
    q = connection.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(%s::bigint[], {column})", (ids,), output_field=IntegerField())
    return RawSQL(
        f"instr(%s, ',' || {column} || ',')", (f",{','.join(map(str, ids))},",), output_field=IntegerField()
    )


def ranked_ids(phrases: list[Phrase], scope: Scope, limit: int | None = None) -> list[int]:
    """The ids of the newest `limit` (LIMIT) complaints in `scope` that match every phrase, best first."""
    return rank(newest_ids(phrases, scope, limit or LIMIT), phrases)


def newest_ids(phrases: list[Phrase], scope: Scope, limit: int) -> list[int]:
    """The ids of the newest `limit` complaints in `scope` that match every phrase, newest first. Both
    indexes walk their matches in id order and stop at the limit (no ranking function in the query:
    FTS5's bm25() counts every match of each word on each query, 44 ms for 退款 at 1 M complaints
    against 0.3 ms without, and ten times that at 10 M)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ComplaintText._meta.db_table)
        sql = (
            f"SELECT complaint_id FROM {table} WHERE document @@ %s::tsquery "
            "ORDER BY complaint_id DESC LIMIT %s"
        )
        params = [tsquery(phrases, scope), limit]
    else:
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"
        params = [fts5_expression(phrases, scope), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


# BM25's usual constants: how soon more occurrences of a word stop counting, how much length counts.
K1, B = 1.2, 0.75


def rank(ids: list[int], phrases: list[Phrase]) -> list[int]:
    """`ids` best first by BM25 over their own terms (read from the rows), then newest first.

    BM25's saturation and length normalisation without its inverse document frequency: every candidate
    contains every word, and the frequency would need the words' counts over the whole table (what makes
    bm25() slow above). A lone character counts where it starts a term, and half where it ends a run.
    Lengths are measured against the candidates' average."""
    rows = ComplaintText.objects.filter(pk__in=ids).values_list("complaint_id", "terms", "tails")
    documents = {
        pk: (f" {terms.replace(' ', '  ')} ", f" {tails.replace(' ', '  ')} ", terms.count(" ") + 1)
        for pk, terms, tails in rows
    }
    if not documents:
        return []
    average = sum(length for _, _, length in documents.values()) / len(documents)
    # Terms are two spaces apart, so " a  b " finds the phrase a b, and repeats of a term each count.
    patterns = [
        (p.single, f" {'  '.join(p.terms)}" if p.single else f" {'  '.join(p.terms)} ") for p in phrases
    ]

    def score(pk: int) -> float:
        terms, tails, length = documents[pk]
        total = 0.0
        for single, pattern in patterns:
            found = terms.count(pattern) + (tails.count(pattern + " ") / 2 if single else 0)
            total += found * (K1 + 1) / (found + K1 * (1 - B + B * length / average))
        return total

    return sorted(documents, key=lambda pk: (-score(pk), -pk))


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(phrases: list[Phrase], scope: Scope) -> str:
    """An FTS5 MATCH expression: the scope's terms in the `scope` column, each phrase in `terms` (a lone
    Chinese character: a term that starts with it, or a run's tail)."""
    parts = [f"scope : {_fts5_string(term)}" for term in scope.terms()]
    if any_terms := scope.any_terms():
        parts.append("(" + " OR ".join(f"scope : {_fts5_string(term)}" for term in any_terms) + ")")
    for phrase in phrases:
        if phrase.single:
            char = _fts5_string(phrase.terms[0])
            parts.append(f"(terms : {char} * OR tails : {char})")
        else:
            parts.append(f"terms : {_fts5_string(' '.join(phrase.terms))}")
    return " AND ".join(parts)


def _lexeme(term: str, weight: str, prefix: bool = False) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{'*' if prefix else ''}{weight}"


def tsquery(phrases: list[Phrase], scope: Scope | None = None) -> str:
    """A tsquery's text over the weighted document (A: terms, B: tails, D: scope; migration 0002), read by
    a `::tsquery` cast, which takes the lexemes as they are (no parser, no dictionary)."""
    parts = [_lexeme(term, "D") for term in (scope.terms() if scope else [])]
    if any_terms := (scope.any_terms() if scope else []):
        parts.append("(" + " | ".join(_lexeme(term, "D") for term in any_terms) + ")")
    for phrase in phrases:
        if phrase.single:
            char = phrase.terms[0]
            parts.append(f"({_lexeme(char, 'A', prefix=True)} | {_lexeme(char, 'B')})")
        else:
            parts.append("(" + " <-> ".join(_lexeme(term, "A") for term in phrase.terms) + ")")
    return " & ".join(parts)
