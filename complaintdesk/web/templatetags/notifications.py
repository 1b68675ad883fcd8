from django import template

from complaintdesk.notify.models import Notification

register = template.Library()

# The bell shows "99+" beyond this: an officer may hold hundreds of thousands of unread notices, and every
# page counts them, so the count stops at the first row past it (a LIMIT on index `notification_unread`).
BELL_MAX = 99


@register.simple_tag
def unread_notifications(user) -> int:
    """The bell's count: the user's notifications not yet read, up to BELL_MAX + 1 (shown as "99+")."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).values("pk")[: BELL_MAX + 1]
    return unread.count()


@register.filter
def bell_full(unread: int) -> bool:
    return unread > BELL_MAX


@register.filter
def bell_count(unread: int) -> str:
    return f"{BELL_MAX}+" if bell_full(unread) else str(unread)
