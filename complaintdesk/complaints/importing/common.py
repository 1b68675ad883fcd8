"""What the formats, the writer and the importer share: a mapped row (`Planned`) or its rejection
(`RowError`), the import's `Report`, and the value checks of both formats."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import models

from complaintdesk.stats import periods

MAX_DESCRIPTION = 10000


class RowError(ValueError):
    pass


@dataclass
class Rejected:
    line: int
    external_id: str
    reason: str


@dataclass(slots=True)
class Planned:
    """One validated row: the rows that will be written for it, as lists of column values (`write.Rows`),
    with the complaint's id, reference and shop (and the links to it) filled in when it is written;
    and the facts its rollup contributions depend on (`rollups.grouped`)."""

    line: int
    external_id: str
    identity: tuple  # a CFPB id whatever its channel, else (channel, id): what makes two rows the same
    merchant_key: tuple  # ("code", credit code) of an existing shop, or ("company", name) to create
    complaint: list
    deadlines: list[list] | None  # None: the policy's deadlines, computed once the shop is known
    event: list
    year: int  # the local year of receipt, in the reference
    facts: tuple  # (received_at, category_id, kind, channel, sector, state)
    deadline_facts: list[tuple]  # (phase, rule label, status, met_at, due_at, starts_at) per deadline
    truncated: bool = False
    native: dict | None = None  # a native row's fields that choose its policy deadlines


def identity_of(channel: str, external_id: str) -> tuple:
    return ("", external_id) if external_id.startswith("cfpb:") else (channel, external_id)


@dataclass
class Report:
    format: str = ""
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    shops_created: int = 0
    truncated: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, line: int, external_id: str, reason: str) -> None:
        self.rejected.append(Rejected(line, external_id, reason))

    def summary(self) -> str:
        return (
            f"{self.format}: {self.rows} rows, {self.imported} imported, {self.already_imported} already "
            f"imported, {len(self.rejected)} rejected, {self.shops_created} shops created"
            + (
                f", {self.truncated} descriptions cut to {MAX_DESCRIPTION} characters"
                if self.truncated
                else ""
            )
        )


def at_noon(day: date) -> datetime:
    # A date without a time: noon in the regulator's zone keeps the same calendar day in every display.
    return datetime.combine(day, time(12), periods.zone())


def parse_date(value: str, column: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{column}: {value!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def not_future(when: datetime, column: str, now: datetime) -> None:
    if when > now:
        raise RowError(f"{column}: {when.date().isoformat()} is in the future")


def cut_description(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        return text[: MAX_DESCRIPTION - 1] + "…", True
    return text, False


def plain(value):
    """A TextChoices member as the plain str it stands for (bound without the driver's adaptation)."""
    return value.value if isinstance(value, models.Choices) else value
