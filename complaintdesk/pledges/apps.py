from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "complaintdesk.pledges"
    label = "pledges"
    verbose_name = _("Customer-service pledge")

    def ready(self):
        from complaintdesk.pledges import signals  # noqa: F401, PLC0415 - connects the tags' bureau, in ready() as Django asks
