"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1), administrative division (6),
organisation code (9), check character (1). Characters come from a 31-symbol alphabet without I, O, S, V, Z.
"""

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidCreditCode(ValueError):
    pass


def check_character(first17: str) -> str:
    """The GB 32100 check character: 31 - (Σ value × weight mod 31), where 31 maps to 0."""
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise InvalidCreditCode saying what is wrong."""
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise InvalidCreditCode(_("must be 18 characters, got %(length)s") % {"length": len(normalised)})
    bad = sorted({ch for ch in normalised if ch not in _VALUE})
    if bad:
        raise InvalidCreditCode(
            _("contains characters not allowed by GB 32100: %(characters)s") % {"characters": "".join(bad)}
        )
    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        raise InvalidCreditCode(
            _("check character is %(found)s, GB 32100 gives %(expected)s")
            % {"found": normalised[17], "expected": expected}
        )
    return normalised
