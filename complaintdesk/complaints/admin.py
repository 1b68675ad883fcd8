from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints import labels
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent, Evidence
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib.admin_display import LabelledFilter, json_rows


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


class EventWords:
    """An event's codes (action, role, states) in the reader's language, as the complaint's timeline says
    them, and its stored details as rows; the codes stay in the database and the API."""

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event):
        return labels.timeline_label(event.action)

    @admin.display(description=_("actor's role"), ordering="actor_role")
    def role_label(self, event):
        return labels.actor_label(event.actor_role)

    @admin.display(description=_("from state"), ordering="from_state")
    def from_state_label(self, event):
        return labels.state_label(event.from_state) or "–"

    @admin.display(description=_("to state"), ordering="to_state")
    def to_state_label(self, event):
        return labels.state_label(event.to_state) or "–"

    @admin.display(description=_("details"))
    def details(self, event):
        return json_rows(event.data)


EVENT_FIELDS = [
    "created_at", "action_label", "actor", "role_label", "from_state_label", "to_state_label", "message",
    "details",
]  # fmt: skip


class ActionFilter(LabelledFilter):
    title = _("action")
    parameter_name = "action"
    names = {**labels.ACTION_LABELS, **labels.TIMELINE_LABELS}


class RoleFilter(LabelledFilter):
    title = _("actor's role")
    parameter_name = "actor_role"
    names = labels.ACTOR_LABELS


class EventInline(EventWords, ReadOnlyInline):
    model = ComplaintEvent
    fields = EVENT_FIELDS
    readonly_fields = fields


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
class ComplaintEventAdmin(EventWords, admin.ModelAdmin):
    list_display = [
        "created_at", "complaint", "action_label", "actor", "role_label", "from_state_label", "to_state_label",
    ]  # fmt: skip
    list_filter = [ActionFilter, RoleFilter]
    fields = ["complaint", *EVENT_FIELDS]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
