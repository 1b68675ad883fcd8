"""Every text field has a maximum length, in the API's schemas and the web forms; bodies are size-limited."""

import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.test import Client

from complaintdesk.complaints.models import Complaint
from complaintdesk.web.forms import (
    centre,
    common,
    complaint_filter,
    complaints,
    consumer,
    filings,
    flags,
    followup,
    groups,
    merchant,
    notifications,
    public,
    ratings,
    regulator,
    shop_picker,
)

WEB_FORM_MODULES = [
    centre, common, complaint_filter, complaints, consumer, filings, flags, followup, groups, merchant,
    notifications, public, ratings, regulator, shop_picker,
]  # fmt: skip


def _unbounded_strings(schema: dict, components: dict, path: str, seen: set) -> list[str]:
    """Paths of string values (also inside lists and dicts) with neither maxLength, enum nor a format."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded_strings(components[name], components, f"{path}<{name}>", seen | {name})
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key, [])
        # A decimal is "number or numeric string"; pydantic bounds it by max_digits.
        numeric = any(o.get("type") in ("number", "integer") for o in options)
        for i, option in enumerate(options):
            if not (numeric and option.get("type") == "string"):
                found += _unbounded_strings(option, components, f"{path}|{i}", seen)
    if schema.get("type") == "string" and not ({"maxLength", "enum", "format", "const"} & schema.keys()):
        found.append(path)
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded_strings(prop, components, f"{path}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _unbounded_strings(schema["items"], components, f"{path}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _unbounded_strings(schema["additionalProperties"], components, f"{path}{{}}", seen)
    return found


@pytest.mark.django_db
def test_every_string_in_every_request_body_has_a_maximum_length():
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    unbounded = []
    for url, operations in document["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media["schema"]
                unbounded += _unbounded_strings(schema, components, f"{method.upper()} {url}", set())
    # Strings inside service hours (a dict of lists of "HH:MM" pairs) are checked by merchants.profile and
    # bounded by the body limit; everything a person types has its own maximum.
    unbounded = [u for u in unbounded if ".service_hours" not in u]
    assert unbounded == [], unbounded


def test_every_text_field_of_every_web_form_has_a_maximum_length():
    # A new module of web/forms/ must join the list, or its forms would go unchecked.
    package = Path(common.__file__).parent
    listed = {module.__name__.rsplit(".", 1)[-1] for module in WEB_FORM_MODULES}
    assert listed == {found.name for found in pkgutil.iter_modules([str(package)])}
    unbounded = []
    for module in WEB_FORM_MODULES:
        for name in dir(module):
            form = getattr(module, name)
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.CharField) and not field.max_length:
                    if isinstance(field.widget, forms.PasswordInput):
                        continue  # hashed, never stored as typed; the sign-up form's validators bound it
                    unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


@pytest.mark.django_db
def test_an_oversize_json_body_is_a_clear_413_and_files_nothing(people, api, settings):
    body = '{"description": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    response = api(people.alice).client.post(
        "/api/v1/complaints", body, content_type="application/json", headers=api(people.alice).headers
    )
    assert response.status_code == 413
    assert "request body too large" in response.json()["detail"]
    assert Complaint.objects.count() == 0
