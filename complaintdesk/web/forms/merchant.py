"""The shop's settings: its published service information, its coordinator and its service hours."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import MERCHANT_ROLES, User
from complaintdesk.merchants.models import validate_countable_hours, validate_phone
from complaintdesk.web.forms.common import LabelledForm


class ServiceInfoForm(LabelledForm):
    """The customer-service contacts a shop publishes in the directory (merchants.profile checks them). The
    phone is checked here too with the model's validator, so that a bad phone shows with a bad e-mail."""

    service_phone = forms.CharField(
        label=_("Customer-service phone"), max_length=32, required=False, validators=[validate_phone]
    )
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


class CoordinatorForm(LabelledForm):
    """Hand the 12315 coordinator's duty to a staff member of the shop (merchants.profile checks it)."""

    user = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), empty_label=None)
    direct_phone = forms.CharField(
        label=_("Direct phone of the coordinator"),
        max_length=32,
        validators=[validate_phone],
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


class ServiceHoursForm(LabelledForm):
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
