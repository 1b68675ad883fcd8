from django.contrib import admin

from complaintdesk.merchants.models import Merchant


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "platform", "is_active", "created_at"]
    list_filter = ["platform", "is_active"]
    search_fields = ["name", "credit_code"]
