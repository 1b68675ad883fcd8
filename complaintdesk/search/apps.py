from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "complaintdesk.search"
    label = "search"
    verbose_name = _("Full-text search")

    def ready(self):
        from complaintdesk.search import signals  # noqa: F401, PLC0415 - connects the rows' bureau, in ready() as Django asks
