from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from complaintdesk.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "merchant", "email", "is_active"]
    list_filter = ["role", "merchant", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (("ComplaintDesk", {"fields": ("role", "merchant", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("ComplaintDesk", {"fields": ("role", "merchant")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "created_at", "last_used_at"]
