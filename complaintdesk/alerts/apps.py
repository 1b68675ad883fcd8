from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "complaintdesk.alerts"
    label = "alerts"
    verbose_name = "Alerts"
