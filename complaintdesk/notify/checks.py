"""Deployment checks (`manage.py check --deploy`): a notice links to its page only with SITE_URL set."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: notices (e-mails and in-app) link to their page with a path only.",
            hint="Set SITE_URL to the address people open the site at, e.g. https://complaints.example.org.",
            id="complaintdesk.W101",
        )
    ]
