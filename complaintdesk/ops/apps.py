from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the worker (`manage.py worker`), backup and restore, and database-level guards."""

    name = "complaintdesk.ops"
    label = "ops"
    verbose_name = _("Operations")
