from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent, Evidence
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib.admin_display import json_rows


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_zh", "is_quality_problem", "is_active", "position"]
    list_editable = ["is_quality_problem", "is_active", "position"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ["created_at", "action", "actor", "actor_role", "from_state", "to_state", "message", "details"]
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details(self, event):
        return json_rows(event.data)


class DeadlineInline(ReadOnlyInline):
    model = Deadline
    fields = ["phase", "due_at", "rule_label", "status", "reminded_at", "breached_at", "met_at", "warning"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the lifecycle (API and web), so the event log stays whole."""

    list_display = ["reference", "merchant", "kind", "category", "state", "channel", "received_at"]
    list_filter = ["state", "kind", "channel", "sector", "category", "merchant"]
    search_fields = ["reference", "order_number", "description"]
    date_hierarchy = "received_at"
    inlines = [DeadlineInline, EventInline, EvidenceInline]
    readonly_fields = [f.name for f in Complaint._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "complaint", "action", "actor", "from_state", "to_state"]
    list_filter = ["action", "actor_role"]
    exclude = ["data"]
    readonly_fields = ["details"]

    @admin.display(description=_("details"))
    def details(self, event):
        return json_rows(event.data)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
