"""An officer's notification preferences: how alerts reach them (`User.alert_notices`, read by
`notify.outbox.officer_targets`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import User
from complaintdesk.web.forms.common import LabelledForm


class AlertNoticesForm(LabelledForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["alert_notices"]
        labels = {"alert_notices": _("When an alert is raised, tell me")}
        help_texts = {
            "alert_notices": _(
                "Alerts are unusual patterns of complaints (a surge at a shop, a mass incident, an unfiled "
                "promotion). A daily digest comes by e-mail at 08:00 and lists the day's alerts; whatever you "
                "choose, every alert stays in the console's list of alerts."
            )
        }
        widgets = {"alert_notices": forms.RadioSelect}
