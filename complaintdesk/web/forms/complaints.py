"""The forms of a complaint's page, shared by its consumer, shop and regulator: the lifecycle actions,
more evidence, and the pledge commitments the shop broke."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre.models import Bureau
from complaintdesk.complaints import centre
from complaintdesk.complaints.choices import ResolutionType
from complaintdesk.complaints.lifecycle import TRANSITIONS, Action
from complaintdesk.web.forms.common import EvidenceField, LabelledForm


class ActionForm(LabelledForm):
    """One form for every lifecycle action; the fields an action does not use are dropped. The 12315 centre's
    steps carry the fields the lifecycle table says they need (a ground from the law's list, the receiving
    bureau, the agreement's terms and money) and the bureau that held the case when the page was drawn."""

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
    ground = forms.TypedChoiceField(label=_("Legal ground"), coerce=int)
    bureau = forms.TypedChoiceField(label=_("Receiving bureau"), coerce=int)
    terms = forms.CharField(
        label=_("Terms of the agreement"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What each party does, and by when."),
    )
    amount_recovered = forms.DecimalField(
        label=_("Money recovered for the consumer (yuan)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("0 if no money was recovered."),
    )
    # The bureau the page showed the case at (a transfer meanwhile refuses the step): hidden, but its label is
    # what a refusal at the field names.
    case_bureau = forms.IntegerField(
        label=_("Bureau handling the case"), required=False, widget=forms.HiddenInput
    )

    MESSAGE_LABELS = {
        Action.PROVIDE_INFO: _("Your answer"),
        Action.DISPUTE: _("Why the proposal is not acceptable"),
        Action.REFUSE_CASE: _("Reasons (the consumer's letter quotes them)"),
        Action.TERMINATE_MEDIATION: _("Reasons (both letters quote them)"),
        Action.TRANSFER: _("Why this bureau"),
        Action.PAUSE_FOR_TESTING: _("What is tested or appraised, and by whom"),
    }
    # The bureau that holds the case goes with each decision on it: a complaint transferred away since the
    # page was drawn is not decided on by mistake.
    DECIDED_AT_A_BUREAU = (Action.ACCEPT_CASE, Action.START_MEDIATION, Action.REFUSE_CASE, Action.TRANSFER)

    def __init__(self, action: str, *args, complaint=None, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        transition = TRANSITIONS.get(action)
        if action != Action.PROPOSE_RESOLUTION:
            del self.fields["resolution_type"], self.fields["details"]
        if action != Action.DISPUTE or (complaint is not None and not centre.may_ask_mediation(complaint)):
            del self.fields["ask_mediation"]
        if transition is not None and transition.grounds:
            self.fields["ground"].choices = [("", _("Choose the ground")), *transition.grounds.choices]
            self.fields["ground"].help_text = _("The grounds as the law lists them; your reasons go below.")
        else:
            del self.fields["ground"]
        if transition is not None and transition.needs_bureau:
            others = centre.other_bureaus(complaint) if complaint is not None else Bureau.objects.none()
            self.fields["bureau"].choices = [("", _("Choose the bureau"))] + [
                (b.pk, b.name_in(get_language() or "en")) for b in others
            ]
        else:
            del self.fields["bureau"]
        if transition is None or not transition.needs_terms:
            del self.fields["terms"], self.fields["amount_recovered"]
        if action in self.DECIDED_AT_A_BUREAU and complaint is not None:
            case = centre.case_of(complaint)
            self.fields["case_bureau"].initial = case.bureau_id if case else None
        else:
            del self.fields["case_bureau"]
        if transition is not None and not transition.needs_message:
            self.fields["message"].required = False
            self.fields["message"].label = _("Message (optional)")
        if action in self.MESSAGE_LABELS:
            self.fields["message"].label = self.MESSAGE_LABELS[action]

    @property
    def resolution(self) -> dict | None:
        if self.action != Action.PROPOSE_RESOLUTION:
            return None
        return {"type": self.cleaned_data["resolution_type"], "details": self.cleaned_data.get("details", "")}

    @property
    def centre_details(self) -> centre.Details:
        """The centre step's fields, as `services.perform` takes them."""
        data = self.cleaned_data
        return centre.Details(
            ground=data.get("ground"),
            bureau=data.get("bureau"),
            terms=data.get("terms", ""),
            amount_recovered=data.get("amount_recovered"),
            case_bureau=data.get("case_bureau"),
        )


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
