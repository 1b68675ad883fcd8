from django.contrib import admin, messages
from django.db import models
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
    """A shop, with where it is registered (SPEC §11): the registered address and its district bureau, and
    whether letters reach it. The bureau in charge is derived from those and the platform's seat on save
    (`centre.jurisdiction`), so it is shown, never edited."""

    list_display = [
        "name", "credit_code", "platform", "registered_district", "address_unreachable", "jurisdiction",
        "is_active", "service_info_published_at", "created_at",
    ]  # fmt: skip
    list_filter = ["platform", "is_active", "jurisdiction", "registered_district", "address_unreachable"]
    list_select_related = ["registered_district", "jurisdiction"]
    search_fields = ["name", "credit_code", "registered_address"]
    readonly_fields = ["service_info_published_at", "jurisdiction"]
    inlines = [CoordinatorDesignationInline, ServiceInfoRevisionInline]
    # A web address written without its scheme is https (as the centre's admin takes one).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "registered_district":
            # Districts only (the model's clean() says why); "district" is centre.BureauLevel.DISTRICT.
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(level="district")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
