"""The bureau filter of the console's lists (SPEC §11): a city-level officer narrows the complaints, the
centre's queue and the reports and enquiries to one bureau's; a district officer's lists are its own
bureau's already, so it is offered no filter (asked for another bureau by hand, a list is empty)."""

from django.utils.translation import get_language

from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.centre.models import Bureau


def filter_choices(user) -> list[tuple[int, str]]:
    """(id, name in the reader's language) of every bureau for a city-level officer; none for a district's."""
    if officer_bureau(user) is not None:
        return []
    language = get_language() or "en"
    return [(bureau.pk, bureau.name_in(language)) for bureau in Bureau.objects.all()]
