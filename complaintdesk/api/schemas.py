from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, StringConstraints

from complaintdesk.complaints.choices import Channel, Kind, ResolutionType, Sector, WantedOutcome
from complaintdesk.lib.dates import FIRST_DAY, FIRST_INSTANT, LAST_DAY, in_service_years

# An id in a query filter or a body: a larger number would overflow the database integer (a 500 on SQLite),
# so it is refused with 422 naming the parameter.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Text of a query filter: PostgreSQL text cannot hold a NUL character (a 500 there), so it is refused.
QueryText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


def _in_utc(value: datetime) -> datetime:
    # A naive value is read in the current time zone, as the ORM would read it. Near year 1 or 9999 an
    # offset can carry an instant out of the years Python holds, which is bad input, not a missing row.
    try:
        return (value if value.tzinfo else timezone.make_aware(value)).astimezone(UTC)
    except OverflowError:
        raise ValueError(_("must be an instant from 0001-01-01 to 9999-12-31 in UTC")) from None


# An instant of a query filter, in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
Instant = Annotated[datetime, AfterValidator(_in_utc)]

# The days a complaint, an order or a promotion can fall on: lib.dates says why these years. The messages
# are translated here, when a request is validated, in the language LocaleMiddleware chose for it.


def _in_service_years(value: datetime) -> datetime:
    # A naive value passes: each handler refuses it with an example of an offset.
    if value.tzinfo is not None and not in_service_years(value):
        raise ValueError(
            _("must be from %(first)s to %(last)s (UTC)") % {"first": FIRST_DAY, "last": LAST_DAY}
        )
    return value


def _received_from_first_day(value: datetime) -> datetime:
    # Naive values pass, as above; the latest receipt is now, which intake checks.
    if value.tzinfo is not None and value < FIRST_INSTANT:
        raise ValueError(_("must be on or after %(first)s (UTC)") % {"first": FIRST_DAY})
    return value


def _not_before_first_day(value: date) -> date:
    if value < FIRST_DAY:
        raise ValueError(_("must be on or after %(first)s") % {"first": FIRST_DAY})
    return value


# An instant the desk computes deadlines from: a deadline preview's receipt, a promotion's start and end.
ServiceInstant = Annotated[datetime, AfterValidator(_in_service_years)]
ReceivedAt = Annotated[datetime, AfterValidator(_received_from_first_day)]
OrderDate = Annotated[date, AfterValidator(_not_before_first_day)]


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded: a page far beyond any table overflows the SQL OFFSET (a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


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
    expires_at: datetime  # API_TOKEN_DAYS after issue; a new password or role revokes the token sooner


class ComplaintIn(Schema):
    merchant: RowId
    kind: Kind = Kind.COMPLAINT
    category: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    channel: Channel = Channel.WEB
    sector: Sector = Sector.ONLINE_SHOPPING
    order_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    order_date: OrderDate | None = Field(None, description=f"From {FIRST_DAY}; not in the future.")
    product: ShortText = Field(
        "", description="What was bought, as you name it: a name, a model or SKU, or a product link."
    )
    wanted_outcome: WantedOutcome
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
    publish_consent: bool = Field(
        False,
        description="The consumer agrees that the description, with phone numbers, e-mail addresses, ID "
        "and card numbers, WeChat/QQ ids, addresses, order numbers and references removed, is published "
        "in the public open data. Without it the open data has the complaint but not its text. "
        "Default false.",
    )
    promotion: int | ShortText = Field(
        "", description="The id of the shop's promotion filing, or the promotion's name in your own words."
    )
    received_at: ReceivedAt | None = Field(
        None, description=f"Regulator back-office and imports only; from {FIRST_DAY}, not in the future."
    )
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
    product: str
    promotion: str
    wanted_outcome: str
    description: str
    publish_consent: bool
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
    platform: Annotated[str, StringConstraints(max_length=20)] = "own_site"
    service_hours: dict[str, list[list[str]]] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] = ""


class MerchantPatch(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    credit_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None
    shop_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    platform: Annotated[str, StringConstraints(max_length=20)] | None = None
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
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_info_published_at: datetime | None


class DirectoryEntryOut(Schema):
    id: int
    name: str
    shop_url: str
    platform: str
    service_hours: dict
    time_zone: str
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_info_published_at: datetime | None
    pledge_signed: bool = Field(description="Signed the current version of the customer-service pledge.")


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class ServiceInfoIn(Schema):
    """Only the fields sent change; an empty string removes a contact."""

    service_phone: Phone | None = None
    service_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    service_chat_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    returns_address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    service_hours: dict[str, list[list[str]]] | None = None


class ServiceInfoRevisionOut(Schema):
    service_phone: str
    service_email: str
    service_chat_url: str
    returns_address: str
    service_hours: dict
    changed_fields: list[str]
    changed_by: str | None
    changed_at: datetime

    @staticmethod
    def resolve_changed_by(revision):
        return revision.changed_by.username if revision.changed_by_id else None


class CoordinatorIn(Schema):
    user: int = Field(description="A merchant user of this shop.")
    direct_phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CoordinatorOut(Schema):
    user: int
    username: str
    name: str
    direct_phone: str
    started_at: datetime
    ended_at: datetime | None
    designated_by: str | None

    @staticmethod
    def resolve_user(d):
        return d.user_id

    @staticmethod
    def resolve_username(d):
        return d.user.username

    @staticmethod
    def resolve_name(d):
        return d.user.get_full_name()

    @staticmethod
    def resolve_designated_by(d):
        return d.designated_by.username if d.designated_by_id else None


class CoordinatorsOut(Schema):
    current: CoordinatorOut | None
    history: list[CoordinatorOut]


class ComplianceOut(Schema):
    merchant: int
    merchant_name: str
    compliant: bool
    missing: list[str] = Field(description="coordinator, service_info, pledge")
    reasons: list[str]
    coordinator: CoordinatorOut | None
    service_info_published_at: datetime | None
    signed_version: int | None
    current_version: int | None

    @staticmethod
    def resolve_merchant(c):
        return c.merchant.pk

    @staticmethod
    def resolve_merchant_name(c):
        return c.merchant.name

    @staticmethod
    def resolve_reasons(c):
        return c.reasons()

    @staticmethod
    def resolve_service_info_published_at(c):
        return c.merchant.service_info_published_at
