from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "complaintdesk.promotions"
    label = "promotions"
    verbose_name = "Promotion filings"
