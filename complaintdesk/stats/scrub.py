"""Scrubbing personal data out of free text for the open-data export (pure).

Each piece of personal data that `lib.pii` finds (the same definition the masked displays use) becomes a
placeholder for its kind: [email], [ID number], [card number], [phone] (Chinese mobiles and landlines and
US numbers alike). Kept: the CFPB's own redactions (XXXX, XX/XX/XXXX), dates, amounts, references, and
order numbers that are neither an ID number nor Luhn-valid. Names and street addresses inside free text are
not recognised: the export never has name or address columns, and the CFPB redacts them in its narratives.
"""

from complaintdesk.lib.pii import Kind, Span, replace

PLACEHOLDERS = {
    Kind.EMAIL: "[email]",
    Kind.ID_NUMBER: "[ID number]",
    Kind.CARD: "[card number]",
    Kind.MOBILE: "[phone]",
    Kind.LANDLINE: "[phone]",
    Kind.US_PHONE: "[phone]",
}


def _placeholder(span: Span) -> str:
    return PLACEHOLDERS[span.kind]


def scrub(text: str) -> str:
    """The text with each piece of personal data replaced by the placeholder for its kind."""
    return replace(text, _placeholder)
