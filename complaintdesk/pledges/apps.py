from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "complaintdesk.pledges"
    label = "pledges"
    verbose_name = "Customer-service pledge"
