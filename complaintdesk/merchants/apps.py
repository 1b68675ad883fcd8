from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "complaintdesk.merchants"
    label = "merchants"
    verbose_name = _("Shops")
