from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from complaintdesk.complaints.choices import Channel, Kind, ResolutionType, Sector, WantedOutcome

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class Error(Schema):
    detail: str


class FieldIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldIssue]


class TokenIn(Schema):
    username: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class TokenOut(Schema):
    token: str


class ComplaintIn(Schema):
    merchant: int
    kind: Kind = Kind.COMPLAINT
    category: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    channel: Channel = Channel.WEB
    sector: Sector = Sector.ONLINE_SHOPPING
    order_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    order_date: date | None = None
    wanted_outcome: WantedOutcome
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
    promotion: ShortText = ""
    received_at: datetime | None = Field(None, description="Regulator back-office and imports only.")
    consumer_name: ShortText = Field(
        "", description="Regulator back-office only: a consumer without account."
    )


class ResolutionIn(Schema):
    type: ResolutionType = ResolutionType.OTHER
    details: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class ActionIn(Schema):
    message: Text = ""
    resolution: (
        ResolutionIn | Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None
    ) = Field(
        None, description='For propose_resolution: {"type": "refund", "details": "…"}, a type, or free text.'
    )


class DeadlineOut(Schema):
    phase: str
    due_at: datetime
    rule: str
    clock: str
    status: str
    remind_at: datetime
    reminded_at: datetime | None
    breached_at: datetime | None
    met_at: datetime | None
    met_in_time: bool | None
    seconds_left: int | None = Field(description="Until due; negative when overdue; null once met.")
    warning: str


class EventOut(Schema):
    action: str
    actor: str | None
    actor_role: str
    from_state: str
    to_state: str
    message: str
    data: dict
    created_at: datetime


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    created_at: datetime


class ComplaintOut(Schema):
    id: int
    reference: str
    state: str
    merchant: int
    merchant_name: str
    kind: str
    category: str
    channel: str
    sector: str
    order_number: str
    amount: Decimal | None
    order_date: date | None
    promotion: str
    wanted_outcome: str
    description: str
    resolution: ResolutionIn | None
    received_at: datetime
    first_response_due: datetime | None
    reply_due: datetime | None
    resolution_due: datetime | None
    deadlines: list[DeadlineOut]
    created_at: datetime
    updated_at: datetime


class ComplaintDetailOut(ComplaintOut):
    events: list[EventOut]
    evidence: list[EvidenceOut]


class MerchantIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    shop_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    platform: str = "own_site"
    service_hours: dict[str, list[list[str]]] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] = ""


class MerchantPatch(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    credit_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None
    shop_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    platform: str | None = None
    service_hours: dict[str, list[list[str]]] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    is_active: bool | None = None


class MerchantOut(Schema):
    id: int
    name: str
    credit_code: str
    shop_url: str
    platform: str
    service_hours: dict
    time_zone: str
    is_active: bool


class DirectoryEntryOut(Schema):
    id: int
    name: str
    shop_url: str
    platform: str
    service_hours: dict
    time_zone: str
