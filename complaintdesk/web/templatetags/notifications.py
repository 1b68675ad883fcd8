from django import template

from complaintdesk.notify.models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The bell's count: the user's notifications not yet read (index `notification_unread`)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
