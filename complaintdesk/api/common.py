"""What several routers share: field types of ids, query texts and instants, the page numbers, the error
answers and the warnings of an accepted request."""

from datetime import UTC, datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, StringConstraints

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


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded: a page far beyond any table overflows the SQL OFFSET (a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


class Error(Schema):
    detail: str


class FieldIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldIssue]


class WarningOut(Schema):
    """A question about a request that was accepted all the same (a filing's `warnings`): worth showing to
    whoever sent it; nothing was refused."""

    code: str = Field(description="What the warning is about; stable for clients to act on.")
    message: str = Field(description="For a person, in the request's language.")
    related: int | None = Field(
        None, description="The id of what it points to (an earlier complaint), or null."
    )
    link: str | None = Field(None, description="The web page of what it points to (absolute URL), or null.")
