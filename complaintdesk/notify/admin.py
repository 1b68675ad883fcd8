from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib.admin_display import LabelledFilter, json_rows
from complaintdesk.notify.events import EVENT_LABELS, event_label
from complaintdesk.notify.models import NotificationChannel, OutboxMessage

# An outbox message's JSON fields, shown as rows instead; its event code, by its name.
_SHOWN_OTHERWISE = ("payload", "notice", "event")


class EventFilter(LabelledFilter):
    title = _("event")
    parameter_name = "event"
    names = EVENT_LABELS


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["merchant", "kind", "target", "is_active", "disabled_reason"]
    list_filter = ["kind", "is_active"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_label", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", EventFilter]
    # Read-only throughout; the stored JSON (what a webhook receives, the untranslated notice) as rows.
    exclude = _SHOWN_OTHERWISE
    readonly_fields = [
        "event_label",
        *(f.name for f in OutboxMessage._meta.fields if f.name not in _SHOWN_OTHERWISE),
        "payload_rows",
        "notice_rows",
    ]

    @admin.display(description=_("event"), ordering="event")
    def event_label(self, message):
        return event_label(message.event)

    @admin.display(description=_("payload"))
    def payload_rows(self, message):
        return json_rows(message.payload)

    @admin.display(description=_("notice"))
    def notice_rows(self, message):
        return json_rows(message.notice)

    def has_add_permission(self, request):
        return False
