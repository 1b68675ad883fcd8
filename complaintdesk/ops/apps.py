from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the worker (`manage.py worker`), backup and restore, and database-level guards."""

    name = "complaintdesk.ops"
    label = "ops"
    verbose_name = "Operations"
