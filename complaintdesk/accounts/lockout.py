"""What a locked-out client gets from django-axes: JSON for the API, a page for people (HTTP 429 both)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def _minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    status = settings.AXES_HTTP_RESPONSE_CODE
    minutes = _minutes()
    retry_after = str(minutes * 60)
    if request.path.startswith("/api/"):
        detail = (
            f"too many failed logins: this account is locked for this address for {minutes} minutes; "
            "try again later"
        )
        response = JsonResponse({"detail": detail}, status=status)
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=status,
        )
    response["Retry-After"] = retry_after
    return response
