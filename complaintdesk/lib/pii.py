"""Personal data in free text (SPEC §1): where it is and what kind it is.

The one definition behind `lib.masking` (partial masks for shop staff, the API and the logs) and
`stats.scrub` (placeholders in the open data): both render the spans `find` returns, so whatever one of
them hides, the other hides too (the masks show some kinds in full: `masking` says which and why).

Text is matched in its NFKC form, character by character, with every dash read as '-' (`fold`): full-width
digits, letters and '＠', circled digits, ideographic spaces, en- and em-dashes, minus signs… Spans are
positions in the text as written, so a mask or a placeholder replaces exactly the characters that were
there.

Recognised, personal data:
- e-mail addresses (local part ≤ 64 characters, labels ≤ 63, as RFC 5321 bounds them);
- PRC resident ID numbers: 18 characters (the last may be X) with a valid GB 11643 check character or a
  plausible birth date; the old 15-digit form with a plausible birth date;
- Chinese mobile numbers: 1[3-9] and 9 more digits, with or without +86 / 86, spaces or dashes;
- Chinese landlines: 0 + a 2–3 digit area code, parenthesised or not, 7–8 digits, an optional -extension;
- bank card numbers: 13–19 digits, run together or in groups of 4 separated by spaces or dashes, that
  pass the Luhn check;
- US phone numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567;
- WeChat and QQ ids after their usual words (微信, 微信号, VX, WX, WeChat, weixin, QQ, 扣扣, 企鹅号) and a
  separator (：, 是, 号码…), glued to the word, or after a space when the id has a digit, '_' or '-';
- Chinese street addresses: place names ending in 省/市/区/县/镇/街道/路/街/巷/弄/小区/村… followed by at
  least one number with its unit (100号, 3室, 2单元, 5栋), as in 上海市黄浦区南京东路100号3室.
Recognised, traceable (`TRACEABLE`): they lead to a person only through our records or the shop's:
- our complaint references, TS-2026-0000136;
- order numbers: a letter prefix and digit groups (JD-20261122-5567, at least 6 digits in the first
  group), or 6+ digits after 订单号 / order no.
Not recognised, on purpose: names (nothing tells them from other words: the open data publishes the text
only with the consumer's consent), the CFPB's own redactions (XXXX, XX/XX/XXXX), dates, amounts, and
digit runs that are neither an ID number nor Luhn-valid nor introduced as an order number.

Where candidates overlap, personal data is chosen first and an order number or reference only where no
personal data is (so TEL13912345678 is a mobile number, not an order code around one); within each group
the one that starts first wins, then the longer one, then the more specific kind in the order of `Kind`.
So 13812345678@qq.com is one e-mail address, and 8613812345678 is a mobile number even when it happens to
be Luhn-valid.

Every pattern runs in linear time: each repetition is bounded or possessive (`{1,64}+`), and each place
name an atomic group, so no input makes the engine try more than a fixed number of ways at one position
(lib/tests/test_pii.py times the worst inputs we could build, at 100 kB).
"""

import re
import unicodedata
from bisect import bisect_left
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
    CHAT_ID = "chat_id"
    ADDRESS = "address"
    REFERENCE = "reference"
    ORDER_NUMBER = "order_number"


TRACEABLE = frozenset({Kind.REFERENCE, Kind.ORDER_NUMBER})


class Span(NamedTuple):
    """One piece of personal data: `text[start:end]` of the text as written.

    `folded` is the same piece as matched (`fold`: ASCII digits, '@', '-'); `parts` are the named groups
    of its match, for what a partial mask shows and cannot read back from the piece alone: a mobile's
    `prefix` (+86 and the network code), a landline's `area` code and `last4` (an extension may follow
    them), an address's `region` (its provinces, cities and districts)."""

    start: int
    end: int
    kind: Kind
    text: str
    parts: Mapping[str, str]
    folded: str


# ------------------------------------------------------------------------------------------ folding


