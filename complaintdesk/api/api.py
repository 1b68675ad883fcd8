"""The JSON API under /api/v1/: one NinjaAPI, a router per resource, errors as JSON naming the field."""

from django.contrib.auth import authenticate
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, ValidationError

from complaintdesk.accounts.models import ApiToken, hash_token
from complaintdesk.api import alerts, complaints, merchants, pledges, promotions
from complaintdesk.api import calendar as calendar_api
from complaintdesk.api import stats as stats_api
from complaintdesk.api.auth import AUTH
from complaintdesk.api.schemas import Error, TokenIn, TokenOut
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.deadlines.calendar import UncoveredYearError
from complaintdesk.lib.errors import Conflict, FieldError

api = NinjaAPI(
    title="ComplaintDesk API",
    version="1",
    description="Online-shopping complaints, deadlines and shop obligations for a 12315 complaint centre.",
    auth=AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

auth_router = Router(tags=["auth"])


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: Error})
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"detail": "wrong username or password"})
    _, raw = ApiToken.issue(user, name="api")
    return {"token": raw}


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
api.add_router("/complaints", complaints.router)
api.add_router("/merchants", merchants.router)
api.add_router("/calendar", calendar_api.router)
api.add_router("/alerts", alerts.router)
api.add_router("/promotions", promotions.router)
api.add_router("/pledges", pledges.router)
# Tagging a complaint with commitments: /complaints/{id}/commitments/{number}, beside the lifecycle actions.
api.add_router("/complaints", pledges.complaint_tags)
api.add_router("/stats", stats_api.router)


def _field_error(request, field: str, reason: str, status: int = 422):
    return api.create_response(
        request, {"detail": [{"loc": ["body", field], "msg": reason, "type": "value_error"}]}, status=status
    )


@api.exception_handler(FieldError)
def on_field_error(request, exc: FieldError):
    return _field_error(request, exc.field, exc.reason)


@api.exception_handler(Conflict)
def on_conflict(request, exc: Conflict):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ActionForbidden)
def on_forbidden(request, exc: ActionForbidden):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(UncoveredYearError)
def on_uncovered_year(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "authentication required: send Authorization: Bearer <token>"}, status=401
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    issues = [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": e.get("msg", "invalid"),
            "type": e.get("type", "value_error"),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": issues}, status=422)
