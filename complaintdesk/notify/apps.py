from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "complaintdesk.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        from complaintdesk.notify import checks  # noqa: F401, PLC0415 - registers the deploy check, in ready() as Django asks
