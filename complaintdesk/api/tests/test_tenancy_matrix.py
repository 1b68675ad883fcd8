"""Every API operation (read from the OpenAPI document, so a new endpoint is covered the day it lands) and
every web URL (from complaintdesk/web/urls.py) × every role × the role's own object / another tenant's.

The rule (SPEC §1, §8): another tenant's object answers 404, exactly as an id that does not exist, changes
nothing, and its data never shows: not in lists, counts, exports, statistics or error messages. The
regulator sees every tenant; anonymous callers get 401 (API) or the login page (web) outside the public
allow-list below.
"""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from complaintdesk.accounts.models import ApiToken
from complaintdesk.alerts.models import Alert
from complaintdesk.api.api import api as ninja_api
from complaintdesk.api.tests import world
from complaintdesk.centre.models import Bureau
from complaintdesk.complaints.models import Complaint, ComplaintEvent, ComplaintGroup, GroupPost
from complaintdesk.merchants.models import Merchant
from complaintdesk.notify.models import Notification
from complaintdesk.promotions.models import Promotion

SCHEMA = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
]

# Public API operations (no `security` in the document is what makes them public; this list is the review
# of that fact: a new public endpoint fails the test until someone adds it here on purpose).
PUBLIC_OPERATIONS = {
    "GET /api/v1/health",
    "POST /api/v1/auth/token",
    "GET /api/v1/merchants/directory",  # published customer-service contacts (SPEC §1 public)
    "GET /api/v1/merchants/{merchant_id}/scorecard",  # public scorecards
    "GET /api/v1/calendar/deadlines",  # the deadline rules are public law
    "GET /api/v1/pledges/current",  # the pledge text
    "GET /api/v1/stats/open-data",  # anonymised open data
    "POST /api/v1/reports",  # anyone reports a shop to the 12315 centre, anonymously if they like
    "POST /api/v1/enquiries",  # anyone asks the 12315 centre
    "GET /api/v1/groups/{group_id}",  # a group complaint's public page: no personal data
}
# Regulator-only operations: every other role gets 403 (the same for every id, so nothing leaks).
REGULATOR_ONLY = {
    "GET /api/v1/alerts",
    "GET /api/v1/alerts/{alert_id}",
    "POST /api/v1/alerts/{alert_id}/acknowledge",
    "POST /api/v1/alerts/{alert_id}/close",
    "POST /api/v1/merchants",
    "PATCH /api/v1/merchants/{merchant_id}",
    "DELETE /api/v1/merchants/{merchant_id}",
    "GET /api/v1/merchants/compliance",
    "POST /api/v1/pledges",
    "POST /api/v1/pledges/{version_id}/publish",
    # Reports and enquiries, with who wrote in: the centre's officers only.
    "GET /api/v1/reports",
    "GET /api/v1/reports/{report_id}",
    "POST /api/v1/reports/{report_id}/decide",
    "GET /api/v1/enquiries",
    "GET /api/v1/enquiries/{enquiry_id}",
    "POST /api/v1/enquiries/{enquiry_id}/answer",
    # Group complaints: the centre opens them, speaks on their pages and closes them.
    "POST /api/v1/groups",
    "POST /api/v1/groups/{group_id}/statement",
    "POST /api/v1/groups/{group_id}/close",
    # The bureaus: every officer reads every bureau (a matter may be transferred to any of them).
    "GET /api/v1/bureaus",
    "GET /api/v1/bureaus/{bureau_id}",
}
# Shops are not a consumer's tenant: any consumer may read a shop's public profile.
CONSUMER_SEES_EVERY_SHOP = {"GET /api/v1/merchants/{merchant_id}"}
# Any consumer may join any shop's open group complaint: it files a complaint of their own.
CONSUMER_JOINS_ANY_GROUP = {"POST /api/v1/groups/{group_id}/join"}
# Path parameters that name no tenant's object: the pledge is one for everybody; action and number are verbs;
# the bureaus are the regulator's, every officer's to read.
SHARED_PARAMETERS = {"version_id", "action", "number", "bureau_id"}
TENANT_ROLES = ("consumer", "agent", "coordinator")
MISSING_ID = 987654


