from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaintdesk.alerts import titles
from complaintdesk.alerts.models import Alert
from complaintdesk.lib.admin_display import json_rows

# A detector's numbers as the console says them, wherever they sit in its facts or details.
_IN_WORDS = {"p_value": titles.chance, "expected": titles.expected_count}


def _in_words(data):
    if isinstance(data, dict):
        return {
            key: _IN_WORDS[key](value) if key in _IN_WORDS else _in_words(value)
            for key, value in data.items()
        }
    return data


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "kind", "merchant", "shown_title", "state"]
    list_filter = ["kind", "state", "merchant"]
    raw_id_fields = ["complaints"]
    # What the detector saw reads as the console shows it: rows instead of JSON, expected counts and
    # probabilities in plain words ("fewer than 1", "far above normal (…)") instead of 0.05 and 4.9e-25.
    exclude = ["facts", "details", "expected", "p_value"]
    readonly_fields = [
        "raised_at",
        "acknowledged_by",
        "acknowledged_at",
        "closed_by",
        "closed_at",
        "facts_shown",
        "expected_count",
        "chance",
        "details_shown",
    ]

    @admin.display(description=_("title"))
    def shown_title(self, alert):
        return alert.shown_title

    @admin.display(description=_("facts"))
    def facts_shown(self, alert):
        return json_rows(_in_words(alert.facts))

    @admin.display(description=_("details"))
    def details_shown(self, alert):
        return json_rows(_in_words(alert.details))

    @admin.display(description=_("complaints expected"))
    def expected_count(self, alert):
        return alert.expected_count or "–"

    @admin.display(description=_("probability by chance"))
    def chance(self, alert):
        return alert.chance or "–"
