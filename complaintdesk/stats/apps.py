from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "complaintdesk.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from complaintdesk.stats import signals  # noqa: F401, PLC0415 - connects the rollup receivers, in ready() as Django asks
