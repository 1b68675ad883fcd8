from django.contrib import admin, messages

from complaintdesk.deadlines.models import CalendarOverride, Policy, PolicyRule


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from complaintdesk.deadlines.recompute import recompute_open_deadlines

        if form.instance.is_active:
            changed = recompute_open_deadlines(request.user, reason=f"policy '{form.instance}' changed")
            messages.info(request, f"Deadlines recomputed for {changed} open complaint(s).")


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
        from complaintdesk.deadlines.recompute import recompute_open_deadlines

        changed = recompute_open_deadlines(request.user, reason=reason)
        messages.info(request, f"Deadlines recomputed for {changed} open complaint(s).")

    def changelist_view(self, request, extra_context=None):
        from complaintdesk.deadlines.services import calendar_warnings

        for warning in calendar_warnings():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)
