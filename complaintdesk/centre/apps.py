from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentreConfig(AppConfig):
    name = "complaintdesk.centre"
    label = "centre"
    verbose_name = _("12315 centre")

    def ready(self):
        from complaintdesk.centre import signals  # noqa: F401, PLC0415 - connects the shops' routing, in ready() as Django asks
