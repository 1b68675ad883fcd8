from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib.admin_display import json_rows
from complaintdesk.notify.models import NotificationChannel, OutboxMessage

# An outbox message's JSON fields, shown as rows instead.
_JSON = ("payload", "notice")


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["merchant", "kind", "target", "is_active", "disabled_reason"]
    list_filter = ["kind", "is_active"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    # Read-only throughout; the stored JSON (what a webhook receives, the untranslated notice) as rows.
    exclude = _JSON
    readonly_fields = [
        *(f.name for f in OutboxMessage._meta.fields if f.name not in _JSON),
        "payload_rows",
        "notice_rows",
    ]

    @admin.display(description=_("payload"))
    def payload_rows(self, message):
        return json_rows(message.payload)

    @admin.display(description=_("notice"))
    def notice_rows(self, message):
        return json_rows(message.notice)

    def has_add_permission(self, request):
        return False
