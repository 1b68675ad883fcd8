from django.contrib import admin, messages

from complaintdesk.merchants.models import Merchant


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "platform", "is_active", "created_at"]
    list_filter = ["platform", "is_active"]
    search_fields = ["name", "credit_code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"service_hours", "time_zone"} & set(form.changed_data):
            from complaintdesk.deadlines.recompute import recompute_open_deadlines

            moved = recompute_open_deadlines(
                request.user, reason="the shop's service hours changed", merchant=obj
            )
            messages.info(request, f"Deadlines recomputed for {moved} open complaint(s) of {obj}.")
