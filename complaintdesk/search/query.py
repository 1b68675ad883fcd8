"""Full-text search of complaints: `matching(complaints, query, scope)` narrows a queryset of complaints to
those whose words match, best first.

1. The query becomes phrases (`text.parse`): only terms the tokeniser makes reach the database, each
   quoted, as parameters; nothing of FTS5's or tsquery's syntax that a person types survives.
2. The index is asked for the newest `LIMIT` matches within the reader's scope (their shop's or their
   own complaints, a district bureau's, or one shop's): the scope is a term of the row, so the database
   intersects it with the words inside the full-text index rather than after it; a district's on
   PostgreSQL is its complaints' own column instead (`newest_ids`). Newest first because the work then
   stops at the limit, whatever the number of matches (a two-word query stays fast at millions of
   complaints): FTS5 hands out its matches in id order; PostgreSQL's GIN in none, so it is asked for the
   newest windows of ids first (`_newest_on_postgresql`).
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
from complaintdesk.complaints.models import Complaint
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.merchants.models import Merchant
from complaintdesk.search.models import FTS_TABLE, ComplaintText
from complaintdesk.search.text import Phrase, parse

# The matches a search ranks and answers: the newest this many in the reader's scope (docs/decisions.md).
LIMIT = 1000
# On SQLite, a district officer's search is narrowed in the index to its shops up to this many; past it, not
# in the index (the results are still narrowed by `visible_complaints`), so that a query's terms stay bounded.
SCOPE_MAX_SHOPS = 500
# The order of `matching`'s results, for their pages: each row's place in the ranking, then its id.
RANK = Order("search", (Key("search_rank"), Key("id")))


@dataclass(frozen=True)
class Scope:
    """Whose complaints a search reads: a shop's, a consumer's, both narrowed, a district bureau's, or every
    one (None). The same tenancy as `complaints.queries.visible_complaints`, which the results are narrowed
    by as well; here it keeps another shop's matches from taking the places of the reader's own."""

    merchant_id: int | None = None
    consumer_id: int | None = None
    nobody: bool = False
    # A district officer's bureau (SPEC §11): its complaints are those in its charge, one column of theirs
    # (`centre.jurisdiction.in_bureau`), which may be another district's shop's (transferred to it).
    bureau_id: int | None = None

    @classmethod
    def of(cls, user, merchant_id: int | None = None) -> "Scope":
        """The scope of what `user` may see, narrowed to the shop `merchant_id` when given."""
        if user.role == Role.REGULATOR:
            bureau = officer_bureau(user)
            if bureau is None or merchant_id is not None:
                return cls(merchant_id=merchant_id)
            return cls(bureau_id=bureau)
        if user.role in MERCHANT_ROLES and user.merchant_id:
            mismatch = merchant_id is not None and merchant_id != user.merchant_id
            return cls(merchant_id=user.merchant_id, nobody=mismatch)
        if user.role == Role.CONSUMER:
            return cls(merchant_id=merchant_id, consumer_id=user.pk)
        return cls(nobody=True)

    def terms(self) -> list[str]:
        """The scope terms a match must have, every one (a district's are not among them: `newest_ids`)."""
        return ([f"m{self.merchant_id}"] if self.merchant_id else []) + (
            [f"c{self.consumer_id}"] if self.consumer_id else []
        )


def bureau_shops(bureau: int) -> tuple[int, ...] | None:
    """SQLite's narrowing of a district's search in the index (`newest_ids`): the shops in the bureau's
    charge and those of a complaint transferred to it (one query over two small indexed sets, at most
    SCOPE_MAX_SHOPS + 1 rows read); None past SCOPE_MAX_SHOPS (not narrowed in the index). Not the shops of
    every case it holds: that reads each of its cases (8,200 of a district's at 1 M complaints, 70 ms, ten
    times that at 10 M), and a case is routed to its shop's bureau unless it was transferred (see
    docs/decisions.md for the one exception)."""
    moved_in = Transfer.objects.filter(to_bureau_id=bureau, complaint__isnull=False)
    shops = Merchant.objects.filter(
        Q(jurisdiction_id=bureau) | Q(pk__in=moved_in.values("complaint__merchant_id"))
    ).order_by("pk")
    found = tuple(shops.values_list("pk", flat=True)[: SCOPE_MAX_SHOPS + 1])
    return None if len(found) > SCOPE_MAX_SHOPS else found


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
        return _newest_on_postgresql(phrases, scope, limit)
    shops = bureau_shops(scope.bureau_id) if scope.bureau_id is not None else None
    if shops == ():
        return []
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"
    return _ids(sql, [fts5_expression(phrases, scope, shops or ()), limit])


def _ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


# PostgreSQL's document holds each complaint's window of ids, complaint_id // WINDOW, as a term of the city's
# ("w<n>") and of its shop's ("m<shop>w<n>"): search migration 0003, which has the number too.
WINDOW = 16384
# The windows one query asks for at most (their terms OR-ed); older matches are asked for in one more query.
WIDEST = 32


def _newest_on_postgresql(phrases: list[Phrase], scope: Scope, limit: int) -> list[int]:
    """`newest_ids` on PostgreSQL.

    GIN hands out its matches in no order: newest first means every match found and sorted, and the work
    of finding them grows with the table (its words' posting lists: 18,000 matches of 退款 鼓包 in the
    biggest shop at 2 M complaints, each row read for its id, 130 ms; five times that at 10 M). Walking the
    rows newest first instead and checking each row's document costs per row walked, 110,000 of them for
    that shop's 1,000 newest matches. So a search asks for the newest windows of ids first (a window's term
    is one more posting list, short, to intersect with the words'): the newest two windows, then the four
    before them, then eight, …, until `limit` are found; past WIDEST windows, or when the first two held
    too few matches for that, the rest in one query. A consumer's complaints are few (their scope term is
    short already): one query.

    A district's matches are the city's windows' matches among its complaints by their own column
    (`Complaint.bureau`, exactly its tenancy, which a transfer changes, so no term of the document): each
    match's complaint looked up by its key. Its shops' scope terms in the tsquery instead (as on SQLite: an
    OR of 100-500) made GIN union the posting lists of that many frequent terms (270-340 ms for the bitmap
    alone at 2 M), and walking the bureau's complaints newest first, each one's document checked, cost per
    complaint walked (110 ms at 10 M for 退款 鼓包, 26-29 s for a phrase when the planner chose otherwise)."""
    q = connection.ops.quote_name
    text = q(ComplaintText._meta.db_table)
    words = tsquery(phrases, scope)
    if scope.bureau_id is None:
        matching, fixed = f"SELECT t.complaint_id FROM {text} t WHERE t.document @@ %s::tsquery", []
    else:
        matching = (
            f"SELECT c.id FROM {q(Complaint._meta.db_table)} c JOIN {text} t ON t.complaint_id = c.id "
            "WHERE c.bureau_id = %s AND t.document @@ %s::tsquery"
        )
        fixed = [scope.bureau_id]
    order = "ORDER BY t.complaint_id DESC LIMIT %s"
    if scope.consumer_id is not None:
        return _ids(f"{matching} {order}", [*fixed, words, limit])
    window = f"m{scope.merchant_id}w" if scope.merchant_id else "w"
    last = _ids(f"SELECT max(complaint_id) FROM {text}", [])[0] or 0
    found: list[int] = []
    high, span = last // WINDOW, 2
    while high >= 0 and len(found) < limit:
        # Past WIDEST windows, or when the newest two held too few matches for the windows to reach `limit`
        # (a small shop's, rare words: their posting lists are short, one query reads them), the rest, older
        # than every window asked for, in one query.
        if span > WIDEST or (span == 4 and len(found) * WIDEST < limit):
            older = f"{matching} AND t.complaint_id < %s {order}"
            return found + _ids(older, [*fixed, words, (high + 1) * WINDOW, limit - len(found)])
        low = max(0, high - span + 1)
        windows = " | ".join(_lexeme(f"{window}{n}") for n in range(low, high + 1))
        found += _ids(f"{matching} {order}", [*fixed, f"{words} & ({windows})", limit - len(found)])
        high, span = low - 1, span * 2
    return found


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


def fts5_expression(phrases: list[Phrase], scope: Scope, shops: tuple[int, ...] = ()) -> str:
    """An FTS5 MATCH expression: the scope's terms in the `scope` column, one of `shops`' when given (a
    district's, `bureau_shops`), each phrase in `terms` (a lone Chinese character: a term that starts with
    it, or a run's tail). A district's shops as terms are fine on FTS5: `q=退款 鼓包` of a district officer
    at 10 M complaints answers in 44 ms (median) / 96 ms (p95), docs/benchmarks.md."""
    parts = [f"scope : {_fts5_string(term)}" for term in scope.terms()]
    if shops:
        parts.append("(" + " OR ".join(f"scope : {_fts5_string(f'm{pk}')}" for pk in shops) + ")")
    for phrase in phrases:
        if phrase.single:
            char = _fts5_string(phrase.terms[0])
            parts.append(f"(terms : {char} * OR tails : {char})")
        else:
            parts.append(f"terms : {_fts5_string(' '.join(phrase.terms))}")
    return " AND ".join(parts)


def _lexeme(term: str, weight: str = "", prefix: bool = False) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    marks = ("*" if prefix else "") + weight
    return f"{quoted}:{marks}" if marks else quoted


def tsquery(phrases: list[Phrase], scope: Scope | None = None) -> str:
    """A tsquery's text over the document (terms, tails and scope; migration 0002), read by a `::tsquery`
    cast, which takes the lexemes as they are (no parser, no dictionary). A district's scope is no term here
    (`_newest_on_postgresql`).

    Weights only where they decide: the three kinds of lexeme cannot be mistaken for each other (a tail is
    one Chinese character, which a one-character search wants as well; a scope term mixes letters and
    digits, which `text.tokens` always splits), and a weight makes GIN's answer a guess that each row's
    document is read again to confirm (a big shop's common words: thousands of documents, 250 ms at 10 M
    complaints). A phrase of several terms is confirmed anyway (GIN keeps no positions): there its terms
    keep weight A, so that a phrase cannot run from the last term into the tails."""
    parts = [_lexeme(term) for term in (scope.terms() if scope else [])]
    for phrase in phrases:
        if phrase.single:
            parts.append(_lexeme(phrase.terms[0], prefix=True))  # a term that starts with it, or a tail
        elif len(phrase.terms) == 1:
            parts.append(_lexeme(phrase.terms[0]))
        else:
            parts.append("(" + " <-> ".join(_lexeme(term, "A") for term in phrase.terms) + ")")
    return " & ".join(parts)