class _FoldTable(dict):
    """`str.translate`'s table, filled as characters come: each to its NFKC form, any dash to '-'.

    Capped, so that a text of every code point cannot grow it without bound; beyond the cap a character
    is folded each time it is met."""

    CAP = 1 << 14
    DASHES = frozenset("\u2212\u2796\u30fc\ufe63\uff0d")  # minus signs, ー, small and full-width hyphen

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1 and (folded in self.DASHES or unicodedata.category(folded) == "Pd"):
            folded = "-"
        if len(self) < self.CAP:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> tuple[str, list[int] | None]:
    """The text as the patterns read it, and where each of its characters came from in `text`: None when
    every character folded to exactly one (NFKC never folds a character to nothing, so equal lengths
    mean one for one, lib/tests checks), else the index in `text` of each folded character."""
    if text.isascii():
        return text, None
    folded = text.translate(_FOLD)
    if len(folded) == len(text):
        return folded, None
    origin = []
    for index, char in enumerate(text):
        origin += [index] * len(_FOLD[ord(char)])
    return folded, origin


# ------------------------------------------------------------------------------------------ patterns

_SEP = r"(?:\s?-\s?|\s)"  # between digit groups: a space, or a dash with or without spaces around it

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}+@(?:[A-Za-z0-9-]{1,63}+\.){1,10}[A-Za-z]{2,63}+")
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:(?P<born>\d{8})\d{3}[0-9Xx]|(?P<born_yymmdd>\d{6})\d{3})(?![0-9A-Za-z])"
)
_CARD = re.compile(
    rf"(?<![0-9A-Za-z])(?:\d{{13,19}}|\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}\d{{1,3}})?)(?![0-9A-Za-z])"
)
_MOBILE = re.compile(rf"(?<![\d+])(?P<prefix>(?:\+?86{_SEP}?)?1[3-9]\d)(?:{_SEP}?\d{{4}}){{2}}(?!\d)")
_LANDLINE = re.compile(
    rf"(?<!\d)(\()?(?P<area>0\d{{2,3}})(?(1)\))(?:{_SEP})?\d{{3,4}}(?:{_SEP})?(?P<last4>\d{{4}})"
    r"(?:-\d{1,5})?(?!\d)"
)
_US_PHONE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")
# Every digit kind has at least seven digits, none more than three of these separators from the next.
# One scan for that rules out nearly all narratives (amounts, years, CFPB redactions) before five others.
_SEVEN_CLOSE_DIGITS = re.compile(r"\d(?:[\s().+-]{0,3}+\d){6}")

_CHAT_WORD = r"微信号?|威信|V信|[VvWw][Xx]|[Ww]e[Cc]hat(?:\s?ID)?|[Ww]eixin|[Qq]{2}号?|扣扣号?|企鹅号"
_CHAT_ID = re.compile(
    rf"(?<![A-Za-z])(?:{_CHAT_WORD})"
    # a separator; or the id glued to the word; or a space and an id with a digit, '_' or '-' in it
    # (so "WeChat support" is no id)
    r"(?:(?:\s{0,3}+(?:号码|号|账号|ID|id|[:=#]|是|为)){1,3}+\s{0,3}+"
    r"|(?=[A-Za-z0-9])|\s{1,3}+(?=[A-Za-z0-9_-]{0,19}[0-9_-]))"
    r"(?P<value>[A-Za-z][A-Za-z0-9_-]{5,19}+|\d{5,12}+)(?![A-Za-z0-9_-])"
)
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])[Tt][Ss][\s-]?\d{4}[\s-]?\d{7,12}+(?![0-9])")
_ORDER_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,6}[-_]?\d{6,30}+(?:[-_]\d{1,30}+){0,4}+(?![A-Za-z0-9])")
_ORDER_AFTER_WORD = re.compile(
    r"(?:订单(?:编号|号码|号)?|[Oo]rder(?:\s?(?:[Nn]o\.?|[Nn]umber|ID|id|#))?)"
    r"(?:\s{0,3}+[:#=是为])?\s{0,3}+(?P<value>\d{6,30}+)(?!\d)"
)


