"""Personal data in free text (SPEC §1): where it is and what kind it is.

The one definition behind `lib.masking` (partial masks for shop staff, the API and the logs) and
`stats.scrub` (placeholders in the open data): both render the spans `find` returns, so whatever one of
them hides, the other hides too.

Recognised:
- e-mail addresses;
- PRC resident ID numbers: 18 characters (the last may be X) with a valid GB 11643 check character or a
  plausible birth date; the old 15-digit form with a plausible birth date;
- bank card numbers: 13–19 digits, run together or in groups of 4 separated by spaces or dashes, that
  pass the Luhn check;
- Chinese mobile numbers: 1[3-9] and 9 more digits, with or without +86 / 86, spaces or dashes;
- Chinese landlines: 0 + a 2–3 digit area code, parenthesised or not, 7–8 digits, an optional -extension;
- US phone numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567.
Not recognised, on purpose: the CFPB's own redactions (XXXX, XX/XX/XXXX), dates, amounts, references,
and order numbers that are neither an ID number nor Luhn-valid. A digit run glued to Latin letters
(SN110105491231002, ORD4111111111111111) is a product or order code, not an ID or card number.

Where candidates overlap, the one that starts first wins, then the longer one, then the more specific kind
in the order of `Kind`: an e-mail address (nothing else has an @), an ID number (a check character or a
birth date), the national phone formats, a card number (a Luhn check alone passes one digit run in ten),
the loosely shaped US number. So 13812345678@qq.com is one e-mail address, and 8613812345678 is a mobile
number even when it happens to be Luhn-valid.
"""

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import NamedTuple


class Kind(StrEnum):
    """Most specific first: the order decides between two candidates of the same span."""

    EMAIL = "email"
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    LANDLINE = "landline"
    CARD = "card"
    US_PHONE = "us_phone"


class Span(NamedTuple):
    """One piece of personal data: `text[start:end]`.

    `parts` are the named groups of its match, for what a partial mask shows and cannot read back from
    `text` alone: a mobile's `prefix` (+86 and the network code, as written), a landline's `area` code
    and `last4` (an extension may follow them)."""

    start: int
    end: int
    kind: Kind
    text: str
    parts: Mapping[str, str]


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:(?P<born>\d{8})\d{3}[0-9Xx]|(?P<born_yymmdd>\d{6})\d{3})(?![0-9A-Za-z])"
)
_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])(?P<prefix>(?:\+?86[\s-]?)?1[3-9]\d)(?:[\s-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(
    r"(?<!\d)(\()?(?P<area>0\d{2,3})(?(1)\))[\s-]?\d{3,4}[\s-]?(?P<last4>\d{4})(?:-\d{1,5})?(?!\d)"
)
_US_PHONE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")
# Every kind but e-mail has at least seven digits, none more than two of these separators from the next.
# One scan for that rules out nearly all narratives (amounts, years, CFPB redactions) before five others.
_SEVEN_CLOSE_DIGITS = re.compile(r"\d(?:[\s().+-]{0,2}\d){6}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """GB 11643: Σ digit × weight mod 11 indexes '10X98765432'."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_valid(digits: str) -> bool:
    """ISO/IEC 7812: double every second digit from the right, subtract 9 above 9; the sum ends in 0."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _is_id_number(match: re.Match) -> bool:
    if match["born"] is None:
        return _plausible_birth("19" + match["born_yymmdd"])
    number = match[0]
    return _plausible_birth(match["born"]) or id_check_character(number[:17]) == number[17].upper()


def _is_card(match: re.Match) -> bool:
    return luhn_valid(match[0].replace(" ", "").replace("-", ""))


_DIGIT_KINDS: tuple[tuple[Kind, re.Pattern, Callable[[re.Match], bool] | None], ...] = (
    (Kind.ID_NUMBER, _ID_NUMBER, _is_id_number),
    (Kind.MOBILE, _MOBILE, None),
    (Kind.LANDLINE, _LANDLINE, None),
    (Kind.CARD, _CARD, _is_card),
    (Kind.US_PHONE, _US_PHONE, None),
)
_RANK = {kind: rank for rank, kind in enumerate(Kind)}


def find(text: str) -> list[Span]:
    """The personal data in `text`, in text order, no two spans overlapping.

    1. Each kind's pattern finds its candidates; its check (check character, birth date, Luhn) drops
       those that only look the part.
    2. Candidates are ordered by start, then longest first, then `Kind` order; one that overlaps a span
       already taken is dropped.
    """
    candidates: list[tuple[int, int, int, Kind, re.Match]] = []
    if "@" in text:
        candidates += ((m.start(), -m.end(), _RANK[Kind.EMAIL], Kind.EMAIL, m) for m in _EMAIL.finditer(text))
    if _SEVEN_CLOSE_DIGITS.search(text):
        for kind, pattern, is_real in _DIGIT_KINDS:
            candidates += (
                (m.start(), -m.end(), _RANK[kind], kind, m)
                for m in pattern.finditer(text)
                if is_real is None or is_real(m)
            )
    spans: list[Span] = []
    taken_until = 0
    for start, _, _, kind, match in sorted(candidates, key=lambda c: c[:3]):
        if start >= taken_until:
            parts = {name: value for name, value in match.groupdict().items() if value is not None}
            spans.append(Span(start, match.end(), kind, match[0], parts))
            taken_until = match.end()
    return spans


def replace(text: str, render: Callable[[Span], str]) -> str:
    """`text` with each span of personal data replaced by `render(span)`, the rest unchanged."""
    spans = find(text) if text else []
    if not spans:
        return text
    pieces, written_until = [], 0
    for span in spans:
        pieces += (text[written_until : span.start], render(span))
        written_until = span.end
    pieces.append(text[written_until:])
    return "".join(pieces)
