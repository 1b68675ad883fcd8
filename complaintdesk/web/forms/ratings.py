"""The consumer's rating of a closed complaint, as a form (the API's `score` and `comment`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre.models import Rating
from complaintdesk.centre.ratings import SCORES
from complaintdesk.web.forms.common import LabelledForm

SCORE_LABELS = {
    1: _("1 – very poor"),
    2: _("2 – poor"),
    3: _("3 – fair"),
    4: _("4 – good"),
    5: _("5 – very good"),
}


class RatingForm(LabelledForm):
    score = forms.TypedChoiceField(
        label=_("How was your complaint handled?"),
        choices=[(n, SCORE_LABELS[n]) for n in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=Rating._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
