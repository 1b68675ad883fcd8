from django import template

from complaintdesk.accounts import privacy

register = template.Library()


@register.filter
def person_for(person, viewer) -> str:
    """{{ event.actor|person_for:user }}: a consumer's account name, masked unless the viewer may see it."""
    return privacy.person_name(person, viewer)


@register.filter
def consumer_name_for(name, viewer) -> str:
    return privacy.consumer_name(name or "", viewer)
