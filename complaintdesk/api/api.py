"""The JSON API under /api/v1/: one NinjaAPI, a router per resource, errors as JSON naming the field."""

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import register_converter
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.parser import Parser
from pydantic import StringConstraints

from complaintdesk.accounts.models import ApiToken, TokenRefused, hash_token
from complaintdesk.accounts.ratelimit import RateLimited
from complaintdesk.api import alerts, bureaus, complaints, flags, merchants, pledges, promotions, ratings
from complaintdesk.api import calendar as calendar_api
from complaintdesk.api import centre as centre_api
from complaintdesk.api import groups as groups_api
from complaintdesk.api import stats as stats_api
from complaintdesk.api.auth import AUTH
from complaintdesk.api.common import Error
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.deadlines.calendar import UncoveredYearError
from complaintdesk.deadlines.statutory import UNCOVERED_YEAR
from complaintdesk.lib.errors import Conflict, FieldError


class ComplaintDeskAPI(NinjaAPI):
    """Our NinjaAPI, whose OpenAPI document also names the answers the framework gives before a handler
    runs, so clients (and the schemathesis test) know every status code an operation can return."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                document_framework_answers(method, operation)
        return schema


def _answer(description: str, component: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document_framework_answers(method: str, operation: dict) -> None:
    """401 without a valid token (operations with security), 403 when a POST/PUT/PATCH/DELETE comes without
    a valid token and so falls to the session check, which wants a CSRF token; 400 for a body that is not
    JSON at all, 413 for one over the size limit, 422 for parameters or a body that fail validation."""
    responses = operation["responses"]
    if operation.get("security"):
        responses.setdefault(401, _answer("Authentication required", "Error"))
        if method.lower() in ("post", "put", "patch", "delete"):
            responses.setdefault(403, _answer("Forbidden, or a session request without CSRF token", "Error"))
    if "requestBody" in operation:
        responses.setdefault(400, _answer("The request body cannot be parsed", "Error"))
        responses.setdefault(413, _answer("The request body is over the size limit", "Error"))
    if "requestBody" in operation or operation.get("parameters"):
        responses.setdefault(422, _answer("A parameter or field is invalid", "ValidationErrorOut"))


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RefusingNul(Parser):
    """A JSON body with a NUL character anywhere is refused like one that does not parse (400): PostgreSQL
    text cannot hold one, and it would otherwise fail in the database (500). Web forms refuse it too
    (Django's form fields do), and query texts (`common.QueryText`)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _holds_nul(data):
            raise ValueError("a NUL character (\\u0000) in the body")
        return data


api = ComplaintDeskAPI(
    parser=RefusingNul(),
    title="ComplaintDesk API",
    version="1",
    description="Online-shopping complaints, deadlines and shop obligations for a 12315 complaint centre.",
    auth=AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

auth_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class TokenOut(Schema):
    token: str
    expires_at: datetime  # API_TOKEN_DAYS after issue; a new password or role revokes the token sooner


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: Error, 429: Error},
    summary="Get a bearer token (too many failures lock the username for this address: 429)",
)
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"detail": _("wrong username or password")})
    token, raw = ApiToken.issue(user, name="api")
    return {"token": raw, "expires_at": token.expires_at}


