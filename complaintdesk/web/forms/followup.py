"""An officer's record of a follow-up call (回访): when, the outcome, a note."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre.models import CallOutcome, FollowUpCall
from complaintdesk.web.forms.common import LabelledForm


class FollowUpCallForm(LabelledForm):
    called_at = forms.DateTimeField(
        label=_("Called at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=FollowUpCall._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
