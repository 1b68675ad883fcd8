"""Alerts store their facts as data (alerts.titles renders the title in the reader's language).

Existing alerts get facts from their own fields and details where those say enough: a surge from its
counts and window, a mass incident from its pattern (its window from the title's "within N h"), an unfiled
promotion from its source. An alert whose details lack them keeps empty facts and shows its stored title.
"""

import re

from django.db import migrations, models

WITHIN_HOURS = re.compile(r"within (\d+) h$")


def _moment(value):
    return value.isoformat() if value else None


def facts_of(alert, category_codes) -> dict:
    details = alert.details or {}
    facts = {"shop": alert.merchant.name, "observed": alert.observed}
    if alert.kind in ("surge", "surge_category"):
        facts |= {
            "category": category_codes.get(alert.category_id),
            "expected": alert.expected,
            "p_value": alert.p_value,
            "window_start": _moment(alert.window_start),
            "window_end": _moment(alert.window_end),
        }
    elif alert.kind == "mass_incident":
        pattern, value = details.get("pattern"), details.get("value") or ""
        if pattern not in ("product", "text", "amount", "order_pattern"):
            return {}
        facts |= {"pattern": pattern, "value": value}
        if pattern == "amount":
            amount, _, code = value.partition(" ")
            facts |= {"amount": amount, "category": code, "value": ""}
        if hours := WITHIN_HOURS.search(alert.title):
            facts["window_hours"] = int(hours.group(1))
    elif alert.kind == "unfiled_promotion":
        if details.get("source") not in ("named", "sale_surge"):
            return {}
        facts |= {"source": details["source"], "promotion": details.get("promotion") or ""}
        if details["source"] == "sale_surge":
            facts |= {
                "expected": alert.expected,
                "p_value": alert.p_value,
                "window_start": _moment(alert.window_start),
                "window_end": _moment(alert.window_end),
            }
    else:
        return {}
    return {k: v for k, v in facts.items() if v is not None}


def fill_facts(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    Category = apps.get_model("complaints", "Category")
    codes = dict(Category.objects.values_list("pk", "code"))
    by_code = {code: pk for pk, code in codes.items()}
    for alert in Alert.objects.select_related("merchant").filter(facts={}).iterator():
        alert.facts = facts_of(alert, codes)
        fields = ["facts"]
        if alert.facts.get("pattern") == "amount" and alert.category_id is None:
            alert.category_id = by_code.get(alert.facts["category"])
            fields.append("category")
        alert.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="facts",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts"),
        ),
        migrations.RunPython(fill_facts, migrations.RunPython.noop),
    ]
