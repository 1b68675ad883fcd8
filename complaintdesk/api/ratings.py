"""The consumer's rating of a closed complaint (SPEC §7, §10): `/complaints/{id}/rating`. POST rates once, PUT
changes the rating while the window is open (15 days from closing, `centre.ratings`), GET shows it and the
window. Only the complaint's consumer rates; the centre's officers read it; a shop sees the window only. Another consumer's complaint, or one
a shop's staff cannot see, is 404 as everywhere.

Mounted before the complaints router: its `/{id}/{action}` would otherwise take `rating` for an action."""

from datetime import datetime
from typing import Annotated

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from complaintdesk.accounts.models import Role
from complaintdesk.api.common import Error, ValidationErrorOut
from complaintdesk.centre import ratings
from complaintdesk.complaints.queries import visible_complaints

router = Router(tags=["complaints"])


class RatingIn(Schema):
    # Strict: "5" or true is not a score; the range is the domain's check (422 naming `score`).
    score: StrictInt = Field(description="From 1 (very poor) to 5 (very good).")
    comment: Annotated[str, Field(max_length=10000)] = ""


class RatingOut(Schema):
    complaint: int
    score: int
    comment: str
    rated_at: datetime
    changed_at: datetime
    editable_until: datetime | None = Field(description="The end of the rating window.")


class RatingWindowOut(Schema):
    opens_at: datetime | None = Field(description="When the complaint closed; null while it is open.")
    closes_at: datetime | None
    open: bool
    rating: RatingOut | None = Field(
        description="The consumer's rating; always null for a shop's staff, who see only their scorecard's "
        "average (from a minimum count, so no single consumer is singled out)."
    )


RESPONSES = {403: Error, 404: Error, 409: Error, 422: ValidationErrorOut}


def _complaint(request, complaint_id: int):
    return get_object_or_404(visible_complaints(request.auth).select_related("consumer"), pk=complaint_id)


def _out(rating, window) -> dict:
    return {
        "complaint": rating.complaint_id,
        "score": rating.score,
        "comment": rating.comment,
        "rated_at": rating.created_at,
        "changed_at": rating.updated_at,
        "editable_until": window.due_at if window else None,
    }


def _save(request, complaint_id: int, payload: RatingIn, write, status: int):
    complaint = _complaint(request, complaint_id)
    try:
        with transaction.atomic():
            rating = write(
                complaint, request.auth, score=payload.score, comment=payload.comment, at=timezone.now()
            )
    except ratings.NotTheConsumer as exc:
        return Status(403, {"detail": str(exc)})
    return Status(status, _out(rating, ratings.window(complaint)))


@router.post(
    "/{int:complaint_id}/rating",
    response={201: RatingOut, **RESPONSES},
    summary="Rate the handling of your closed complaint (once, within the window)",
)
def rate(request, complaint_id: int, payload: RatingIn):
    return _save(request, complaint_id, payload, ratings.rate, 201)


@router.put(
    "/{int:complaint_id}/rating",
    response={200: RatingOut, **RESPONSES},
    summary="Change your rating while the window is open",
)
def change_rating(request, complaint_id: int, payload: RatingIn):
    return _save(request, complaint_id, payload, ratings.change, 200)


@router.get(
    "/{int:complaint_id}/rating",
    response={200: RatingWindowOut, 404: Error},
    summary="A complaint's rating window, and its rating for the consumer and the centre",
)
def rating_detail(request, complaint_id: int):
    complaint = _complaint(request, complaint_id)
    window = ratings.window(complaint)
    # A shop could press a consumer to change a poor rating: it never sees one (the scorecard has averages).
    rating = ratings.rating_of(complaint) if request.auth.role in (Role.CONSUMER, Role.REGULATOR) else None
    return {
        "opens_at": window.starts_at if window else None,
        "closes_at": window.due_at if window else None,
        "open": ratings.is_open(complaint, timezone.now()),
        "rating": _out(rating, window) if rating else None,
    }
