from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaintdesk.deadlines.models import ACTIVE_POLICY_STAYS, CalendarOverride, Policy, PolicyRule
from complaintdesk.deadlines.recompute import recompute_open_deadlines
from complaintdesk.deadlines.services import calendar_warnings


def recomputed(changed: int) -> str:
    return ngettext(
        "Deadlines recomputed for %(count)d open complaint.",
        "Deadlines recomputed for %(count)d open complaints.",
        changed,
    ) % {"count": changed}


class PolicyRuleInline(admin.TabularInline):
    model = PolicyRule
    extra = 0
    fields = [
        "phase",
        "priority",
        "kind",
        "category",
        "channel",
        "received_in",
        "clock",
        "duration",
        "days",
        "label",
    ]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "reminder_percent", "created_at"]
    inlines = [PolicyRuleInline]

    def get_deleted_objects(self, objs, request):
        """The active policy is refused as the admin refuses a protected object, on the delete page and in
        the bulk action alike: new complaints take their deadlines from it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        active = [policy for policy in objs if policy.is_active]
        if active:
            messages.error(request, ACTIVE_POLICY_STAYS)
            protected = [*protected, *(f"{policy} ({_('active')})" for policy in active)]
        return deleted, counts, perms_needed, protected

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)

        if form.instance.is_active:
            changed = recompute_open_deadlines(request.user, reason=f"policy '{form.instance}' changed")
            messages.info(request, recomputed(changed))


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_day_off", "note", "notice_year", "updated_at"]
    list_filter = ["is_day_off"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)
        self._recompute(request, f"calendar day {obj.date} set")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recompute(request, f"calendar day {obj.date} removed")

    def _recompute(self, request, reason):
        changed = recompute_open_deadlines(request.user, reason=reason)
        messages.info(request, recomputed(changed))

    def changelist_view(self, request, extra_context=None):
        for warning in calendar_warnings():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)
