import pytest

from complaintdesk.merchants.uscc import InvalidCreditCode, check_character, validate_credit_code

# Real, published codes (company registrations are public in China).
REAL_CODES = ["914403001922038216", "91110000802100433B", "911100007109288314", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_accepts_real_codes(code):
    assert validate_credit_code(code) == code


def test_it_normalises_case_and_spaces():
    assert validate_credit_code(" 91110000802100433b ") == "91110000802100433B"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("914403001922038217", "check character is 7, GB 32100 gives 6"),
        ("91440300192203821", "must be 18 characters, got 17"),
        ("9144030019220382166", "must be 18 characters, got 19"),
        ("91440300192203821I", "not allowed by GB 32100: I"),
        ("9144030O1922038216", "not allowed by GB 32100: O"),
    ],
)
def test_it_rejects_malformed_codes_saying_why(code, reason):
    with pytest.raises(InvalidCreditCode, match=reason):
        validate_credit_code(code)


def test_every_single_character_change_is_detected():
    code = REAL_CODES[0]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in range(17):
        for ch in alphabet:
            if ch == code[position]:
                continue
            changed = code[:position] + ch + code[position + 1 :]
            assert check_character(changed[:17]) != code[17], changed
