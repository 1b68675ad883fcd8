"""The consumer's form: filing a complaint."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.choices import WantedOutcome
from complaintdesk.complaints.models import Category
from complaintdesk.lib.dates import FIRST_DAY
from complaintdesk.web.display import category_name
from complaintdesk.web.forms.common import EvidenceField, LabelledForm
from complaintdesk.web.forms.shop_picker import ShopField


class ComplaintForm(LabelledForm):
    merchant = ShopField(label=_("Shop"), help_text=_("The online shop you bought from."))
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
    # The kind follows from the category (intake.kind_for): the help text names the quality problems.
    category = forms.ChoiceField(label=_("What went wrong"))
    # A blank first choice: the consumer says what they want, nothing is chosen for them.
    wanted_outcome = forms.ChoiceField(
        label=_("What you want"), choices=[("", _("Choose what you want"))] + WantedOutcome.choices
    )
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
        quality = [category_name(c) for c in active if c.is_quality_problem]
        if quality:
            self.fields["category"].help_text = _(
                "A quality problem of the goods or the service (%(categories)s) must get the shop's reply "
                "within 4 working hours."
            ) % {"categories": ", ".join(quality)}

    def clean_order_date(self):
        value = self.cleaned_data["order_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The order date cannot be in the future."))
        if value and value < FIRST_DAY:
            raise forms.ValidationError(
                _("The order date cannot be before %(day)s."), params={"day": FIRST_DAY.isoformat()}
            )
        return value
