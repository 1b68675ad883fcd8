"""The forms of reports and enquiries: the public's report and enquiry (signed in or not; an officer also says
how and when a call or a letter came in) and the officer's decision or answer. The checks of what may be
filed are `centre.matters`' (one place for the API and the web); these forms only read the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.centre import matters, transfers
from complaintdesk.centre.matters import Filing, ReportDecision
from complaintdesk.centre.models import Bureau, MatterChannel, MatterKind
from complaintdesk.web.forms.common import LabelledForm
from complaintdesk.web.forms.shop_picker import ShopField


class MatterForm(LabelledForm):
    """What a report and an enquiry share. `officer`: an officer recording a call or a letter for someone."""

    kind = MatterKind.ENQUIRY

    merchant = ShopField(
        label=_("Shop"),
        required=False,
        error_messages={
            "not_found": _(
                "No shop in the directory has “%(text)s” in its name: check the spelling, or leave this "
                "empty and give the shop's web address."
            )
        },
    )
    web_address = forms.CharField(
        label=_("Web address"),
        max_length=matters.WEB_ADDRESS_LIMIT,
        required=False,
        help_text=_("The address of the shop or of the page, as your browser shows it."),
    )
    text = forms.CharField(
        label=_("Your question"), max_length=matters.TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=matters.CONTACT_NAME_LIMIT, required=False
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, officer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.officer = officer
        if officer:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Received by"), choices=MatterChannel.choices, initial=MatterChannel.HOTLINE
            )
            self.fields["received_at"] = forms.DateTimeField(
                label=_("Received at"),
                required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                help_text=_("When the call, the visit or the letter reached the centre; empty: now."),
            )

    def filing(self, language: str) -> Filing:
        data = self.cleaned_data
        merchant = data.get("merchant")
        return Filing(
            kind=self.kind,
            text=data["text"],
            merchant=merchant.pk if merchant else None,
            web_address=data.get("web_address", ""),
            anonymous=bool(data.get("anonymous")),
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            channel=data.get("channel") or MatterChannel.WEB,
            received_at=data.get("received_at"),
            language=language,
        )


class ReportForm(MatterForm):
    kind = MatterKind.REPORT

    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_(
            "Neither your account nor any contact is kept with the report, so the centre cannot tell you its "
            "decision. Leave the contact fields empty."
        ),
    )

    field_order = [
        "merchant",
        "web_address",
        "text",
        "anonymous",
        "contact_name",
        "contact_phone",
        "contact_email",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merchant"].help_text = _("The shop you report, if it is in the directory.")
        self.fields["text"].label = _("What the shop did")
        self.fields["text"].help_text = _(
            "What you saw, where and when: the goods, the page, the advertising, the prices. Facts, not names "
            "of people."
        )


class EnquiryForm(MatterForm):
    field_order = ["text", "merchant", "web_address", "contact_name", "contact_phone", "contact_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merchant"].help_text = _("The shop your question is about, if any.")


class DecisionForm(LabelledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReportDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=matters.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with the report; the reporter is told it if they can be reached."),
    )


class AnswerForm(LabelledForm):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=matters.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent to the enquirer if they can be reached; kept with the enquiry."),
    )


class TransferForm(LabelledForm):
    """An officer's transfer of a report or an enquiry to another bureau: any bureau but the one holding it.
    The checks are `centre.matters.transfer`'s; an id that is not offered is refused here on its field."""

    bureau = forms.TypedChoiceField(label=_("Receiving bureau"), coerce=int)
    message = forms.CharField(
        label=_("Why this bureau"),
        max_length=transfers.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the transfer; the receiving bureau's duty starts when it receives it."),
    )

    def __init__(self, *args, holding: int | None = None, language: str = "en", **kwargs):
        kwargs.setdefault("prefix", "transfer")
        super().__init__(*args, **kwargs)
        others = Bureau.objects.exclude(pk=holding) if holding is not None else Bureau.objects.all()
        self.fields["bureau"].choices = [("", _("Choose the bureau"))] + [
            (b.pk, b.name_in(language)) for b in others
        ]
