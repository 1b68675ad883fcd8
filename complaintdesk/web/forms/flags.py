"""Clearing a flag for review (`complaints.flags`): the officer's note, required."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.flags import NOTE_MAX
from complaintdesk.web.forms.common import LabelledForm


class ClearFlagForm(LabelledForm):
    note = forms.CharField(
        label=_("What the review found"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required. The flag stays on the complaint, cleared, with this note; only officers see it."
        ),
    )
