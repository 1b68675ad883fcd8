"""The forms of group complaints (集体投诉, SPEC §11): a consumer joining with their own order, an officer
opening a group and writing the centre's statement, the shop answering the group once. The checks of what
may be done are `complaints.groups`' (one place for the API and the web); these forms only read the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.choices import ResolutionType
from complaintdesk.complaints.models import ComplaintGroup, GroupPost
from complaintdesk.web.filters import MAX_ROW_ID, QueryForm
from complaintdesk.web.forms.common import LabelledForm
from complaintdesk.web.forms.consumer import ComplaintForm

# The most complaints an officer picks at once for a new group: a page of the console's list.
MOST_PICKED = 50


def _limit(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class JoinForm(LabelledForm):
    """The consumer's own order and words; the shop, the product and the problem are the group's. The order's
    fields are the filing form's own, so that both ask and check them alike."""

    order_number = ComplaintForm.base_fields["order_number"]
    order_date = ComplaintForm.base_fields["order_date"]
    amount = ComplaintForm.base_fields["amount"]
    wanted_outcome = ComplaintForm.base_fields["wanted_outcome"]
    description = forms.CharField(
        label=_("What happened"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The group's problem is written in for you: keep it and add what happened to you (dates, what the "
            "shop said). Left empty, your complaint states the group's problem."
        ),
    )

    clean_order_date = ComplaintForm.clean_order_date


class IdListField(forms.Field):
    """Row ids sent as one parameter repeated (?complaints=1&complaints=2), as hidden inputs on the form."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("“%(value)s” is not the number of a complaint."),
        "too_many": _("Pick at most %(limit)s complaints at once."),
    }

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for raw in values:
            try:
                number = int(str(raw).strip())
            except ValueError:
                number = 0
            if not 1 <= number <= MAX_ROW_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": str(raw)[:20]}
                )
            if number not in ids:
                ids.append(number)
        if len(ids) > MOST_PICKED:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MOST_PICKED}
            )
        return ids


class OpenGroupQuery(QueryForm):
    """Where the officer comes from to open a group: a mass-incident alert, or complaints picked on the
    console's list of one shop's complaints."""

    alert = forms.IntegerField(label=_("Alert"), min_value=1, max_value=MAX_ROW_ID, required=False)
    complaints = IdListField(label=_("Complaints"), required=False)


class OpenGroupForm(LabelledForm):
    product = forms.CharField(
        label=_("Product"),
        max_length=_limit(ComplaintGroup, "product"),
        help_text=_("The product the members bought, as the public page names it: its name and model."),
    )
    problem = forms.CharField(
        label=_("The problem"),
        max_length=_limit(ComplaintGroup, "problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What every member complains of, in plain words: it is public, and each consumer who joins "
            "finds it in their complaint. No names, phone numbers or order numbers."
        ),
    )
    # Carried from the alert's page or the picked complaints: hidden, but named in a refusal by their labels.
    alert = forms.IntegerField(
        label=_("Alert"), min_value=1, max_value=MAX_ROW_ID, required=False, widget=forms.HiddenInput
    )
    complaints = IdListField(label=_("Complaints"), required=False)


class StatementForm(LabelledForm):
    message = forms.CharField(
        label=_("The centre's statement"),
        max_length=_limit(GroupPost, "message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Public, on the group's page: what the centre did or asks of the shop. No personal data."
        ),
    )


class GroupAnswerForm(LabelledForm):
    """The shop's one answer to every member: a message, and a resolution offered to each when there is one."""

    message = forms.CharField(
        label=_("Your answer to every member"),
        max_length=_limit(GroupPost, "message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public, on the group's page, and sent to each member's complaint."),
    )
    resolution_type = forms.ChoiceField(
        label=_("Resolution offered (optional)"),
        choices=[("", _("None: an answer only"))] + ResolutionType.choices,
        required=False,
        help_text=_("With a resolution, each member accepts or disputes it on their own complaint."),
    )
    resolution_text = forms.CharField(
        label=_("Details of the resolution"),
        max_length=_limit(GroupPost, "resolution_text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the amount of the refund and when it is paid."),
    )

    def clean(self):
        data = super().clean()
        if data.get("resolution_text", "").strip() and not data.get("resolution_type"):
            self.add_error("resolution_type", _("Choose the resolution these details belong to."))
        return data
