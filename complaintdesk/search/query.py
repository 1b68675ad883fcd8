"""Full-text search of complaints: `matching(complaints, query, scope)` narrows a queryset of complaints to
those whose words match, best first.

1. The query becomes phrases (`text.parse`): only terms the tokeniser makes reach the database, each
   quoted, as parameters; nothing of FTS5's or tsquery's syntax that a person types survives.
2. The index is asked for the newest `LIMIT` matches within the reader's scope (their shop's or their
   own complaints, a district bureau's, or one shop's): the scope is a term of the row (`index.SCOPE`), so
   the database intersects it with the words inside the full-text index rather than after it. Newest
   first because the work then stops at the limit, whatever the number of matches (a two-word query stays
   fast at millions of complaints): FTS5 hands out its matches in id order; PostgreSQL's GIN in none, so it
   is asked for the newest windows of ids first (`_newest_on_postgresql`).
3. Those are ranked by BM25 over their own terms (`rank`, the same on both databases) and the queryset is
   narrowed to them, ordered by rank: every other filter of the caller and the tenancy of `complaints`
   still apply in the same query.
   (The one place this app writes SQL for a queryset of another app's model: the rank order as a
   parameter, `_position_in`.)
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, IntegerField, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.ids import as_array, one_of
from complaintdesk.search.models import FTS_TABLE, ComplaintText
from complaintdesk.search.text import Phrase, parse

# The matches a search ranks and answers: the newest this many in the reader's scope (docs/decisions.md).
LIMIT = 1000
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
    # A district officer's bureau (SPEC §11): its complaints are those in its charge (`Complaint.bureau`,
    # `centre.jurisdiction.in_bureau`), which may be another district's shop's (transferred to it); the
    # rows' scope names it and follows it (`index.complaints_moved`).
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
        """The scope terms a match must have, every one."""
        named = (("m", self.merchant_id), ("b", self.bureau_id), ("c", self.consumer_id))
        return [f"{letter}{pk}" for letter, pk in named if pk is not None]

    def windows(self) -> str:
        """The prefix of the terms of its windows of ids (PostgreSQL, `_newest_on_postgresql`): its shop's or
        its bureau's, else the city's."""
        if self.merchant_id is not None:
            return f"m{self.merchant_id}w"
        return "w" if self.bureau_id is None else f"b{self.bureau_id}w"


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
        return complaints.filter(pk__in=one_of(ids))
    within = complaints.filter(pk=OuterRef("pk"))
    found = complaints.model._default_manager.filter(Exists(within), pk__in=one_of(ids))
    found.query.select_related = complaints.query.select_related
    return found.prefetch_related(*complaints._prefetch_related_lookups)


def order_of(results: QuerySet, otherwise: Order) -> Order:
    """The order `matching`'s `results` page by: RANK, or `otherwise` when the query was blank (no search)."""
    return RANK if "search_rank" in results.query.annotations else otherwise


def _position_in(model, ids: list[int]) -> RawSQL:
    """Each row's place in `ids`, as one parameter: a CASE of a thousand WHENs costs the ORM about 0.3 s
    to build, this nothing (and the database a few milliseconds over a thousand rows)."""
    q = connection.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(
            f"array_position(%s::bigint[], {column})", (as_array(ids),), output_field=IntegerField()
        )
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
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"
    return _ids(sql, [fts5_expression(phrases, scope), limit])


def _ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


# PostgreSQL's document holds each complaint's window of ids, complaint_id // WINDOW, as a term of the city's
# ("w<n>"), of its shop's ("m<shop>w<n>") and of its bureau's ("b<bureau>w<n>"): search migrations 0003 and
# 0004, which have the number too.
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
    too few matches for that, the rest in one query. A district's windows are its bureau's, as a shop's are
    its own (search 0004: before, the city's windows' matches were each looked up for their complaint's
    bureau, eight for every one kept for a bureau of 12 %: 176 / 203 ms at 10 M for 退款 鼓包). A consumer's
    complaints are few (their scope term is short already): one query."""
    text = connection.ops.quote_name(ComplaintText._meta.db_table)
    words = tsquery(phrases, scope)
    matching = f"SELECT complaint_id FROM {text} WHERE document @@ %s::tsquery"
    order = "ORDER BY complaint_id DESC LIMIT %s"
    if scope.consumer_id is not None:
        return _ids(f"{matching} {order}", [words, limit])
    window = scope.windows()
    last = _ids(f"SELECT max(complaint_id) FROM {text}", [])[0] or 0
    found: list[int] = []
    high, span = last // WINDOW, 2
    while high >= 0 and len(found) < limit:
        # Past WIDEST windows, or when the newest two held too few matches for the windows to reach `limit`
        # (a small shop's, rare words: their posting lists are short, one query reads them), the rest, older
        # than every window asked for, in one query.
        if span > WIDEST or (span == 4 and len(found) * WIDEST < limit):
            older = f"{matching} AND complaint_id < %s {order}"
            return found + _ids(older, [words, (high + 1) * WINDOW, limit - len(found)])
        low = max(0, high - span + 1)
        windows = " | ".join(_lexeme(f"{window}{n}") for n in range(low, high + 1))
        found += _ids(f"{matching} {order}", [f"{words} & ({windows})", limit - len(found)])
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
    rows = ComplaintText.objects.filter(pk__in=one_of(ids)).values_list("complaint_id", "terms", "tails")
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
    cast, which takes the lexemes as they are (no parser, no dictionary).

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
