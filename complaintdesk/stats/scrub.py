"""Scrubbing personal data out of free text for the open-data export (pure).

Each piece that `lib.pii` finds (the same definition the masked displays use) becomes a placeholder for
its kind: [email], [ID number], [card number], [phone] (Chinese mobiles and landlines and US numbers
alike), [WeChat/QQ id], [address], and the traceable kinds too, which a shop's masked list shows but the
public has no business with: [order number], [reference]. Kept: the CFPB's own redactions (XXXX,
XX/XX/XXXX), dates and amounts. Names inside free text are not recognised: the open data publishes a
complaint's text only when its consumer consented (`Complaint.publish_consent`), and never has name or
address columns.
"""

from complaintdesk.lib.pii import Kind, Span, replace

PLACEHOLDERS = {
    Kind.EMAIL: "[email]",
    Kind.ID_NUMBER: "[ID number]",
    Kind.CARD: "[card number]",
    Kind.MOBILE: "[phone]",
    Kind.LANDLINE: "[phone]",
    Kind.US_PHONE: "[phone]",
    Kind.CHAT_ID: "[WeChat/QQ id]",
    Kind.ADDRESS: "[address]",
    Kind.REFERENCE: "[reference]",
    Kind.ORDER_NUMBER: "[order number]",
}


def _placeholder(span: Span) -> str:
    return PLACEHOLDERS[span.kind]


def scrub(text: str) -> str:
    """The text with each piece of personal data replaced by the placeholder for its kind."""
    return replace(text, _placeholder)
