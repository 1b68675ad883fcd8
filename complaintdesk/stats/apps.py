from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "complaintdesk.stats"
    label = "stats"
    verbose_name = "Statistics"