def _fake(schema: dict, components: dict):
    """A small valid instance of a JSON schema: required properties only, the first enum value."""
    if "$ref" in schema:
        return _fake(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _fake(options[0], components)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _fake(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [_fake(schema.get("items", {}), components) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date-time":
        return (timezone.now() + timedelta(days=40)).isoformat()
    if fmt == "date":
        return timezone.localdate().isoformat()
    return "x" * max(1, schema.get("minLength", 1))


def _body(operation: dict):
    """(data, content_type) of a valid request body, or (None, None)."""
    content = operation.get("requestBody", {}).get("content", {})
    components = SCHEMA["components"]["schemas"]
    if "application/json" in content:
        return _fake(content["application/json"]["schema"], components), "application/json"
    if "multipart/form-data" in content:
        return {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}, None
    return None, None


def _format(schema: dict) -> str | None:
    options = schema.get("anyOf", [schema])
    return next((o["format"] for o in options if "format" in o), None)


def _query(operation: dict, tenant: world.Tenant | None) -> dict:
    """Required query parameters, and the tenant filters (`merchant`, `complaint`) pointed at `tenant`."""
    query = {}
    for param in operation.get("parameters", []):
        if param["in"] != "query":
            continue
        name = param["name"]
        if name == "merchant" and tenant is not None:
            query[name] = tenant.merchant
        elif name == "complaint" and tenant is not None:
            query[name] = tenant.complaint
        elif name in ("start", "received_from", "starts_from", "end"):
            # A window around today, as a date or an aware date-time, whichever the parameter takes.
            delta = timedelta(days=1) if name == "end" else timedelta(days=-30)
            fmt = _format(param["schema"])
            query[name] = (
                (timezone.now() + delta).isoformat()
                if fmt == "date-time"
                else (timezone.localdate() + delta).isoformat()
            )
        elif name == "table":
            query[name] = "complaints"
        elif name == "by":
            query[name] = "category"
        elif name == "received_at":
            query[name] = timezone.now().isoformat()
        elif param.get("required"):
            query[name] = _fake(param["schema"], SCHEMA["components"]["schemas"])
    return query


PATH_VALUES = {
    "complaint_id": lambda t, v: t.complaint,
    "evidence_id": lambda t, v: t.evidence,
    "merchant_id": lambda t, v: t.merchant,
    "promotion_id": lambda t, v: t.promotion,
    "alert_id": lambda t, v: t.alert,
    "report_id": lambda t, v: t.report,
    "enquiry_id": lambda t, v: t.enquiry,
    "flag_id": lambda t, v: t.flag,
    "group_id": lambda t, v: t.group,
    "version_id": lambda t, v: v,
    "bureau_id": lambda t, v: Bureau.city_centre().pk,
    "action": lambda t, v: "respond",
    "number": lambda t, v: 1,
}


def _url(path: str, tenant, version: int, missing: bool = False) -> str:
    for name, value in PATH_VALUES.items():
        if "{" + name + "}" in path:
            real = value(tenant, version)
            path = path.replace(
                "{" + name + "}", str(MISSING_ID if missing and name not in SHARED_PARAMETERS else real)
            )
    assert "{" not in path, f"no test value for a path parameter of {path}: add it to PATH_VALUES"
    return path


def _secrets(people, tenant: world.Tenant) -> list[str]:
    """Strings that only someone allowed to see the tenant's objects can know."""
    complaint = Complaint.objects.get(pk=tenant.complaint)
    owner = complaint.consumer.username
    return [
        complaint.reference,
        complaint.order_number,
        f'"{owner}"',
        Promotion.objects.get(pk=tenant.promotion).name,
        Alert.objects.get(pk=tenant.alert).title,
        world.reporter_phone(Merchant.objects.get(pk=tenant.merchant)),
    ]


def _snapshot(tenant: world.Tenant):
    merchant = Merchant.objects.get(pk=tenant.merchant)
    return (
        Complaint.objects.filter(pk=tenant.complaint).values_list("state", "updated_at").get(),
        ComplaintEvent.objects.filter(complaint_id=tenant.complaint).count(),
        Promotion.objects.filter(pk=tenant.promotion).values_list("state", "updated_at").get(),
        Alert.objects.filter(pk=tenant.alert).values_list("state", "note").get(),
        (merchant.is_active, merchant.service_phone, merchant.service_hours),
        Notification.objects.filter(pk=tenant.notification).values_list("read_at", flat=True).get(),
        (
            ComplaintGroup.objects.filter(pk=tenant.group).values_list("state", flat=True).get(),
            GroupPost.objects.filter(group=tenant.group).count(),
            # Its complaint stays in its group (a consumer may join any group: the members may grow).
            Complaint.objects.filter(pk=tenant.complaint).values_list("group_id", flat=True).get(),
        ),
    )


class Caller:
    def __init__(self, client, user):
        self.client = client
        self.headers = {}
        if user is not None:
            _, raw = ApiToken.issue(user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def __call__(self, method: str, url: str, operation: dict, tenant):
        data, content_type = _body(operation)
        query = _query(operation, tenant)
        fn = getattr(self.client, method.lower())
        if query:
            url = f"{url}?{urlencode(query)}"
        if content_type:
            return fn(url, data=data, content_type=content_type, headers=self.headers)
        return fn(url, data=data, headers=self.headers)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("role", world.ROLES)
@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_api_another_tenants_object_is_not_found_and_never_shows(
    people, client, role, method, path, operation
):
    own, other, version = world.build(people)
    name = f"{method} {path}"
    user = getattr(people, world.ROLE_USERS[role]) if world.ROLE_USERS[role] else None
    call = Caller(client, user)
    before = _snapshot(other)

    other_answer = call(method, _url(path, other, version), operation, other)
    other_text = _text(other_answer)
    assert other_answer.status_code < 500, other_text[:500]

    if role == "anonymous":
        expected = {401} if name not in PUBLIC_OPERATIONS else None
        if expected:
            assert other_answer.status_code in expected, other_text[:300]
        assert name in PUBLIC_OPERATIONS or operation.get("security"), f"{name} is public: allow-list it"
        if name not in PUBLIC_OPERATIONS:
            return
    if not operation.get("security"):
        assert name in PUBLIC_OPERATIONS, f"{name} needs no login: add it to PUBLIC_OPERATIONS on purpose"

    if role == "regulator":
        # The regulator sees every shop: another tenant's object is found (a missing plan file aside).
        if method == "GET" and other_answer.status_code == 404:
            assert path.endswith("/plan"), other_text[:300]
        return

    if name in PUBLIC_OPERATIONS:
        return  # public data, the same for everybody (checked for personal data elsewhere)
    if name in REGULATOR_ONLY:
        assert other_answer.status_code == 403, other_text[:300]
        assert _snapshot(other) == before
        return

    names_object = any("{" + p + "}" in path for p in PATH_VALUES if p not in SHARED_PARAMETERS)
    missing_answer = call(method, _url(path, other, version, missing=True), operation, None)
    if names_object and not (
        role == "consumer" and name in CONSUMER_SEES_EVERY_SHOP | CONSUMER_JOINS_ANY_GROUP
    ):
        # Exactly as if it did not exist: the same status and the same message.
        assert other_answer.status_code in (403, 404), other_text[:300]
        assert other_answer.status_code == missing_answer.status_code, (
            other_text[:300],
            _text(missing_answer)[:300],
        )
        if other_answer.status_code == 404:
            assert other_answer.json() == missing_answer.json()
    # Lists, counts, exports and statistics filtered by the other tenant: nothing of it (or 404/403).
    for secret in _secrets(people, other):
        assert secret not in other_text, f"{name} as {role} shows {secret!r} of another tenant"
    assert _snapshot(other) == before, f"{name} as {role} changed another tenant's data"
    if other_answer.status_code == 200 and "merchant" in _query(operation, other):
        body = other_answer.json() if other_answer["Content-Type"].startswith("application/json") else None
        if isinstance(body, dict) and "count" in body:
            assert body["count"] == 0, body
        if isinstance(body, list):
            assert body == [], body

    # The own object is found (so the 404 above is about the tenant, not a broken request).
    own_answer = call(method, _url(path, own, version), operation, own)
    assert own_answer.status_code < 500, _text(own_answer)[:500]
    if method == "GET" and names_object and not path.endswith("/plan") and role != "consumer":
        assert own_answer.status_code == 200, _text(own_answer)[:300]
    if method == "GET" and role == "consumer" and "{complaint_id}" in path:
        assert own_answer.status_code == 200, _text(own_answer)[:300]


# ------------------------------------------------------------------------------------------------- web


def _web_patterns():
    """(name, route) of every URL in complaintdesk/web/urls.py, read from the resolver."""
    resolver = get_resolver()
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and namespace == "web":
                found.append((p.name, prefix + str(p.pattern)))

    walk(resolver.url_patterns, "/", None)
    return found


WEB_PATTERNS = _web_patterns()
# Pages for everybody, logged in or not.
PUBLIC_PAGES = {
    "home", "start", "signup", "directory", "scorecards", "scorecard", "set_language", "report", "enquiry",
    "group",  # a group complaint's page is public (SPEC §11), with no personal data
}  # fmt: skip
# Pages of any tenant's object for every signed-in consumer: any shop's group takes a consumer's own complaint.
EVERY_CONSUMERS = {"join_group"}
WEB_KWARGS = {
    "complaint_id": lambda t, v: t.complaint,
    "evidence_id": lambda t, v: t.evidence,
    "merchant_id": lambda t, v: t.merchant,
    "promotion_id": lambda t, v: t.promotion,
    "alert_id": lambda t, v: t.alert,
    "notification_id": lambda t, v: t.notification,
    "notice_id": lambda t, v: t.letter,
    "matter_id": lambda t, v: t.report,
    "flag_id": lambda t, v: t.flag,
    "group_id": lambda t, v: t.group,
    "version_id": lambda t, v: v,
    "action": lambda t, v: "respond",
    # A local mail file's name: the regulator's only, no tenant's object.
    "mail_id": lambda t, v: "1@complaintdesk.eml",
}


def _web_url(route: str, tenant, version: int, missing=False) -> str:
    def fill(match):
        name = match.group(2)
        if name == "action":
            return "respond"
        if missing and name != "version_id":
            return str(MISSING_ID)
        return str(WEB_KWARGS[name](tenant, version))

    url = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("role", world.ROLES)
@pytest.mark.parametrize(("name", "route"), WEB_PATTERNS, ids=[n for n, _ in WEB_PATTERNS])
def test_web_another_tenants_object_is_not_found_and_never_shows(people, client, role, name, route):
    own, other, version = world.build(people)
    username = world.ROLE_USERS[role]
    if username:
        client.force_login(getattr(people, username))
    before = _snapshot(other)
    names_object = any(f"<int:{k}>" in route for k in WEB_KWARGS if k not in ("version_id", "action"))
    for method in ("get", "post"):
        answer = getattr(client, method)(_web_url(route, other, version))
        text = _text(answer)
        assert answer.status_code < 500, text[:500]
        if role == "anonymous":
            if name not in PUBLIC_PAGES and answer.status_code != 405:
                location = answer.get("Location", "")
                assert answer.status_code == 302 and ("/login" in location or "start" in location), (
                    answer.status_code,
                    text[:200],
                )
            continue
        # A page of an object that exists but has no file yet (the filing's plan) is 404 for everyone.
        no_file_yet = route.endswith("plan/")
        if role == "regulator":
            if method == "get" and names_object and not no_file_yet:
                assert answer.status_code != 404, f"the regulator cannot see {route} of another shop"
            continue
        for secret in _secrets(people, other):
            assert secret not in text, f"{route} as {role} shows {secret!r} of another tenant"
        if names_object and answer.status_code != 405 and name not in PUBLIC_PAGES | EVERY_CONSUMERS:
            missing = getattr(client, method)(_web_url(route, other, version, missing=True))
            assert answer.status_code in (403, 404), (method, answer.status_code, text[:300])
            assert answer.status_code == missing.status_code
            # ... and the 404 is about the tenant: the same page of the role's own object is there (a
            # consumer's own objects are complaints; filings and shops are none of theirs).
            consumers_own = role != "consumer" or "<int:complaint_id>" in route
            if method == "get" and answer.status_code == 404 and not no_file_yet and consumers_own:
                mine = client.get(_web_url(route, own, version))
                assert mine.status_code != 404, f"{route} as {role}: own object not found either"
    assert _snapshot(other) == before, f"{route} as {role} changed another tenant's data"
