"""Who may see whose personal data (SPEC §1): the regulator sees names; a shop sees its consumers masked.

A consumer's account name, e-mail and phone are the centre's to know. The shop handling the complaint has
the order number to find the customer; it sees the name masked, enough to tell two consumers apart."""

from complaintdesk.accounts.models import Role
from complaintdesk.lib.masking import mask_name, mask_text


def sees_personal_data(viewer) -> bool:
    return getattr(viewer, "role", None) == Role.REGULATOR


def person_name(person, viewer) -> str:
    """How `person` (a user) is named to `viewer`: staff by their account name, consumers masked."""
    if person is None:
        return ""
    if sees_personal_data(viewer) or person.pk == getattr(viewer, "pk", None):
        return person.username
    if person.role == Role.CONSUMER:
        return mask_name(person.username)
    return person.username


def consumer_name(name: str, viewer) -> str:
    """A consumer named only by text (hotline, imports)."""
    return name if sees_personal_data(viewer) else mask_name(name)


def listed_text(text: str, viewer) -> str:
    """Free text in a list: a shop sees phone, ID and bank card numbers and e-mail addresses masked (`lib.pii` says what counts) (the complaint's own
    page shows them to the shop that must answer); the consumer's own and the regulator's lists do not."""
    if getattr(viewer, "role", None) in (Role.CONSUMER, Role.REGULATOR):
        return text
    return mask_text(text)
