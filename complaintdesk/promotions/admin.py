from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.lib.admin_display import json_rows
from complaintdesk.promotions.models import FilingPolicy, Promotion, PromotionEvent, SalePeriod


class PromotionEventInline(admin.TabularInline):
    model = PromotionEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "from_state", "to_state", "message", "details"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("details"))
    def details(self, event):
        return json_rows(event.data)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    """Read-mostly: filings change through their steps (API and web), so the log stays complete."""

    list_display = ["name", "merchant", "type", "starts_at", "state", "late", "meets_staffing_target"]
    list_filter = ["state", "late", "type", "meets_staffing_target"]
    search_fields = ["name", "merchant__name"]
    inlines = [PromotionEventInline]
    # The stored JSON as rows under its field's name, not one line of raw JSON.
    exclude = ["contacts", "staffing"]
    readonly_fields = [
        *(f.name for f in Promotion._meta.fields if f.name not in ("contacts", "staffing")),
        "contact_rows",
        "staffing_rows",
    ]

    @admin.display(description=_("escalation contacts"))
    def contact_rows(self, promotion):
        return json_rows(promotion.contacts)

    @admin.display(description=_("staffing"))
    def staffing_rows(self, promotion):
        return json_rows(promotion.staffing)

    def has_add_permission(self, request):
        return False


@admin.register(FilingPolicy)
class FilingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lead_working_days", "staffing_target", "default_complaints_per_order"]

    def has_add_permission(self, request):
        return not FilingPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SalePeriod)
class SalePeriodAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "promotion_type",
        "start_month",
        "start_day",
        "end_month",
        "end_day",
        "is_active",
    ]
    list_filter = ["is_active", "promotion_type"]
