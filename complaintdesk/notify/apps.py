from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "complaintdesk.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from complaintdesk.notify import checks  # noqa: F401, PLC0415 - registers the deploy check, in ready() as Django asks
