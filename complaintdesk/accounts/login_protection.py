"""django-axes, the login lockout, under names of our catalogue in the back office: the package ships no
Chinese catalogue.

Its app is named by a subclass of its AppConfig, listed in INSTALLED_APPS instead of "axes" (Django's way
to rename another package's app; the label stays "axes", so its tables and migrations are unchanged).
Its models', fields' and admin's names are gettext_lazy in the package, and Django merges every
catalogue into one per language (ours in LOCALE_PATHS first): listed below, they go into our catalogue
with `makemessages` and read in Chinese wherever the package shows them."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class LoginProtectionConfig(AppConfig):
    verbose_name = _("Login protection")


# The names as django-axes writes them (axes/models.py and axes/admin.py, django-axes 8.3): the msgids
# must match the package's exactly.
PACKAGE_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)
