"""The public pages' form: a consumer's sign-up."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Role, User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail (optional, for updates)"), required=False)

    class Meta:
        model = User
        fields = ["username", "email"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = Role.CONSUMER
        user.merchant = None
        if commit:
            user.save()
        return user
