from django.contrib import admin

from complaintdesk.pledges.models import Commitment, PledgeSignature, PledgeVersion


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(PledgeVersion)
class PledgeVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "published_at"]
    readonly_fields = ["published_at", "published_by"]
    inlines = [CommitmentInline]


@admin.register(PledgeSignature)
class PledgeSignatureAdmin(admin.ModelAdmin):
    list_display = ["merchant", "version", "signed_by", "signed_at", "ip_address"]
    list_filter = ["version"]
    readonly_fields = ["merchant", "version", "signed_by", "signed_at", "ip_address"]

    def has_add_permission(self, request):
        return False
