"""The regulator's console: a note on an alert and a new version of the pledge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.web.forms.common import LabelledForm


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
