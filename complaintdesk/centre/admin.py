"""The centre in the back office (issues 13, 14): its bureaus, the platforms' seats and rule versions, which the
regulator edits, and its cases, reports and enquiries, transfers, letters, ratings and follow-up calls, which
it reads (they change through the procedure's own steps, so that every duty and letter stays whole). Times show in the regulator's zone, as
the admin shows every time.

A rule version is entered with its rules inline, one per duty; `centre.versions` says what keeps versions
consistent with the matters received under them, and docs/centre.md how to enter a new one.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaintdesk.centre import versions
from complaintdesk.centre.models import (
    Bureau,
    BureauLevel,
    CentreCase,
    FollowUpCall,
    Matter,
    Notice,
    PlatformSeat,
    Rating,
    RuleVersion,
    Transfer,
)
from complaintdesk.deadlines.models import Deadline, Phase, PolicyRule
from complaintdesk.deadlines.recompute import recompute_open_deadlines


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read in the back office, changed only by the procedure (the API and the console)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    """The city centre and its district bureaus (SPEC §11). The name and address head the centre's letters;
    the working hours are the bureau's calendar for its duties (empty: the centre's Monday–Friday
    09:00–18:00). A district's parent is the city centre (`Bureau.clean`). A change of the hours moves the
    bureau's running duties at once (logged on each complaint as a recomputation)."""

    list_display = ["name_en", "name_zh", "level", "parent", "address", "phone", "email", "working_hours"]
    list_filter = ["level", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name_en", "name_zh", "address"]
    fields = ["name_zh", "name_en", "level", "parent", "address", "phone", "email", "service_hours"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Bureau.objects.filter(level=BureauLevel.CITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("working hours"))
    def working_hours(self, bureau):
        if not bureau.service_hours:
            return _("the centre's (Monday to Friday, 09:00 to 18:00)")
        return json.dumps(bureau.service_hours, sort_keys=True)  # as the form takes them

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "service_hours" in form.changed_data:
            reason = _("Working hours of %(bureau)s changed") % {"bureau": obj.name_en}
            moved = recompute_open_deadlines(request.user, str(reason), bureau_id=obj.pk)
            messages.info(
                request,
                ngettext(
                    "The new working hours apply to its running duties: %(count)d complaint or matter moved.",
                    "The new working hours apply to its running duties: %(count)d complaints and matters moved.",
                    moved,
                )
                % {"count": moved},
            )


@admin.register(PlatformSeat)
class PlatformSeatAdmin(admin.ModelAdmin):
    """Where each platform is registered: its shops without a reachable address of their own are that
    bureau's (SPEC §11). Saving or deleting a seat re-routes the platform's shops (`centre.signals`)."""

    list_display = ["platform", "operator", "bureau"]
    list_select_related = ["bureau"]
    search_fields = ["operator"]


# ------------------------------------------------------------------------------------------ rule versions


class RuleFormSet(forms.BaseInlineFormSet):
    """A version's rules: one per duty, every duty given (`versions.REQUIRED_PHASES`)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # A rule whose phase is read-only (the version is in use) keeps its stored phase.
        phases = [
            form.cleaned_data.get("phase") or form.instance.phase
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        twice = sorted({str(Phase(p).label) for p in phases if phases.count(p) > 1})
        if twice:
            raise forms.ValidationError(
                _("Each duty has one rule in a version; given twice: %(phases)s.")
                % {"phases": ", ".join(twice)}
            )
        missing = versions.missing_phases(phases)
        if missing:
            raise forms.ValidationError(
                _(
                    "A version sets every duty of the centre, each with its legal citation; complete the rule "
                    "for: %(phases)s."
                )
                % {"phases": ", ".join(missing)}
            )


class RuleInline(admin.TabularInline):
    model = PolicyRule
    formset = RuleFormSet
    fk_name = "version"
    extra = 0
    fields = ["phase", "clock", "days", "duration", "label", "citation"]
    verbose_name = _("rule")
    verbose_name_plural = _("rules (one per duty)")

    def get_extra(self, request, obj=None, **kwargs):
        return len(versions.REQUIRED_PHASES) if obj is None else 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "citation" and field is not None:
            field.required = True  # a rule of law names its law, order and article (issue 13 item 1)
        return field

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "phase":
            kwargs["choices"] = [("", "---------")] + [
                (value, label) for value, label in Phase.choices if value in versions.VERSION_PHASES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Matters follow this version: the length of their duties is fixed (versions, point 3).
        if obj is not None and versions.in_use(obj):
            return [f for f in self.fields if f in versions.FIXED_RULE_FIELDS]
        return []

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and versions.in_use(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and versions.in_use(obj))


class RuleVersionForm(forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = [
            "name", "effective_from", "law", "refusal_article", "termination_article", "agreement_article", "note",
        ]  # fmt: skip
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        data = super().clean()
        day = data.get("effective_from")
        if day is not None:
            versions.check_effective_date(self.instance, day)
        return data


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    form = RuleVersionForm
    list_display = ["name", "effective_from", "law", "matters_following"]
    readonly_fields = ["matters_following", "created_at"]
    fields = [
        "name",
        "effective_from",
        "law",
        "refusal_article",
        "termination_article",
        "agreement_article",
        "note",
        "matters_following",
        "created_at",
    ]
    inlines = [RuleInline]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new version starts from the figures of the one in force today, one row per duty: the regulator
        changes what the new law changes and writes each rule's wording and citation."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RuleInline) and obj.pk is None:
            kwargs["initial"] = versions.starting_rules()
        return kwargs

    @admin.display(description=_("matters following it"))
    def matters_following(self, version):
        return versions.in_use(version) if version.pk else 0

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        count = versions.in_use(version) if version is not None else 0
        if count and request.method == "GET":
            messages.info(
                request,
                ngettext(
                    "%(count)d matter follows this version: the length of its duties is fixed. Correct the "
                    "wording of a rule if you must; for new figures, add a version with a later effective date.",
                    "%(count)d matters follow this version: the length of their duties is fixed. Correct the "
                    "wording of a rule if you must; for new figures, add a version with a later effective date.",
                    count,
                )
                % {"count": count},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_deleted_objects(self, objs, request):
        """A version in use, or the only one in force today, is refused as a protected object (the delete page
        and the bulk action alike), with the reason."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for version in objs:
            reason = versions.check_deletion(version)
            if reason:
                messages.error(request, reason)
                protected = [*protected, str(version)]
        return deleted, counts, perms_needed, protected


# ---------------------------------------------------------------------------- what the procedure writes


class MatterDeadlineInline(ReadOnlyInline):
    model = Deadline
    fk_name = "matter"
    fields = ["phase", "due_at", "rule_label", "status", "reminded_at", "breached_at", "met_at"]
    readonly_fields = fields


class MatterNoticeInline(ReadOnlyInline):
    model = Notice
    fk_name = "matter"
    fields = ["kind", "recipient", "language", "title", "issued_at", "issued_by"]
    readonly_fields = fields


class TransferInline(ReadOnlyInline):
    model = Transfer
    fields = ["at", "from_bureau", "to_bureau", "by", "reason", "received_before"]
    readonly_fields = fields


@admin.register(CentreCase)
class CentreCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "complaint", "bureau", "routing", "rule_version", "via", "received_at", "accepted_at", "outcome",
    ]  # fmt: skip
    list_filter = [
        "outcome", "via", "bureau", "routing", "rule_version", "refusal_ground", "termination_ground",
    ]  # fmt: skip
    search_fields = ["complaint__reference"]
    date_hierarchy = "received_at"
    list_select_related = ["complaint", "bureau", "rule_version"]


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "kind",
        "state",
        "channel",
        "merchant",
        "web_address",
        "bureau",
        "routing",
        "received_at",
        "rule_version",
    ]
    list_filter = ["kind", "state", "channel", "anonymous", "bureau", "routing", "rule_version"]
    search_fields = ["reference", "text", "web_address", "merchant__name"]
    date_hierarchy = "received_at"
    list_select_related = ["merchant", "rule_version", "bureau"]
    inlines = [MatterDeadlineInline, MatterNoticeInline, TransferInline]
    # A web address written without its scheme is https (as `centre.matters` stores one).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    """Transfers between bureaus, as the transfer step wrote them (the console and the API make them)."""

    list_display = ["at", "complaint", "matter", "from_bureau", "to_bureau", "by"]
    list_filter = ["from_bureau", "to_bureau"]
    search_fields = ["complaint__reference", "matter__reference", "reason"]
    date_hierarchy = "at"
    list_select_related = ["complaint", "matter", "from_bureau", "to_bureau", "by"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "kind", "recipient", "complaint", "matter", "language", "bureau"]
    list_filter = ["kind", "recipient", "language", "bureau"]
    search_fields = ["complaint__reference", "matter__reference", "title"]
    date_hierarchy = "issued_at"
    list_select_related = ["complaint", "matter", "bureau"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "score", "created_at", "updated_at"]
    list_filter = ["score"]
    search_fields = ["complaint__reference"]
    date_hierarchy = "created_at"
    list_select_related = ["complaint"]


@admin.register(FollowUpCall)
class FollowUpCallAdmin(ReadOnlyAdmin):
    list_display = ["called_at", "complaint", "matter", "officer", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["complaint__reference", "matter__reference", "note"]
    date_hierarchy = "called_at"
    list_select_related = ["complaint", "matter", "officer"]
