from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.merchants import profile
from complaintdesk.merchants.models import (
    HISTORY_FIELDS,
    SERVICE_INFO_FIELDS,
    CoordinatorDesignation,
    Merchant,
    ServiceInfoRevision,
)


class ServiceInfoRevisionInline(admin.TabularInline):
    model = ServiceInfoRevision
    extra = 0
    can_delete = False
    fields = [
        "changed_at",
        "changed_by",
        "changed",
        "service_phone",
        "service_email",
        "service_chat_url",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("changed fields"))
    def changed(self, revision):
        # The fields by the names the shop's page gives them, not the stored field names.
        return ", ".join(str(Merchant._meta.get_field(name).verbose_name) for name in revision.changed_fields)


class CoordinatorDesignationInline(admin.TabularInline):
    model = CoordinatorDesignation
    fk_name = "merchant"
    extra = 0
    can_delete = False
    fields = ["user", "direct_phone", "started_at", "ended_at", "designated_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "platform", "is_active", "service_info_published_at", "created_at"]
    list_filter = ["platform", "is_active"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["service_info_published_at"]
    inlines = [CoordinatorDesignationInline, ServiceInfoRevisionInline]

    def save_model(self, request, obj, form, change):
        service_changes = set(SERVICE_INFO_FIELDS) & set(form.changed_data)
        if change and service_changes and any(getattr(obj, f) for f in profile.REACH_FIELDS):
            obj.service_info_published_at = obj.service_info_published_at or timezone.now()
        super().save_model(request, obj, form, change)
        kept = set(HISTORY_FIELDS) & set(form.changed_data)
        if change and kept:
            # In the change page's one transaction, as publish_service_info does.
            profile.record_revision(obj, request.user, kept)
        if change and profile.WORKING_TIME_FIELDS & kept:
            messages.info(request, profile.WORKING_TIME_CHANGED)
