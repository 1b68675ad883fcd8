from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "complaintdesk.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        from complaintdesk.deadlines import checks  # noqa: F401, PLC0415 - registers the start-up checks, in ready() as Django asks
