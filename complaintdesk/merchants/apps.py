from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "complaintdesk.merchants"
    label = "merchants"
    verbose_name = "Shops"