def _ideographs_except(excluded: str) -> str:
    """A character class of the CJK Unified Ideographs (U+4E00–U+9FFF) without the `excluded` ones."""
    ranges, start = [], 0x4E00
    for code in sorted({ord(c) for c in excluded}):
        if start < code:
            ranges.append(f"{chr(start)}-{chr(code - 1)}")
        start = code + 1
    ranges.append(f"{chr(start)}-\u9fff")
    return "[" + "".join(ranges) + "]"


# A place name: ideographs, but not the words that lead up to an address in a sentence (我住在…, 寄到…),
# so that the span starts at the place.
_PLACE_CHAR = _ideographs_except("的了是住到寄送往址我你他她们把被给从在")
_REGION_SUFFIX = "自治区|自治州|自治县|特别行政区|地区|省|市|州|盟|(?<!小)区|县|旗|镇|乡|街道"
_PLACE_SUFFIX = f"{_REGION_SUFFIX}|大街|大道|路|街|巷|弄|胡同|小区|花园|公寓|大厦|新村|家园|村|苑|广场|大楼"
# Each name is the shortest run that ends in a suffix, and atomic: it is never re-tried longer.
_REGION = rf"(?>{_PLACE_CHAR}{{1,8}}?(?:{_REGION_SUFFIX}))"
_PLACE = rf"(?>{_PLACE_CHAR}{{1,10}}?(?:{_PLACE_SUFFIX}))"
_NUMBER_UNIT = "号院|号楼|号|弄|巷|栋|幢|座|单元|楼|层|室|房|户|组"
_NUMBER = rf"\s?\d{{1,5}}+(?:-\d{{1,5}}+)?(?:{_NUMBER_UNIT})"
_ADDRESS = re.compile(rf"(?P<region>{_REGION}{{0,4}}+){_PLACE}{{0,5}}+(?P<numbers>(?:{_NUMBER}){{1,6}}+)")
_ADDRESS_NUMBER = re.compile(rf"\d(?:{_NUMBER_UNIT})")

# ------------------------------------------------------------------------------------------ checks

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
    return luhn_valid("".join(c for c in match[0] if c.isdigit()))


