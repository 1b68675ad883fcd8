"""Where personal data is in free text, and which kind wins where two patterns overlap."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.lib import pii
from complaintdesk.lib.pii import Kind, find, id_check_character, luhn_valid


def _found(text):
    return [(span.kind, span.text) for span in find(text)]


def test_spans_come_in_text_order_with_their_kind():
    text = "mail a@b.cn, call 13812345678 or (021)6123 4567, card 4111 1111 1111 1111, ID 11010119900307123X"
    assert _found(text) == [
        (Kind.EMAIL, "a@b.cn"),
        (Kind.MOBILE, "13812345678"),
        (Kind.LANDLINE, "(021)6123 4567"),
        (Kind.CARD, "4111 1111 1111 1111"),
        (Kind.ID_NUMBER, "11010119900307123X"),
    ]
    assert [text[s.start : s.end] for s in find(text)] == [s.text for s in find(text)]


def test_the_earliest_and_then_the_longest_candidate_wins():
    # The mobile number is the start of the e-mail address; the address starts first and is longer.
    assert _found("13812345678@qq.com") == [(Kind.EMAIL, "13812345678@qq.com")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("8613812345678", Kind.MOBILE),  # Luhn-valid too
        ("110101199003071102", Kind.ID_NUMBER),  # Luhn-valid too
        ("010-123-4567", Kind.LANDLINE),  # a US number's shape too
    ],
)
def test_of_two_equal_spans_the_more_specific_kind_wins(text, kind):
    assert _found(text) == [(kind, text)]


def test_a_landline_keeps_its_area_code_and_last_four_apart_from_the_extension():
    (span,) = find("0571-87654321-802")
    assert span.kind is Kind.LANDLINE and span.text == "0571-87654321-802"
    assert span.parts["area"] == "0571" and span.parts["last4"] == "4321"


@pytest.mark.parametrize(
    "text",
    [
        "ORD4111111111111111",  # glued to letters: a product or order code
        "4111111111111112",  # not Luhn-valid
        "202611280000123457",  # neither a check character nor a birth date, and not Luhn-valid
        "2026112800001234567890123",  # longer than any card
        "110101199013451234",  # no 45 December, and the check character is wrong
        "XX/XX/XXXX (XXX) XXX-XXXX {$1,234.56} 2019-10-25 TS-2026-0000123",
    ],
)
def test_what_only_looks_like_personal_data_is_not_found(text):
    assert find(text) == []


def test_the_check_characters():
    assert id_check_character("11010519491231002") == "X"  # the example of GB 11643 itself
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005") and luhn_valid("6011000990139424")
    assert luhn_valid("8613812345678") and luhn_valid("110101199003071102")
    assert not luhn_valid("4111111111111112")


@given(st.text(alphabet="0123456789 -().+x", max_size=40))
def test_the_fast_path_skips_only_texts_in_which_no_digit_pattern_matches(text):
    if not pii._SEVEN_CLOSE_DIGITS.search(text):
        assert not any(pattern.search(text) for _, pattern, _ in pii._DIGIT_KINDS)
