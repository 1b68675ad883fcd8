"""The open-data scrubber and the masked displays hide the same personal data (one definition, lib.pii)."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.lib.masking import mask_text
from complaintdesk.stats.scrub import scrub

# (planted datum, what a masked display shows of it, what the open data shows of it)
PLANTED = [
    ("13812345678", "138****5678", "[phone]"),
    ("+86 139-1234-5678", "+86 139****5678", "[phone]"),
    ("021-63251234", "021-****1234", "[phone]"),
    ("(010) 1234 5678", "010-****5678", "[phone]"),  # masking used to miss the parentheses
    ("0571-87654321-802", "0571-****4321", "[phone]"),
    ("(555) 123-4567", "***-***-4567", "[phone]"),  # masking used to miss US numbers
    ("+1 555 123 4567", "***-***-4567", "[phone]"),
    ("11010119900307123X", "110101********X", "[ID number]"),
    ("11010520991399002X", "110105********X", "[ID number]"),  # no such date, but a valid check character
    ("110105491231002", "110105********2", "[ID number]"),
    ("4111111111111111", "**** **** **** 1111", "[card number]"),  # the scrubber used to keep cards
    ("6222 0212 3456 7890 128", "**** **** **** 0128", "[card number]"),
    ("6011-0009-9013-9424", "**** **** **** 9424", "[card number]"),
    ("wang.fang+shop@163.com", "w***@163.com", "[email]"),
    ("１３９－１２３４－５６７８", "139****5678", "[phone]"),
    ("wangxm＠163.com", "w***@163.com", "[email]"),
    ("微信：zhang_san88", "微信：z***8", "微信：[WeChat/QQ id]"),
    ("上海市黄浦区南京东路100号3室", "上海市黄浦区****", "[address]"),
]
# Traceable, not personal: a shop's masked list shows them as written, the open data does not.
TRACEABLE = [
    ("TS-2026-0000123", "[reference]"),
    ("JD-20261111-0042", "[order number]"),
    ("ORD4111111111111111", "[order number]"),
]
# Neither personal nor changed by either; the first three were masked as ID numbers, not scrubbed.
NOT_PERSONAL = [
    "4111111111111112",
    "202611280000123457",
    "110101199013451234",
    "2026112800001234567890123",
    "XX/XX/XXXX",
    "(XXX) XXX-XXXX",
    "{$1,234.56}",
    "2019-10-25",
]
SEPARATORS = ["联系我", "，或者 ", "; ", " and ", "（", "）", "。\n"]


def _between(pieces):
    text = SEPARATORS[0]
    for i, piece in enumerate(pieces, start=1):
        text += piece + SEPARATORS[i % len(SEPARATORS)]
    return text


def test_both_hide_exactly_the_planted_personal_data_and_nothing_else():
    text = _between(datum for datum, _, _ in PLANTED)
    assert mask_text(text) == _between(masked for _, masked, _ in PLANTED)
    assert scrub(text) == _between(placeholder for _, _, placeholder in PLANTED)


def test_masks_show_order_numbers_and_references_and_the_open_data_does_not():
    text = _between(datum for datum, _ in TRACEABLE)
    assert mask_text(text) == text
    assert scrub(text) == _between(placeholder for _, placeholder in TRACEABLE)


def test_both_leave_everything_else_as_it_was():
    text = _between(NOT_PERSONAL)
    assert mask_text(text) == text
    assert scrub(text) == text


def test_each_datum_is_hidden_by_both_in_any_surroundings():
    for before, after in [("", ""), ("号码", "。"), ("my number is ", ", thanks")]:
        for datum, masked, placeholder in PLANTED:
            assert mask_text(before + datum + after) == before + masked + after
            assert scrub(before + datum + after) == before + placeholder + after


def _no_digit_letter_or_at_sign(char: str) -> bool:
    folded = unicodedata.normalize("NFKC", char)
    return not any(c.isdigit() or c.isascii() and c.isalpha() or c == "@" for c in folded)


# Every kind of personal data has a digit, a Latin letter or an at sign in it (once folded: ① is a digit).
@given(st.text(alphabet=st.characters().filter(_no_digit_letter_or_at_sign)))
def test_text_without_digits_latin_letters_or_at_signs_is_never_changed(text):
    assert mask_text(text) == text
    assert scrub(text) == text
