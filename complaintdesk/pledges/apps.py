from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "complaintdesk.pledges"
    label = "pledges"
    verbose_name = _("Customer-service pledge")
