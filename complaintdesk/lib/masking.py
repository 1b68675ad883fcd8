"""Masking personal data (SPEC §1): phone, ID and card numbers, e-mail addresses, WeChat/QQ ids, street
addresses and account names.

Plain functions with no Django in them, used by the API presenters, the templates and the log filter.
What counts as personal data in free text is `lib.pii`'s to say, the same as for the open-data scrubber;
here is only how much of each kind a masked display still shows.

Who reads masked text: a shop's staff in their lists and downloads (`accounts.privacy.listed_text`) and
whoever reads the logs. They handle the complaint and the order behind it, so:
- masked: every kind of personal data (`pii.Kind` but `pii.TRACEABLE`): phone, ID and card numbers,
  e-mail addresses, WeChat/QQ ids, addresses (the province, city and district stay, enough to route a
  return; the street, number and room go);
- shown as written: the traceable kinds, order numbers and our references. The shop finds the order by
  its number (it sees the order-number field itself) and the complaint by its reference; neither tells
  anyone who the consumer is without the shop's or our records. Only the public open data, which has
  neither, replaces them too (`stats.scrub`).
"""

from complaintdesk.lib.pii import TRACEABLE, Kind, Span, replace


def _masked(span: Span) -> str:
    text, parts = span.folded, span.parts
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
        case Kind.CHAT_ID:
            return f"{text[0]}***{text[-1]}"
        case Kind.ADDRESS:
            return f"{parts['region']}****"
    assert span.kind in TRACEABLE
    return span.text


def mask_text(text: str) -> str:
    """The text with its personal data partly masked (`lib.pii`), order numbers, references and the rest
    unchanged."""
    return replace(text, _masked)


def mask_name(name: str) -> str:
    """An account or person name shown to someone who needs to tell people apart, not to know them."""
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 6) + name[-1]
