from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore, and database-level guards."""

    name = "complaintdesk.ops"
    label = "ops"
    verbose_name = "Operations"
