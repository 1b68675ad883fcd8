"""Scrubbing personal data out of free text for the open-data export (pure).

Replaced: e-mail addresses; PRC resident ID numbers (18 characters with a valid GB 11643 check
character, or with a plausible birth date; the old 15-digit form with a plausible date); phone numbers:
Chinese mobiles (1[3-9] and 9 more digits, with or without +86 and spaces or dashes), Chinese landlines
(0 + 2–3 digit area code + 7–8 digits), US numbers ((555) 123-4567, 555-123-4567, +1 555 123 4567).
Kept: the CFPB's own redactions (XXXX, XX/XX/XXXX), dates, amounts, order numbers that are not IDs.
Names and street addresses inside free text are not recognised: the export never has name or address
columns, and the CFPB redacts them in its narratives.
"""

import re
from datetime import date

EMAIL = "[email]"
ID_NUMBER = "[ID number]"
PHONE = "[phone]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_CN_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_CN_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?:-\d{1,5})?(?!\d)")
_US_PHONE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """GB 11643: Σ digit × weight mod 11 indexes '10X98765432'."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _plausible_birth(text: str) -> bool:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _id18(match: re.Match) -> str:
    first17 = match.group(1) + match.group(2) + match.group(3)
    valid = id_check_character(first17) == match.group(4).upper()
    return ID_NUMBER if valid or _plausible_birth(match.group(2)) else match.group(0)


def _id15(match: re.Match) -> str:
    return ID_NUMBER if _plausible_birth("19" + match.group(2)) else match.group(0)


def scrub(text: str) -> str:
    """The text with e-mail addresses, ID numbers and phone numbers replaced by placeholders."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _ID18.sub(_id18, text)
    text = _ID15.sub(_id15, text)
    text = _CN_MOBILE.sub(PHONE, text)
    text = _CN_LANDLINE.sub(PHONE, text)
    return _US_PHONE.sub(PHONE, text)
