"""The promotion filing's forms: the shop files, amends and attaches its plan; the regulator reviews."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.promotions import services
from complaintdesk.promotions.models import PromotionType
from complaintdesk.promotions.services import FilingData
from complaintdesk.web.forms.common import LabelledForm, check_upload, show_field_errors


class FilingForm(LabelledForm):
    """A promotion filing (SPEC §4); the services module checks the rules and computes the verdict."""

    name = forms.CharField(label=_("Name of the promotion"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=PromotionType.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    expected_orders = forms.IntegerField(label=_("Expected orders in total"), min_value=1)
    peak_hour_orders = forms.IntegerField(label=_("Expected orders in the peak hour"), min_value=1)
    staff_per_shift = forms.IntegerField(label=_("Customer-service staff per shift"), min_value=1)
    avg_handling_minutes = forms.DecimalField(
        label=_("Average handling time per complaint (minutes)"), min_value=0, max_digits=7, decimal_places=2
    )
    emergency_plan = forms.CharField(
        label=_("Customer-service emergency plan"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Who does what when complaints pile up: extra staff, escalation, hours, messages to customers."
        ),
    )
    contact_name = forms.CharField(label=_("Escalation contact: name"), max_length=100)
    contact_phone = forms.CharField(label=_("Escalation contact: phone"), max_length=32)

    def clean(self):
        """The domain's rules too, on every field the form itself took, so that every error shows at once
        (a bad phone with an empty name, a start in the past with an end before it)."""
        data = super().clean()
        found = services.problems(
            self.filing_data(), timezone.now(), start_changed=self.start_changed(data.get("starts_at"))
        )
        for field, reason in found:
            shown_at = _SHOWN_AT.get(field, field)
            if shown_at not in self.errors:
                self.add_error(shown_at if shown_at in self.fields else None, reason)
        return data

    def start_changed(self, starts_at) -> bool:
        """Whether the start is checked to be in the future: a new filing's always is."""
        return True

    def filing_data(self):
        """The filing as the domain takes it; a field the form refused is None (the domain skips it)."""
        d = self.cleaned_data

        def text(name):
            return d[name].strip() if d.get(name) is not None else None

        contact = {"name": text("contact_name"), "phone": text("contact_phone")}
        return FilingData(
            name=text("name"),
            type=d.get("type"),
            starts_at=d.get("starts_at"),
            ends_at=d.get("ends_at"),
            expected_orders=d.get("expected_orders"),
            peak_hour_orders=d.get("peak_hour_orders"),
            staff_per_shift=d.get("staff_per_shift"),
            avg_handling_minutes=d.get("avg_handling_minutes"),
            emergency_plan=text("emergency_plan"),
            contacts=[contact] if None not in contact.values() else None,
        )

    def add_field_error(self, exc):
        """Every field the domain refused, the contacts at the contact's phone."""
        show_field_errors(self, exc, _SHOWN_AT)


# Where the form shows a domain field it has no field of its own for.
_SHOWN_AT = {"contacts": "contact_phone"}


class ReviewForm(LabelledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the filing")), ("return", _("Return it for changes"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the shop"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what the shop must change."),
    )


class AmendFilingForm(FilingForm):
    """The shop corrects its filing; only the fields that differ are sent to `promotions.services`."""

    message = forms.CharField(
        label=_("Message to the 12315 centre (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. what you changed after the centre returned the filing."),
    )

    def __init__(self, *args, promotion, **kwargs):
        contact = (promotion.contacts or [{}])[0]
        kwargs.setdefault(
            "initial",
            {
                **{f: getattr(promotion, f) for f in FilingForm.base_fields if hasattr(promotion, f)},
                "contact_name": contact.get("name", ""),
                "contact_phone": contact.get("phone", ""),
            },
        )
        super().__init__(*args, **kwargs)
        self.promotion = promotion

    def start_changed(self, starts_at) -> bool:
        """A start already on file may have passed (a returned filing resubmitted late); a new one may not."""
        return starts_at is not None and starts_at != self.promotion.starts_at.replace(
            second=0, microsecond=0
        )

    def changes(self) -> dict:
        """The amendments as `services.amend` takes them: changed fields only, times to the minute (as the
        form shows them), the first escalation contact replaced and any further ones kept."""
        before, after = self.promotion, self.filing_data()
        changes = {}
        for field in ("name", "type", "expected_orders", "peak_hour_orders", "staff_per_shift"):
            if getattr(after, field) != getattr(before, field):
                changes[field] = getattr(after, field)
        if after.avg_handling_minutes != before.avg_handling_minutes:
            changes["avg_handling_minutes"] = after.avg_handling_minutes
        if after.emergency_plan != before.emergency_plan.strip():
            changes["emergency_plan"] = after.emergency_plan
        for field in ("starts_at", "ends_at"):
            if getattr(after, field) != getattr(before, field).replace(second=0, microsecond=0):
                changes[field] = getattr(after, field)
        old = list(before.contacts or [])
        if not old or after.contacts[0] != old[0]:
            changes["contacts"] = after.contacts + old[1:]
        return changes


def _pdf(upload) -> None:
    check_upload(upload, {"application/pdf"}, wrong_type=_("%(name)s is not a PDF document."))


class PlanForm(forms.Form):
    file = forms.FileField(
        label=_("Emergency plan (PDF)"),
        validators=[_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_("A PDF of up to 10 MB; a new upload replaces the previous one."),
    )
