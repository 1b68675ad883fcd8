from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator

from complaintdesk.api.common import Error, QueryText, RowId, ValidationErrorOut
from complaintdesk.complaints.choices import Channel, Kind
from complaintdesk.complaints.models import Category
from complaintdesk.deadlines import services
from complaintdesk.lib.dates import outside_service_years
from complaintdesk.lib.errors import FieldError
from complaintdesk.merchants.models import Merchant

router = Router(tags=["calendar"])


def _in_service_years(value: datetime) -> datetime:
    # Translated here, when a request is validated, in the language LocaleMiddleware chose for it. A naive
    # value passes: the handler refuses it with an example of an offset.
    if reason := outside_service_years(value):
        raise ValueError(reason)
    return value


# A receipt the desk computes deadlines from (lib.dates says why these years).
ServiceInstant = Annotated[datetime, AfterValidator(_in_service_years)]


class DeadlinePreview(Schema):
    phase: str
    due_at: datetime
    remind_at: datetime
    rule: str
    clock: str
    warning: str


class DeadlinesOut(Schema):
    merchant: int
    received_at: datetime
    kind: str
    received_in_working_time: bool
    first_response_due: datetime | None
    reply_due: datetime | None
    resolution_due: datetime | None
    deadlines: list[DeadlinePreview]


@router.get(
    "/deadlines",
    auth=None,
    response={200: DeadlinesOut, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="The deadlines a complaint received at this instant would get, with the rule behind each",
)
def deadlines(
    request,
    merchant: RowId,
    received_at: ServiceInstant,
    kind: Kind = Kind.COMPLAINT,
    category: QueryText = "other",
    channel: Channel = Channel.WEB,
):
    if received_at.tzinfo is None:
        raise FieldError("received_at", _("must include a time zone offset, e.g. 2026-09-30T17:00:00+08:00"))
    shop = get_object_or_404(Merchant, pk=merchant, is_active=True)
    if not Category.objects.filter(code=category).exists():
        raise FieldError("category", _("unknown category %(category)r") % {"category": category})
    computed = services.deadlines_for(shop, kind, category, channel, received_at)
    calendar = services.calendar_for(shop, at=received_at)
    rows = [
        {
            "phase": phase,
            "due_at": due.due_at,
            "remind_at": due.remind_at,
            "rule": due.rule.label,
            "clock": due.rule.clock,
            "warning": services.warning_for(due),
        }
        for phase, due in computed.items()
    ]
    return {
        "merchant": shop.pk,
        "received_at": received_at,
        "kind": kind,
        "received_in_working_time": calendar.is_working_time(received_at),
        "first_response_due": computed["first_response"].due_at if "first_response" in computed else None,
        "reply_due": computed["reply"].due_at if "reply" in computed else None,
        "resolution_due": computed["resolution"].due_at if "resolution" in computed else None,
        "deadlines": rows,
    }
