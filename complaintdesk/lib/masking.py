"""Masking personal data (SPEC §1): phone, ID and card numbers, e-mail addresses and account names.

Plain functions with no Django in them, used by the API presenters, the templates and the log filter.
What counts as personal data in free text is `lib.pii`'s to say, the same as for the open-data scrubber;
here is only how much of each kind a masked display still shows."""

from complaintdesk.lib.pii import Kind, Span, replace


def _masked(span: Span) -> str:
    text, parts = span.text, span.parts
    match span.kind:
        case Kind.EMAIL:
            return f"{text[0]}***@{text.partition('@')[2]}"
        case Kind.ID_NUMBER:
            return f"{text[:6]}********{text[-1]}"
        case Kind.MOBILE:
            return f"{parts['prefix']}****{text[-4:]}"
        case Kind.LANDLINE:
            return f"{parts['area']}-****{parts['last4']}"
        case Kind.CARD:
            return f"**** **** **** {''.join(c for c in text if c.isdigit())[-4:]}"
        case Kind.US_PHONE:
            return f"***-***-{text[-4:]}"


def mask_text(text: str) -> str:
    """The text with ID, card and phone numbers and e-mail addresses partly masked, the rest unchanged."""
    return replace(text, _masked)


def mask_name(name: str) -> str:
    """An account or person name shown to someone who needs to tell people apart, not to know them."""
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 6) + name[-1]
