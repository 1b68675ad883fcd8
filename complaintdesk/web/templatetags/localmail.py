from django import template

from complaintdesk.notify import mailfiles

register = template.Library()


@register.simple_tag
def local_mail_in_use() -> bool:
    """Whether e-mails go to files that the console's mail page shows (the navigation links to it)."""
    return mailfiles.in_use()
