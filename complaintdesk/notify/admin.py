from django.contrib import admin

from complaintdesk.notify.models import NotificationChannel, OutboxMessage


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["merchant", "kind", "target", "is_active", "disabled_reason"]
    list_filter = ["kind", "is_active"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False
