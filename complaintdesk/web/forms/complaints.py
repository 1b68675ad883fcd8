"""The forms of a complaint's page, shared by its consumer, shop and regulator: the lifecycle actions,
more evidence, and the pledge commitments the shop broke."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.choices import ResolutionType
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.web.forms.common import EvidenceField, LabelledForm


class ActionForm(LabelledForm):
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

    OPTIONAL_MESSAGE = (Action.ACCEPT, Action.WITHDRAW)

    def __init__(self, action: str, *args, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        if action != Action.PROPOSE_RESOLUTION:
            del self.fields["resolution_type"], self.fields["details"]
        if action != Action.DISPUTE:
            del self.fields["ask_mediation"]
        if action in self.OPTIONAL_MESSAGE:
            self.fields["message"].required = False
            self.fields["message"].label = _("Message (optional)")
        if action == Action.PROVIDE_INFO:
            self.fields["message"].label = _("Your answer")
        if action == Action.DISPUTE:
            self.fields["message"].label = _("Why the proposal is not acceptable")

    @property
    def resolution(self) -> dict | None:
        if self.action != Action.PROPOSE_RESOLUTION:
            return None
        return {"type": self.cleaned_data["resolution_type"], "details": self.cleaned_data.get("details", "")}


class EvidenceForm(forms.Form):
    files = EvidenceField(label=_("Add evidence"), required=True)


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
