"""The centre in the back office (issue 13): its bureaus and rule versions, which the regulator edits, and its
cases, reports and enquiries, letters, ratings and follow-up calls, which it reads (they change through the
procedure's own steps, so that every duty and letter stays whole). Times show in the regulator's zone, as
the admin shows every time.

A rule version is entered with its rules inline, one per duty; `centre.versions` says what keeps versions
consistent with the matters received under them, and docs/centre.md how to enter a new one.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaintdesk.centre import versions
from complaintdesk.centre.models import (
    Bureau,
    CentreCase,
    FollowUpCall,
    Matter,
    Notice,
    Rating,
    RuleVersion,
)
from complaintdesk.deadlines.models import Deadline, Phase, PolicyRule


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
    """The name and address head the centre's letters."""

    list_display = ["name_en", "name_zh", "level", "parent", "phone", "email"]
    list_filter = ["level"]
    search_fields = ["name_en", "name_zh"]


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


@admin.register(CentreCase)
class CentreCaseAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "bureau", "rule_version", "via", "received_at", "accepted_at", "outcome"]
    list_filter = ["outcome", "via", "bureau", "rule_version", "refusal_ground", "termination_ground"]
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
        "received_at",
        "rule_version",
    ]
    list_filter = ["kind", "state", "channel", "anonymous", "bureau", "rule_version"]
    search_fields = ["reference", "text", "web_address", "merchant__name"]
    date_hierarchy = "received_at"
    list_select_related = ["merchant", "rule_version"]
    inlines = [MatterDeadlineInline, MatterNoticeInline]
    # A web address written without its scheme is https (as `centre.matters` stores one).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


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
