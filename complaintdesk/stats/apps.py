from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "complaintdesk.stats"
    label = "stats"
    verbose_name = "Statistics"

    def ready(self):
        from complaintdesk.stats import signals  # noqa: F401, PLC0415 - connects the rollup receivers, in ready() as Django asks
