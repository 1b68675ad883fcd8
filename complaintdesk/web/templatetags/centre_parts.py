"""What the centre adds to a complaint's or a matter's page, for the page's own template to include: its
letters (`web/centre/_letters.html`), the consumer's rating (`web/centre/_rating.html`) and, for officers, the
follow-up calls (`web/centre/_follow_up.html`). The partials read
`complaint` or `matter` and the user from the including page's context, so a page includes them in one line."""

from django import template
from django.urls import reverse
from django.utils import timezone

from complaintdesk.accounts.models import Role
from complaintdesk.centre import letters, ratings
from complaintdesk.complaints import followup
from complaintdesk.web.forms.ratings import RatingForm

register = template.Library()


@register.simple_tag(takes_context=True)
def letters_on_page(context):
    """The page's complaint's or matter's letters the viewer may read: an officer all, a party its own."""
    user = context.get("user") or context["request"].user
    complaint, matter = context.get("complaint"), context.get("matter")
    if not user.is_authenticated or (complaint is None and matter is None):
        return []
    owner = {"complaint": complaint} if complaint is not None else {"matter": matter}
    return list(letters.letters_of(user, **owner))


@register.simple_tag(takes_context=True)
def rating_on_page(context):
    """What the rating part shows: nothing to a shop, the rating to an officer, the consumer the form while
    the window is open. None when there is nothing to show."""
    user = context.get("user") or context["request"].user
    complaint = context.get("complaint")
    if complaint is None or not user.is_authenticated or user.role not in (Role.CONSUMER, Role.REGULATOR):
        return None
    window = ratings.window(complaint)
    if window is None:
        return None
    rating = ratings.rating_of(complaint)
    is_consumer = user.role == Role.CONSUMER and complaint.consumer_id == user.pk
    is_open = ratings.is_open(complaint, timezone.now())
    initial = {"score": rating.score, "comment": rating.comment} if rating else None
    return {
        "window": window,
        "rating": rating,
        "open": is_open,
        "may_rate": is_consumer,
        "form": RatingForm(initial=initial) if is_consumer and is_open else None,
    }


@register.simple_tag(takes_context=True)
def follow_up_on_page(context):
    """For an officer on a closed complaint's or matter's page: its follow-up calls and where to record one.
    None for anyone else, or while it is open."""
    user = context.get("user") or context["request"].user
    complaint, matter = context.get("complaint"), context.get("matter")
    if not user.is_authenticated or user.role != Role.REGULATOR or (complaint is None and matter is None):
        return None
    kind, item = (followup.COMPLAINT, complaint) if complaint is not None else (followup.MATTER, matter)
    if followup.closing_instant(**{kind: item}) is None:
        return None
    return {
        "calls": list(item.follow_up_calls.select_related("officer").order_by("-called_at")),
        "record_url": f"{reverse('web:record_follow_up')}?{kind}={item.pk}",
    }
