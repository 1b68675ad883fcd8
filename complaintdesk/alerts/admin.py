from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.alerts.models import Alert
from complaintdesk.lib.admin_display import column


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    # Headings of their own until the alert's fields have translated names (an alerts migration).
    list_display = [
        column("raised_at", _("raised at")),
        "kind",
        column("merchant", _("merchant")),
        "shown_title",
        "state",
    ]
    list_filter = ["kind", "state", "merchant"]
    raw_id_fields = ["complaints"]
    readonly_fields = ["raised_at", "acknowledged_by", "acknowledged_at", "closed_by", "closed_at"]

    @admin.display(description=_("title"))
    def shown_title(self, alert):
        return alert.shown_title
