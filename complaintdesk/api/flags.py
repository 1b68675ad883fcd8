"""Repeat-complainant flags in the API (SPEC §11; `complaints.flags`): a complaint's JSON carries its flags for
regulator officers only (`flags`, empty for everyone else), and an officer clears one with a note:
`POST /complaints/{id}/flags/{flag_id}/clear`. Another bureau's complaint, or a flag of another complaint,
is 404 as everywhere; a consumer or a shop's staff get 403 on their own complaint, whatever the flag id."""

from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from pydantic import StringConstraints

from complaintdesk.api import presenters
from complaintdesk.api.common import Error, ValidationErrorOut
from complaintdesk.complaints import flags
from complaintdesk.complaints.queries import visible_complaints

router = Router(tags=["complaints"])


class FlagEvidenceOut(Schema):
    id: int
    reference: str | None


class FlagOut(Schema):
    id: int
    reason: str = Field(
        description="many_shops: many complaints against many shops in a short time; repeat: it repeats a "
        "complaint already filed (the same order at the same shop, or the same text)."
    )
    reason_label: str = Field(description="The reason in the reader's language.")
    evidence: list[FlagEvidenceOut] = Field(
        description="The other complaints behind the flag that you may open (a district officer: its bureau's)."
    )
    evidence_elsewhere: int = Field(description="How many more are at bureaus you do not see.")
    details: dict = Field(
        description="The figures behind it: for many_shops `complaints`, `shops`, `days`, `since`, `until`, "
        "`accounts` (the accounts counted as one person), `thresholds`; for repeat `same_order`, "
        "`order_number`, `same_text`."
    )
    raised_at: datetime
    cleared_at: datetime | None
    cleared_by: str | None = Field(description="The officer who cleared it.")
    note: str = Field(description="What the review found (the clearing officer's note).")


class FlagFiguresOut(Schema):
    raised: int = Field(description="Flags raised in the period.")
    raised_by_reason: dict[str, int] = Field(
        description="Raised in the period, by reason: many_shops, repeat."
    )
    cleared: int = Field(description="Flags cleared in the period, whenever they were raised.")


class ClearIn(Schema):
    note: Annotated[str, StringConstraints(max_length=flags.NOTE_MAX)] = Field(
        "", description="Required: what the review found."
    )


@router.post(
    "/{int:complaint_id}/flags/{int:flag_id}/clear",
    response={200: FlagOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Clear a flag for review, with a note (regulator officers; a cleared flag stays, with its note)",
)
def clear_flag(request, complaint_id: int, flag_id: int, payload: ClearIn):
    complaint = get_object_or_404(visible_complaints(request.auth), pk=complaint_id)
    flag = flags.clear(complaint, flag_id, request.auth, payload.note)
    return presenters.flag_list([flag], request.auth)[0]
