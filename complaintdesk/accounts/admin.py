"""Users in the regulator's back office. Every officer reaches it (accounts.backends), so the user pages
decide who may change whom, and an officer can no longer make themselves superuser: a superuser anyone and
anything; an officer manages consumers and shop staff (adds, edits, resets their passwords, deactivates
them) and the personal details of their own account. Superuser and staff status, groups, permissions,
making someone an officer and every other officer's or superuser's account stay the superuser's."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import ApiToken, Role, User
from complaintdesk.lib.admin_display import column

_DATES = (_("Important dates"), {"fields": ("last_login", "date_joined")})
_OFFICER_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email", "phone")}),
    ("ComplaintDesk", {"fields": ("role", "merchant", "bureau", "is_active")}),
    _DATES,
)
# An officer's own setting (notify.outbox.officer_targets), shown on an officer's page only.
_ALERTS = (
    _("Alerts"),
    {
        "fields": ("alert_notices",),
        "description": _(
            "How alerts reach this officer: at once, in the daily digest at 08:00, or not at all. Officers "
            "also choose it themselves on their notifications page."
        ),
    },
)
_MODEL_FIELDS = frozenset(f.name for f in User._meta.get_fields())


def holds_office(user: User) -> bool:
    """Officers and superusers: only a superuser changes their accounts."""
    return user.is_superuser or user.is_staff or user.role == Role.REGULATOR


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "merchant", "bureau", "email", "is_active"]
    list_filter = ["role", "merchant", "bureau", "is_active"]
    # An officer's bureau (SPEC §11) decides what the officer sees: the superuser's to set, as making an officer.
    fieldsets = BaseUserAdmin.fieldsets + (
        ("ComplaintDesk", {"fields": ("role", "merchant", "bureau", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("ComplaintDesk", {"fields": ("role", "merchant", "bureau")}),
    )

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            fieldsets = super().get_fieldsets(request, obj)
        else:
            fieldsets = _OFFICER_FIELDSETS
        if obj is not None and obj.role == Role.REGULATOR:
            fieldsets = (*fieldsets, _ALERTS)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        if obj is None:
            return (*super().get_readonly_fields(request, obj), "bureau")
        if obj == request.user:  # an officer's own standing is not theirs to change
            return ("role", "merchant", "bureau", "is_active", *flatten_fieldsets([_DATES]))
        return ("bureau", *flatten_fieldsets([_DATES]))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value != Role.REGULATOR]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or request.user.is_superuser or not holds_office(obj)
        )

    @staticmethod
    def _manages(actor: User, user: User | None) -> bool:
        return user is None or actor.is_superuser or user == actor or not holds_office(user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Refuse (403, naming the fields) a POST that sets a user field its form does not offer: the
        form would silently drop it, and a request that carries one was not made by our page."""
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if obj is None or self.has_change_permission(request, obj):
                offered = self.get_form(request, obj, change=obj is not None).base_fields
                refused = sorted((_MODEL_FIELDS & request.POST.keys()) - offered.keys())
                if refused:
                    return self._refuse(request, refused)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        # An officer's own password goes through the form that asks for the current one; everyone else's
        # is refused by has_change_permission when it is not this officer's to set.
        # Compared as objects: the id in the address may be written "06" for 6.
        if not request.user.is_superuser and self.get_object(request, unquote(id)) == request.user:
            return redirect("admin:password_change")
        return super().user_change_password(request, id, form_url)

    def _refuse(self, request, fields: list[str]):
        message = gettext(
            "Nothing was saved: %(fields)s cannot be changed on this page (only a superuser may change them, "
            "on the user's change page)."
        ) % {"fields": ", ".join(fields)}
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Not allowed"),
            "message": message,
        }
        return TemplateResponse(request, "admin/accounts/user/refused.html", context, status=403)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "name",
        "created_at",
        column("expires_at", _("expires at"), ordering="created_at"),  # a property: it has no field name
        "last_used_at",
        "revoked_at",
    ]
    # A token is revoked by the action below, never un-revoked: revoked_at is read-only like the rest.
    readonly_fields = ["user", "key_hash", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    def has_add_permission(self, request):
        return False  # tokens are issued by POST /api/v1/auth/token, which shows the raw value once


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes's list of attempts with a heading of our catalogue for its status column, which has none
    of its own (the admin would print "Status" in every language); its other names are the package's, in
    our catalogue (accounts.login_protection)."""

    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)


if admin.site.is_registered(AccessAttempt):  # django-axes registers it unless AXES_ENABLE_ADMIN is off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
