from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib.admin_display import column
from complaintdesk.notify.models import NotificationChannel, OutboxMessage


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    # Headings of their own until the fields have translated names (a notify migration).
    list_display = [
        column("merchant", _("merchant")),
        column("kind", _("kind")),
        "target",
        column("is_active", _("active"), boolean=True),
        column("disabled_reason", _("disabled because")),
    ]
    list_filter = ["kind", "is_active"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        column("created_at", _("created at")),
        column("event", _("event")),
        column("channel", _("channel")),
        column("status", _("status")),
        column("attempts", _("attempts")),
        column("sent_at", _("sent at")),
    ]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False
