from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from complaintdesk.api.api import api
from complaintdesk.web.views import notifications

admin.site.site_header = _("ComplaintDesk back office")
admin.site.site_title = "ComplaintDesk"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Django's language switch, which also keeps a signed-in user's choice for their notices
    path("i18n/setlang/", notifications.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("complaintdesk.web.urls")),
]
