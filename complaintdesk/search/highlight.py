"""The words of a search marked in a complaint's text, for the web lists: the text escaped first, then the
matched stretches wrapped in <mark> (never the other way round, so nothing of the text is ever markup).

A stretch is marked where the search matched it: all the terms of a query word, next to each other and in
order (`text.Phrase`), or a lone character wherever it stands. Offsets come from `text.spans`, so 發黴 is
marked for a search of 发霉 and ｉＰｈｏｎｅ for iphone.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.search import text

# The characters an excerpt shows around its first match.
BEFORE, LENGTH = 30, 120
ELLIPSIS = "…"


def matched_stretches(value: str, phrases: list[text.Phrase]) -> list[tuple[int, int]]:
    """The (start, end) offsets in `value` that the phrases match, merged where they touch or overlap."""
    found = []
    tokens = text.spans(value)
    terms = [t.text for t in tokens]
    for phrase in phrases:
        if phrase.single:
            char = phrase.terms[0]
            found += [(i, i + 1) for i, c in enumerate(value) if text.normalise(c) == char]
            continue
        n = len(phrase.terms)
        for i in range(len(terms) - n + 1):
            if tuple(terms[i : i + n]) == phrase.terms:
                found.append((tokens[i].start, tokens[i + n - 1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(value: str, phrases: list[text.Phrase]) -> SafeString:
    """`value` as HTML, escaped, its matched stretches in <mark>."""
    return _marked(value, matched_stretches(value, phrases), 0, len(value))


def _marked(value: str, stretches: list[tuple[int, int]], start: int, end: int) -> SafeString:
    """`value[start:end]` as HTML, escaped, the `stretches` within it in <mark>."""
    out, at = [], start
    for s, e in stretches:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [escape(value[at:s]), "<mark>", escape(value[s:e]), "</mark>"]
        at = e
    out.append(escape(value[at:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text went through escape()


def excerpt(texts: Iterable[str], query: str) -> SafeString | None:
    """The first of `texts` in which the query matches, cut to about LENGTH characters around its first
    match and highlighted; None when none matches (the row then shows no excerpt)."""
    phrases = text.parse(query)
    if not phrases:
        return None
    for value in texts:
        stretches = matched_stretches(value, phrases) if value else []
        if not stretches:
            continue
        start = max(0, stretches[0][0] - BEFORE)
        end = min(len(value), start + LENGTH)
        body = _marked(value, stretches, start, end)
        return mark_safe(  # noqa: S308 - the ellipses are plain text, the body is escaped
            (ELLIPSIS if start else "") + body + (ELLIPSIS if end < len(value) else "")
        )
    return None


def page_excerpts(complaints: list, query: str) -> dict[int, SafeString]:
    """For a page of search results: each complaint's excerpt (by id) from its description, product, order
    number or the messages people wrote (the texts the index holds), with the messages of the whole page
    read in one query."""
    if not complaints:
        return {}
    messages = defaultdict(list)
    events = (
        ComplaintEvent.objects.filter(complaint__in=[c.pk for c in complaints], actor__isnull=False)
        .exclude(message="")
        .exclude(action=EventKind.SUBMIT)
        .order_by("created_at", "id")
        .values_list("complaint_id", "message")
    )
    for complaint_id, message in events:
        messages[complaint_id].append(message)
    out = {}
    for c in complaints:
        found = excerpt([c.description, c.product, c.order_number, *messages[c.pk]], query)
        if found is not None:
            out[c.pk] = found
    return out
