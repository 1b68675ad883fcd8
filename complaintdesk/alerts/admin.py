from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "kind", "merchant", "shown_title", "state"]
    list_filter = ["kind", "state", "merchant"]
    raw_id_fields = ["complaints"]
    readonly_fields = ["raised_at", "acknowledged_by", "acknowledged_at", "closed_by", "closed_at"]

    @admin.display(description=_("title"))
    def shown_title(self, alert):
        return alert.shown_title
