"""How the back office shows what the admin would print raw: stored JSON (an event's details, a staffing
verdict) as rows a reader can scan, with times in the current zone as the admin shows its other times; and a
list column under a translated heading for a field that has no translated name of its own."""

import re
from datetime import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

# A stored instant as isoformat() writes it: "2026-11-11T00:00:00+08:00".
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def _shown(value):
    if isinstance(value, dict):
        return json_rows(value)
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return ", ".join(str(_shown(v)) for v in value)
        return format_html_join("", "<div>{}</div>", ((_shown(v),) for v in value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "–"
    if isinstance(value, str) and _INSTANT.match(value):
        return f"{timezone.localtime(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
    return value


def json_rows(data):
    """`data` (a stored JSON value) as a definition list, one row per key; nested values nest. Every text is
    escaped: the values may come from a shop or a consumer."""
    if data in ({}, [], None, ""):
        return "–"
    if not isinstance(data, dict):
        return _shown(data)
    rows = format_html_join(
        "",
        "<dt>{}</dt><dd>{}</dd>",
        ((str(key).replace("_", " "), _shown(value)) for key, value in data.items()),
    )
    return format_html('<dl class="json-rows">{}</dl>', rows)


def column(field: str, description, boolean: bool = False, ordering: str | None = None):
    """A list_display column showing `field` under `description`: for a property (an API token's expiry),
    which has no translated verbose name of its own; sorted by `ordering`, by default the field itself."""

    def show(obj):
        return getattr(obj, field)

    show.__name__ = field
    return admin.display(description=description, ordering=ordering or field, boolean=boolean)(show)


class LabelledFilter(admin.SimpleListFilter):
    """A list filter on a column of codes without choices (an event's action, an outbox message's event),
    offering each code of `names` by its label in the reader's language: the admin's own filter would
    list the raw codes, read from the whole table."""

    names: dict

    def lookups(self, request, model_admin):
        return [(code, str(label)) for code, label in self.names.items()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset
