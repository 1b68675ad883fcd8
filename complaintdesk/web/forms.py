from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints.choices import Kind, ResolutionType, WantedOutcome
from complaintdesk.complaints.evidence import sniff
from complaintdesk.complaints.models import Category
from complaintdesk.merchants.models import Merchant
from complaintdesk.promotions.models import PromotionType
from complaintdesk.web.display import category_name


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail (optional, for updates)"), required=False)

    class Meta:
        model = User
        fields = ["username", "email"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = Role.CONSUMER
        user.merchant = None
        if commit:
            user.save()
        return user


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """One or more evidence files, each checked by content before the domain stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(EvidenceField, self).clean(f, initial) for f in files]
        limit = settings.EVIDENCE_MAX_BYTES
        for upload in cleaned:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is too large: the limit is %(mb)s MB."),
                    params={"name": upload.name, "mb": limit // (1024 * 1024)},
                )
            head = upload.read(4096)
            upload.seek(0)
            if sniff(head) not in settings.EVIDENCE_ALLOWED_TYPES:
                raise forms.ValidationError(
                    _("%(name)s is not a photo (JPEG, PNG), a PDF or a text file."),
                    params={"name": upload.name},
                )
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class ComplaintForm(forms.Form):
    merchant = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Merchant.objects.filter(is_active=True),
        empty_label=_("Choose the shop from the directory"),
        help_text=_("The online shop you bought from."),
    )
    order_number = forms.CharField(label=_("Order number"), max_length=64)
    amount = forms.DecimalField(
        label=_("Amount paid (CNY)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    order_date = forms.DateField(
        label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    category = forms.ChoiceField(label=_("What went wrong"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Kind.choices,
        initial=Kind.COMPLAINT,
        widget=forms.RadioSelect,
        help_text=_("A quality problem of the goods or the service must get a reply within 4 working hours."),
    )
    wanted_outcome = forms.ChoiceField(label=_("What you want"), choices=WantedOutcome.choices)
    description = forms.CharField(
        label=_("What happened"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Dates, what the shop said, what you already tried."),
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        required=False,
        help_text=_("Photos, screenshots, receipts: JPEG, PNG, PDF or text, up to 10 MB each."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Category.objects.filter(is_active=True)
        self.fields["category"].choices = [("", _("Choose a category"))] + [
            (c.code, category_name(c)) for c in active
        ]

    def clean_order_date(self):
        value = self.cleaned_data["order_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The order date cannot be in the future."))
        return value


class ActionForm(forms.Form):
    """One form for every lifecycle action; the fields an action does not use are dropped."""

    message = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    resolution_type = forms.ChoiceField(label=_("Resolution"), choices=ResolutionType.choices)
    details = forms.CharField(
        label=_("Details of the resolution"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the amount of the refund and when it is paid."),
    )
    ask_mediation = forms.BooleanField(
        label=_("Ask the 12315 centre to mediate"),
        required=False,
        help_text=_(
            "The complaint goes to the consumer-protection centre, which mediates between you and the shop."
        ),
    )

    OPTIONAL_MESSAGE = ("accept", "withdraw")

    def __init__(self, action: str, *args, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        if action != "propose_resolution":
            del self.fields["resolution_type"], self.fields["details"]
        if action != "dispute":
            del self.fields["ask_mediation"]
        if action in self.OPTIONAL_MESSAGE:
            self.fields["message"].required = False
            self.fields["message"].label = _("Message (optional)")
        if action == "provide_info":
            self.fields["message"].label = _("Your answer")
        if action == "dispute":
            self.fields["message"].label = _("Why the proposal is not acceptable")

    @property
    def resolution(self) -> dict | None:
        if self.action != "propose_resolution":
            return None
        return {"type": self.cleaned_data["resolution_type"], "details": self.cleaned_data.get("details", "")}


class EvidenceForm(forms.Form):
    files = EvidenceField(label=_("Add evidence"), required=True)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilingForm(forms.Form):
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
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data

    def filing_data(self):
        from complaintdesk.promotions.services import FilingData

        d = self.cleaned_data
        return FilingData(
            name=d["name"].strip(),
            type=d["type"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            expected_orders=d["expected_orders"],
            peak_hour_orders=d["peak_hour_orders"],
            staff_per_shift=d["staff_per_shift"],
            avg_handling_minutes=d["avg_handling_minutes"],
            emergency_plan=d["emergency_plan"].strip(),
            contacts=[{"name": d["contact_name"].strip(), "phone": d["contact_phone"].strip()}],
        )

    def add_field_error(self, exc):
        field = {"contacts": "contact_phone"}.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, exc.reason)


class ReviewForm(forms.Form):
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


class ServiceInfoForm(forms.Form):
    """The customer-service contacts a shop publishes in the directory (merchants.profile checks them)."""

    service_phone = forms.CharField(label=_("Customer-service phone"), max_length=32, required=False)
    service_email = forms.EmailField(label=_("Customer-service e-mail"), required=False)
    service_chat_url = forms.URLField(
        label=_("Online customer-service chat (link)"), max_length=500, required=False, assume_scheme="https"
    )
    returns_address = forms.CharField(
        label=_("Address for returns"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {f: getattr(instance, f) for f in self.base_fields})
        super().__init__(*args, **kwargs)
