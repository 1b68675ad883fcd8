from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaintdesk.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from django.db.models.signals import post_save  # noqa: PLC0415 - in ready() as Django asks

        from complaintdesk.complaints import group_figures  # noqa: PLC0415
        from complaintdesk.complaints.models import ComplaintEvent  # noqa: PLC0415

        post_save.connect(
            group_figures.event_recorded, sender=ComplaintEvent, dispatch_uid="complaints.group_figures"
        )
