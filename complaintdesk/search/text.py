"""Chinese (and mixed) text as search terms: one normalisation and one tokeniser for what is indexed and
what is asked, so that the two always agree (docs/decisions.md, "Chinese full-text search").

1. `normalise`: each character through NFKC (full-width letters and digits, compatibility ideographs →
   their plain forms), traditional → simplified (OpenCC's own character table, `TSCharacters.txt`) and
   case-folding. 「退款」、ＩＰＨＯＮＥ１５ and 退款 all become the same text.
2. `tokens`: a run of Chinese (or Japanese, Korean) characters becomes its overlapping character bigrams
   (电池鼓包 → 电池 池鼓 鼓包); a run of letters is one word (iphone), a run of digits one number (15);
   everything else separates. Letters and digits split where they meet (小米14 → 小米 14, iphone15 →
   iphone 15), so "iPhone 15" and "iPhone15" find each other.
3. A Chinese run of two or more characters also gives its last character as a "tail" (鼓包 → 包), kept in
   a column of its own: with the bigrams that start with a character, it lets a one-character search find
   that character wherever it stands, without breaking the bigrams' adjacency.

No Django here: the index and the query modules turn these into SQL.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

# Chinese ideographs (with extension A, compatibility ideographs and the supplementary planes), Japanese
# kana and Korean syllables: scripts written without spaces between words, indexed as bigrams.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<digits>\d+)|(?P<word>[^\W\d_{_CJK}]+)")
# A longer run (a pasted link's hash, a base64 blob) is cut: no one searches for it whole, and PostgreSQL
# refuses lexemes over 2 KB.
MAX_TOKEN_CHARS = 64


@functools.cache
def _traditional_to_simplified() -> dict[int, str]:
    """OpenCC's character table (opencc-python-reimplemented ships it): each traditional character to its
    first simplified form. Character by character, never phrase by phrase, so that every offset of the
    text stays where it was (the highlighting relies on it) and indexing stays fast."""
    table = {}
    path = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            target = targets.split()[0]
            if target != source:
                table[ord(source)] = target
    return table


class _Fold(dict):
    """`str.translate`'s table for `normalise`, filled on first sight of each character (a few thousand
    in practice): later lookups stay in C, about ten times faster than NFKC over the whole text."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).translate(_traditional_to_simplified()).casefold()
        self[code] = folded
        return folded


_FOLD = _Fold()


def normalise(text: str) -> str:
    """The text as the index sees it: NFKC, simplified characters, case-folded; character by character,
    so that the highlighting can map each folded character back to its own (`spans`)."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offsets in the text given to `spans`, `end` excluded
    end: int


def _terms_of_run(kind: str, run: str) -> list[str]:
    if kind != "cjk":
        return [run[:MAX_TOKEN_CHARS]]
    if len(run) == 1:
        return [run]
    return list(map(str.__add__, run, run[1:]))


def terms_and_tails(text: str) -> tuple[list[str], list[str]]:
    """The terms of `text` in order, and its tails (see the module's doc); the text is normalised here.
    (The indexing's hot path: one pass, plain strings.)"""
    terms, tails = [], []
    for match in _TOKEN.finditer(normalise(text)):
        run = match.group()
        terms += _terms_of_run(match.lastgroup, run)
        if match.lastgroup == "cjk" and len(run) > 1:
            tails.append(run[-1])
    return terms, tails


def tokens(text: str) -> list[str]:
    """The terms of `text`, in order."""
    return terms_and_tails(text)[0]


def spans(text: str) -> list[Token]:
    """The terms of `text` with their offsets in `text` itself (not in its normalised form), for
    highlighting. Normalises character by character, keeping where each normalised character came from."""
    parts = [_FOLD[ord(c)] for c in text]
    origin = [i for i, part in enumerate(parts) for _ in part]
    normalised = "".join(parts)
    out = []
    for match in _TOKEN.finditer(normalised):
        start = match.start()
        step = 1 if match.lastgroup == "cjk" else len(match.group())
        for i, term in enumerate(_terms_of_run(match.lastgroup, match.group())):
            first = start + i
            last = first + (len(term) if match.lastgroup == "cjk" else step) - 1
            out.append(Token(term, origin[first], origin[last] + 1))
    return out


@dataclass(frozen=True)
class Phrase:
    """One word of a query: its terms must stand next to each other, in order. A lone Chinese character
    (`single`) matches a bigram that starts with it, itself, or a run's tail."""

    terms: tuple[str, ...]

    @property
    def single(self) -> bool:
        return len(self.terms) == 1 and len(self.terms[0]) == 1 and bool(re.match(f"[{_CJK}]", self.terms[0]))


# A query's words beyond these are ignored: each is one more posting list to intersect.
MAX_QUERY_WORDS = 10


def parse(query: str) -> list[Phrase]:
    """The phrases of a query, all of which must match: its words, as split by spaces (a Chinese word
    written without spaces is matched as written). Nothing of the query's own syntax survives: only terms
    that `tokens` makes, so no search syntax a person types reaches the database."""
    phrases = []
    for word in query.split():
        terms = tuple(tokens(word))
        if terms and Phrase(terms) not in phrases:
            phrases.append(Phrase(terms))
    return phrases[:MAX_QUERY_WORDS]