# Where one is named, an address starts at its province (住在号码上海市… → 上海市…): a place name may
# otherwise begin with whatever ideographs precede it.
_PROVINCE = re.compile(
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
    "海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)

Piece = tuple[int, int, dict[str, str]]  # start and end in the folded text, the match's named parts


def _piece(match: re.Match) -> Piece:
    """The match, or its `value` group where it has one (a WeChat id without its word)."""
    start, end = match.span("value") if "value" in match.re.groupindex else match.span()
    return start, end, {k: v for k, v in match.groupdict().items() if v is not None and k != "value"}


def _checked(is_real: Callable[[re.Match], bool]) -> Callable[[re.Match], Piece | None]:
    return lambda match: _piece(match) if is_real(match) else None


def _address(match: re.Match) -> Piece | None:
    start, region_end = match.start(), match.end("region")
    if match.start("numbers") == start:
        return None  # numbers without a place: a date (1号), a floor
    if not _PROVINCE.match(match.string, start) and (
        province := _PROVINCE.search(match.string, start + 1, region_end)
    ):
        start = province.start()
    return start, match.end(), {"region": match.string[start:region_end]}


# Gates: cheap scans that rule a pattern out for most texts (amounts, years, CFPB redactions, plain
# narratives) before it runs. Each must find something in every text its patterns match (lib/tests).
def _has_at(folded: str) -> bool:
    return "@" in folded


def _has_seven_close_digits(folded: str) -> bool:
    return _SEVEN_CLOSE_DIGITS.search(folded) is not None


_SIX_DIGITS = re.compile(r"\d{6}")  # references and order numbers have a run of six


def _has_six_digits(folded: str) -> bool:
    return _SIX_DIGITS.search(folded) is not None


# _CHAT_WORD's words in lower case: substring tests are much faster than the pattern's scan.
_CHAT_WORDS = ("微信", "威信", "v信", "vx", "wx", "wechat", "weixin", "qq", "扣扣", "企鹅号")


def _has_chat_word(folded: str) -> bool:
    lowered = folded.lower()
    return any(word in lowered for word in _CHAT_WORDS)


def _has_address_number(folded: str) -> bool:
    return _ADDRESS_NUMBER.search(folded) is not None


# (kind, pattern, reader, gate): the reader turns a match into a piece of personal data, or None for one
# that only looks the part; a pattern runs only on texts its gate opens for.
_PATTERNS: tuple[tuple[Kind, re.Pattern, Callable[[re.Match], Piece | None], Callable[[str], bool]], ...] = (
    (Kind.EMAIL, _EMAIL, _piece, _has_at),
    (Kind.ID_NUMBER, _ID_NUMBER, _checked(_is_id_number), _has_seven_close_digits),
    (Kind.MOBILE, _MOBILE, _piece, _has_seven_close_digits),
    (Kind.LANDLINE, _LANDLINE, _piece, _has_seven_close_digits),
    (Kind.CARD, _CARD, _checked(_is_card), _has_seven_close_digits),
    (Kind.US_PHONE, _US_PHONE, _piece, _has_seven_close_digits),
    (Kind.CHAT_ID, _CHAT_ID, _piece, _has_chat_word),
    (Kind.ADDRESS, _ADDRESS, _address, _has_address_number),
    (Kind.REFERENCE, _REFERENCE, _piece, _has_six_digits),
    (Kind.ORDER_NUMBER, _ORDER_CODE, _piece, _has_six_digits),
    (Kind.ORDER_NUMBER, _ORDER_AFTER_WORD, _piece, _has_six_digits),
)
_RANK = {kind: rank for rank, kind in enumerate(Kind)}


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a span of `taken` (sorted, none overlapping another)."""
    i = bisect_left(taken, (end, -1))  # the first span starting at or after `end`
    return i > 0 and taken[i - 1][1] > start


def find(text: str) -> list[Span]:
    """The personal data in `text`, in text order, no two spans overlapping.

    1. The text is folded (`fold`); each kind's pattern finds its candidates in the folded text; its
       reader drops those that only look the part (check character, birth date, Luhn, an address
       without a place). A candidate's span is mapped back to the characters of `text` it came from.
    2. Personal data first: candidates ordered by start, then longest first, then `Kind` order; one that
       overlaps a span already taken is dropped. Then the order numbers and references, the same way,
       where they overlap nothing taken.
    """
    if not text:
        return []
    folded, origin = fold(text)
    opened: dict[Callable, bool] = {}
    candidates: list[tuple[int, int, int, Kind, str, dict]] = []
    for kind, pattern, read, gate in _PATTERNS:
        if gate not in opened:
            opened[gate] = gate(folded)
        if not opened[gate]:
            continue
        for match in pattern.finditer(folded):
            if (piece := read(match)) is None:
                continue
            start, end, parts = piece
            value = folded[start:end]
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            candidates.append((start, -end, _RANK[kind], kind, value, parts))
    candidates.sort(key=lambda c: c[:3])
    taken: list[tuple[int, int]] = []
    spans: list[Span] = []
    for traceable in (False, True):
        for start, minus_end, _, kind, value, parts in candidates:
            end = -minus_end
            if (kind in TRACEABLE) is traceable and not _overlaps(taken, start, end):
                spans.append(Span(start, end, kind, text[start:end], parts, value))
                taken.insert(bisect_left(taken, (start, end)), (start, end))
    return sorted(spans)


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
