"""Moving a complaint at the centre, a report or an enquiry to another bureau (SPEC §11): an officer, a
reason, any other bureau (another district, or up to the city centre, which routes what reaches it).

The step itself belongs to the matter's procedure (`complaints.centre` for a complaint, whose event log keeps
it too; `centre.matters.transfer` for a report or an enquiry); this module is what both share:

1. `receiving_bureau` and `reason` check the fields before anything is locked (FieldError naming the field);
   `bureau_id` reads an id as a client may send it.
2. `record` writes the `Transfer` row, in the step's transaction: the centre's figures count it out of one
   bureau and into the other (`stats.centre_rollups`), the officers' pages list it.

The receiving bureau's duty (a complaint's acceptance, a report's decision, an enquiry's answer) starts anew
when it receives the matter, on its own calendar (`centre.duties.start`): the step does that too.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from complaintdesk.centre.models import Bureau, Transfer
from complaintdesk.lib.errors import FieldError

REASON_LIMIT = Transfer._meta.get_field("reason").max_length


def whole(value) -> int | None:
    """A whole number as a client may send it (5 or "5"), else None; never a bool or a fraction."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdecimal() else None  # int() reads every digit isdecimal() accepts


def bureau_id(field: str, value) -> int:
    """A bureau's id as sent in `field`: a positive whole number that fits the column, else FieldError."""
    number = whole(value)
    if number is None or not 0 < number < 2**63:
        raise FieldError(
            field, _("must be the id of a bureau (a positive whole number), not %(value)r") % {"value": value}
        )
    return number


def receiving_bureau(value) -> Bureau:
    """The bureau a transfer names (the `bureau` field): given, an id, and one that exists."""
    if value is None or value == "":
        raise FieldError("bureau", _("a transfer needs the bureau that receives it"))
    found = Bureau.objects.filter(pk=bureau_id("bureau", value)).first()
    if found is None:
        raise FieldError("bureau", _("unknown bureau %(bureau)s") % {"bureau": value})
    return found


def another_bureau(receiving: Bureau, holding_id: int) -> None:
    """Refuse a transfer to the bureau that already holds the matter (the `bureau` field)."""
    if receiving.pk == holding_id:
        raise FieldError(
            "bureau",
            _("it is already at %(bureau)s: choose another bureau") % {"bureau": receiving.local_name},
        )


def reason(text: str) -> str:
    """The reason for a transfer (the `message` field): required, kept with the transfer and its event."""
    text = (text or "").strip()
    if not text:
        raise FieldError("message", _("say why the other bureau should handle it"))
    if len(text) > REASON_LIMIT:
        raise FieldError(
            "message",
            _("must be at most %(limit)s characters (it has %(n)s)")
            % {"limit": REASON_LIMIT, "n": len(text)},
        )
    return text


def record(*, complaint=None, matter=None, from_bureau: Bureau, to_bureau: Bureau, reason: str, by,
           at: datetime, received_before: datetime) -> Transfer:  # fmt: skip
    """The transfer's row, written before the case or the matter is saved at its new bureau (that save
    refreshes the figures, which then count it)."""
    return Transfer.objects.create(
        complaint=complaint, matter=matter, from_bureau=from_bureau, to_bureau=to_bureau, reason=reason,
        by=by, at=at, received_before=received_before,
    )  # fmt: skip
