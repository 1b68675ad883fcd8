import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import MERCHANT_ROLES, Role, User
from complaintdesk.complaints.choices import Kind, ResolutionType, WantedOutcome
from complaintdesk.complaints.models import Category
from complaintdesk.lib import uploads
from complaintdesk.lib.dates import FIRST_DAY
from complaintdesk.merchants.models import Merchant, validate_countable_hours
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


def check_upload(upload, allowed, *, wrong_type) -> None:
    """lib.uploads' check, worded for a form: the file's name, the limit in MB, and `wrong_type` (with
    %(name)s) for a type not `allowed`. An empty file never gets here: FileField refuses it first."""
    try:
        uploads.check(upload, allowed)
    except uploads.UploadRefused as refused:
        if refused.problem == uploads.TOO_LARGE:
            raise forms.ValidationError(
                _("%(name)s is too large: the limit is %(mb)s MB."),
                params={"name": upload.name, "mb": refused.limit // (1024 * 1024)},
            ) from None
        if refused.problem == uploads.EMPTY:
            raise forms.ValidationError(
                forms.FileField.default_error_messages["empty"], code="empty"
            ) from None
        raise forms.ValidationError(wrong_type, params={"name": upload.name}) from None


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
        for upload in cleaned:
            check_upload(
                upload,
                settings.EVIDENCE_ALLOWED_TYPES,
                wrong_type=_("%(name)s is not a photo (JPEG, PNG), a PDF or a text file."),
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
    product = forms.CharField(
        label=_("Product"),
        max_length=200,
        required=False,
        help_text=_("What you bought: its name and model, or a link to its page in the shop."),
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
    publish_consent = forms.BooleanField(
        label=_("Yes, publish what happened in the open data, with my personal data removed"),
        required=False,
        help_text=_(
            "The complaint centre publishes complaints as open data without names. Ticked, your description "
            "is published too, after phone numbers, e-mail addresses, ID and card numbers, WeChat/QQ ids, "
            "addresses and order numbers are taken out; names cannot always be found, so leave yours out. "
            "Not ticked, only the shop, the category and the outcome are published."
        ),
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
        if value and value < FIRST_DAY:
            raise forms.ValidationError(
                _("The order date cannot be before %(day)s."), params={"day": FIRST_DAY.isoformat()}
            )
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


class CoordinatorForm(forms.Form):
    """Hand the 12315 coordinator's duty to a staff member of the shop (merchants.profile checks it)."""

    user = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), empty_label=None)
    direct_phone = forms.CharField(
        label=_("Direct phone of the coordinator"),
        max_length=32,
        help_text=_("The 12315 centre calls this number about escalations."),
    )

    def __init__(self, *args, merchant, current=None, **kwargs):
        if current is not None:
            kwargs.setdefault("initial", {"user": current.user_id, "direct_phone": current.direct_phone})
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(merchant=merchant, role__in=MERCHANT_ROLES, is_active=True)
        self.fields["user"].queryset = staff.order_by("username")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )


WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~～至]\s*(\d{1,2}):(\d{2})$")


class ServiceHoursForm(forms.Form):
    """The shop's customer-service hours, one text field per weekday: "09:00-12:00, 13:00-18:00"."""

    def __init__(self, *args, hours=None, **kwargs):
        super().__init__(*args, **kwargs)
        hours = hours or {}
        for day, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                max_length=200,
                required=False,
                initial=", ".join(f"{a}-{b}" for a, b in hours.get(str(day), [])),
            )
        self.fields["day_6"].help_text = _(
            "Times as HH:MM-HH:MM, several intervals separated by commas; leave a day empty when closed."
        )

    def clean(self):
        data = super().clean()
        self.hours = {}
        for day in range(7):
            field = f"day_{day}"
            if field not in data:
                continue
            try:
                intervals = self._parse(data[field])
            except forms.ValidationError as exc:
                self.add_error(field, exc)
                continue
            if intervals:
                self.hours[str(day)] = intervals
        if not self.hours and not self.errors:
            # Deadlines count working time in these hours: a shop must be open at some time of the week.
            raise forms.ValidationError(_("Publish the hours of at least one day."))
        return data

    @staticmethod
    def _parse(text: str) -> list[list[str]]:
        intervals = []
        for part in re.split(r"[,，;；]", text or ""):
            part = part.strip()
            if not part:
                continue
            match = _INTERVAL.match(part)
            if not match:
                raise forms.ValidationError(
                    _("“%(part)s” is not an interval like 09:00-18:00."), params={"part": part}
                )
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            interval = [f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"]
            try:
                validate_countable_hours({"0": [interval]})
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
            intervals.append(interval)
        intervals.sort()
        for earlier, later in zip(intervals, intervals[1:], strict=False):
            if later[0] < earlier[1]:
                raise forms.ValidationError(
                    _("The intervals %(a)s and %(b)s overlap."),
                    params={"a": "-".join(earlier), "b": "-".join(later)},
                )
        return intervals


class PledgeVersionForm(forms.Form):
    """A new pledge version: a title and the eight commitments in English and Chinese (SPEC §5)."""

    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        texts = {c.number: c for c in previous.commitments.all()} if previous else {}
        if previous:
            self.fields["title"].initial = previous.title
        for number in range(1, 9):
            old = texts.get(number)
            for lang, label in (
                ("en", _("Commitment %(n)s (English)")),
                ("zh", _("Commitment %(n)s (Chinese)")),
            ):
                self.fields[f"text_{lang}_{number}"] = forms.CharField(
                    label=label % {"n": number},
                    max_length=2000,
                    initial=getattr(old, f"text_{lang}", ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def commitments(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {"number": n, "text_en": d[f"text_en_{n}"].strip(), "text_zh": d[f"text_zh_{n}"].strip()}
            for n in range(1, 9)
        ]


class CommitmentTagsForm(forms.Form):
    numbers = forms.TypedMultipleChoiceField(
        label=_("Commitments of the pledge the shop broke"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        texts = texts or {}
        self.fields["numbers"].choices = [(n, f"{n}. {texts.get(n, '')}".strip()) for n in range(1, 9)]