@auth_router.delete("/token", response={204: None})
def revoke_token(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        ApiToken.objects.filter(key_hash=hash_token(header[7:].strip())).update(revoked_at=timezone.now())
    return Status(204, None)


@api.get("/health", auth=None, tags=["health"])
def health(request):
    return {"status": "ok"}


api.add_router("/auth", auth_router)
# The rating before the complaints' `/{id}/{action}`, which would take `rating` for an action.
api.add_router("/complaints", ratings.router)
api.add_router("/complaints", complaints.router)
api.add_router("/merchants", merchants.router)
api.add_router("/calendar", calendar_api.router)
api.add_router("/alerts", alerts.router)
api.add_router("/promotions", promotions.router)
api.add_router("/pledges", pledges.router)
# Tagging a complaint with commitments: /complaints/{id}/commitments/{number}, beside the lifecycle actions.
api.add_router("/complaints", pledges.complaint_tags)
# Clearing a flag for review: /complaints/{id}/flags/{flag_id}/clear.
api.add_router("/complaints", flags.router)
api.add_router("/stats", stats_api.router)
api.add_router("/reports", centre_api.reports)
api.add_router("/enquiries", centre_api.enquiries)
api.add_router("/bureaus", bureaus.router)
api.add_router("/groups", groups_api.router)
# Last, so it only sees paths no other route took (`/complaints/-1`, `/nothing`): JSON 404, not an HTML page.
unknown_paths = Router(auth=None)


class AnyPath:
    """Django's `path` converter stops at a newline; this one takes any rest of the path."""

    regex = r"[\s\S]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnyPath, "anypath")


@unknown_paths.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{anypath:rest}", include_in_schema=False
)
def unknown_path(request, rest: str):
    raise Http404


api.add_router("", unknown_paths)


@api.exception_handler(FieldError)
def on_field_error(request, exc: FieldError):
    issues = [(exc.field, exc.reason), *exc.also]
    detail = [{"loc": ["body", field], "msg": reason, "type": "value_error"} for field, reason in issues]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Conflict)
def on_conflict(request, exc: Conflict):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ActionForbidden)
def on_forbidden(request, exc: ActionForbidden):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        {
            "detail": _("request body too large: the limit is %(limit)s bytes (files excepted)")
            % {"limit": limit}
        },
        status=413,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": _("not found")}, status=404)


@api.exception_handler(UncoveredYearError)
def on_uncovered_year(request, exc):
    return api.create_response(request, {"detail": _(UNCOVERED_YEAR) % exc.params}, status=409)


@api.exception_handler(TokenRefused)
def on_token_refused(request, exc: TokenRefused):
    # RFC 6750 §3: the client learns that this token is done, not that it sent none.
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": _("authentication required: send Authorization: Bearer <token>")}, status=401
    )


# pydantic's own messages by error type, for the languages other than English (pydantic speaks only
# English, and its English stays byte for byte what clients read); placeholders are the error's `ctx`.
PYDANTIC_MESSAGES = {
    "missing": gettext_noop("Field required"),
    "string_type": gettext_noop("Input should be a valid string"),
    "string_too_short": gettext_noop("String should have at least %(min_length)s characters"),
    "string_too_long": gettext_noop("String should have at most %(max_length)s characters"),
    "string_pattern_mismatch": gettext_noop("String should match pattern '%(pattern)s'"),
    "int_type": gettext_noop("Input should be a valid integer"),
    "int_parsing": gettext_noop("Input should be a valid integer, unable to parse string as an integer"),
    "greater_than": gettext_noop("Input should be greater than %(gt)s"),
    "greater_than_equal": gettext_noop("Input should be greater than or equal to %(ge)s"),
    "less_than_equal": gettext_noop("Input should be less than or equal to %(le)s"),
    "enum": gettext_noop("Input should be %(expected)s"),
    "decimal_parsing": gettext_noop("Input should be a valid decimal"),
    "decimal_max_places": gettext_noop(
        "Decimal input should have no more than %(decimal_places)s decimal places"
    ),
    "date_from_datetime_parsing": gettext_noop("Input should be a valid date"),
    "datetime_from_date_parsing": gettext_noop("Input should be a valid datetime"),
}


def _message(error: dict) -> str:
    msg = error.get("msg", "invalid")
    if (get_language() or "en").startswith("en"):
        return msg
    ctx = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our validators' own words, already in the reader's language
    template = PYDANTIC_MESSAGES.get(error.get("type", ""))
    try:
        return _(template) % ctx if template else msg
    except (KeyError, TypeError):  # a context unlike pydantic's usual one: its English is still right
        return msg


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    issues = [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": _message(e),
            "type": e.get("type", "value_error"),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": issues}, status=422)
