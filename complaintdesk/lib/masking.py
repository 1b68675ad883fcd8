"""Masking personal data (SPEC §1): phone numbers, ID numbers, e-mail addresses and account names.

Plain functions with no Django in them, used by the API presenters, the templates and the log filter."""

import re

# Mainland resident ID (18 characters, last may be X) and the old 15-digit form.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8,11}([0-9Xx]{1,4})(?![0-9A-Za-z])")
# Mobile numbers (1[3-9] + 9 digits), optionally +86 / 86 and separators; landlines 0xx(x)-xxxxxxx(x).
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?\d{3,4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_text(text: str) -> str:
    """The text with ID numbers, phone numbers and e-mail addresses masked, the rest unchanged."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)[-1]}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def mask_name(name: str) -> str:
    """An account or person name shown to someone who needs to tell people apart, not to know them."""
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 6) + name[-1]
