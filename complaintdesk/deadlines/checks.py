"""Start-up checks (`manage.py check`, runserver, migrate, worker): the statutory calendar's gaps and the
holiday packages' disagreements are said out loud, not discovered on a wrong deadline."""

from django.core.checks import Warning, register
from django.db import DatabaseError

from complaintdesk.deadlines.services import calendar_warnings


@register()
def statutory_calendar(app_configs, **kwargs):
    try:
        warnings = calendar_warnings()
    except DatabaseError:
        return []  # before the first migration there is nothing to check yet
    return [Warning(text, id="complaintdesk.W001") for text in warnings]
