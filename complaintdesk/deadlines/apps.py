from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "complaintdesk.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines"
