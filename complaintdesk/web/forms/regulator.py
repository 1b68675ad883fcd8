"""The regulator's console: a note on an alert, a new version of the pledge, and the statutory calendar's
days (a holiday file or one day)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.deadlines.holiday_files import HolidayEntry, parse_holiday_file
from complaintdesk.web.forms.common import LabelledForm, check_upload


class NoteForm(LabelledForm):
    note = forms.CharField(
        label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PledgeVersionForm(LabelledForm):
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


class HolidayFileForm(LabelledForm):
    """A State Council notice as a holiday-cn JSON or an iCalendar file (`deadlines.holiday_files`), checked
    as every upload is (size, text by content) before it is read."""

    file = forms.FileField(
        label=_("Holiday file"),
        help_text=_(
            "The State Council notice as a holiday-cn JSON file (github.com/NateScarlet/holiday-cn) or an "
            "iCalendar (.ics) file of all-day events. Its days replace those entered before for the same dates."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.ics"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, {"text/plain"}, wrong_type=_("%(name)s is not a text file (JSON or iCalendar)."))
        try:
            self.entries = parse_holiday_file(upload.read(), upload.name)
        except ValueError as exc:
            raise forms.ValidationError(
                _("%(name)s could not be read: %(reason)s"), params={"name": upload.name, "reason": str(exc)}
            ) from None
        return upload


class CalendarDayForm(LabelledForm):
    """One statutory day: a holiday (no working hours) or an adjusted working day (Monday's hours)."""

    DAY_OFF, WORKING_DAY = "off", "working"

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("This day is"),
        choices=[
            (DAY_OFF, _("A day off (holiday): no working hours")),
            (WORKING_DAY, _("An adjusted working day: Monday's working hours")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Name or note"), max_length=200, required=False)

    def entry(self) -> HolidayEntry:
        d = self.cleaned_data
        return HolidayEntry(d["date"], d["kind"] == self.DAY_OFF, d["note"].strip())
