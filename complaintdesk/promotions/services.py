"""Promotion filings (SPEC §4): a shop files, amends and resubmits; the regulator accepts or returns. Each
step is one transaction that locks the filing, re-checks its state and writes its event row."""

import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import MERCHANT_ROLES, Role
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.deadlines.services import calendar_for
from complaintdesk.lib import uploads
from complaintdesk.lib.dates import outside_service_years
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import validate_phone
from complaintdesk.promotions import leadtime, notices, staffing
from complaintdesk.promotions.models import (
    FilingAction,
    FilingPolicy,
    FilingState,
    Promotion,
    PromotionEvent,
    PromotionType,
)

MAX_DURATION = timedelta(days=366)
MAX_COUNT = 10**12
MAX_STAFF = 100_000
MAX_HANDLING_MINUTES = Decimal(24 * 60)


@dataclass(frozen=True)
class Step:
    roles: frozenset
    sources: frozenset
    target: str | None  # None: the state does not change


# The one table of who may do what to a filing, from which states.
STEPS = {
    FilingAction.AMEND: Step(MERCHANT_ROLES, frozenset({FilingState.SUBMITTED, FilingState.RETURNED}), None),
    FilingAction.ATTACH_PLAN: Step(
        MERCHANT_ROLES, frozenset({FilingState.SUBMITTED, FilingState.RETURNED}), None
    ),
    FilingAction.ACCEPT: Step(
        frozenset({Role.REGULATOR}), frozenset({FilingState.SUBMITTED}), FilingState.ACCEPTED
    ),
    FilingAction.RETURN: Step(
        frozenset({Role.REGULATOR}), frozenset({FilingState.SUBMITTED}), FilingState.RETURNED
    ),
    FilingAction.RESUBMIT: Step(MERCHANT_ROLES, frozenset({FilingState.RETURNED}), FilingState.SUBMITTED),
}


@dataclass
class FilingData:
    """What a shop files (SPEC §4 and §7), as the API and the web form both build it."""

    name: str
    type: str
    starts_at: datetime
    ends_at: datetime
    expected_orders: int
    peak_hour_orders: int
    staff_per_shift: int
    avg_handling_minutes: Decimal
    emergency_plan: str
    contacts: list

    @classmethod
    def of(cls, promotion: Promotion) -> "FilingData":
        return cls(**{f.name: getattr(promotion, f.name) for f in fields(cls)})


FIELDS = tuple(f.name for f in fields(FilingData))


def _positive_int(value, limit: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return _("must be a whole number")
    if value <= 0:
        return _("must be greater than 0")
    if value > limit:
        return _("must be at most %(limit)s") % {"limit": limit}
    return None


def validate(data: FilingData, now: datetime, start_changed: bool = True) -> None:
    """Every domain rule of a filing: a FieldError naming the first field that breaks one, with every other
    field's refusal in `also` (the API lists them all, a form shows each at its field)."""
    found = problems(data, now, start_changed)
    if found:
        raise FieldError(*found[0], also=tuple(found[1:]))


def problems(data: FilingData, now: datetime, start_changed: bool = True) -> list[tuple[str, str]]:
    """(field, reason) for every field that breaks a rule, in the form's order, at most one reason each. A
    field that is None was refused already (a form's own check): it is not checked, nor the rules that
    compare it with another. `start_changed`: a start already on file may have passed (a returned filing
    resubmitted late)."""
    found: dict[str, str] = {}

    def check(field: str, reason: str | None) -> None:
        if reason and field not in found:
            found[field] = reason

    def given(*names: str) -> bool:
        return all(getattr(data, name) is not None for name in names)

    if given("name"):
        if not data.name.strip():
            check("name", _("must not be empty"))
        elif len(data.name) > 200:
            check("name", _("must be at most %(limit)s characters") % {"limit": 200})
    if given("type") and data.type not in PromotionType.values:
        check("type", _("must be one of: %(types)s") % {"types": ", ".join(PromotionType.values)})
    # The lead time is counted on the deadline calendar, which ends in year 9998: both ends lie in the years
    # served, the one rule for the API and the web form. Each end outside them is named.
    for field in ("starts_at", "ends_at"):
        value = getattr(data, field)
        if value is None:
            continue
        if not isinstance(value, datetime) or value.tzinfo is None:
            check(field, _("must be a date and time with a time zone offset, e.g. 2026-11-11T00:00:00+08:00"))
        else:
            check(field, outside_service_years(value))
    times = given("starts_at", "ends_at") and not {"starts_at", "ends_at"} & found.keys()
    if start_changed and given("starts_at") and "starts_at" not in found and data.starts_at <= now:
        check(
            "starts_at",
            # In the zone the filing form reads and shows its times in, formatted as the pages do.
            _("must be in the future (now is %(now)s)")
            % {"now": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"},
        )
    if times and data.ends_at <= data.starts_at:
        check("ends_at", _("must be after the start"))
    if times and data.ends_at - data.starts_at > MAX_DURATION:
        check("ends_at", _("a promotion lasts at most 366 days"))
    for field, limit in (("expected_orders", MAX_COUNT), ("peak_hour_orders", MAX_COUNT)):
        if given(field):
            check(field, _positive_int(getattr(data, field), limit))
    if (
        given("expected_orders", "peak_hour_orders")
        and not {"expected_orders", "peak_hour_orders"} & found.keys()
        and data.peak_hour_orders > data.expected_orders
    ):
        check(
            "peak_hour_orders",
            _("cannot exceed the expected orders in total (%(orders)s)") % {"orders": data.expected_orders},
        )
    if given("staff_per_shift"):
        check("staff_per_shift", _positive_int(data.staff_per_shift, MAX_STAFF))
    minutes = data.avg_handling_minutes
    if minutes is not None:
        if isinstance(minutes, bool) or not isinstance(minutes, int | float | Decimal):
            check("avg_handling_minutes", _("must be a number of minutes"))
        elif not 0 < Decimal(str(minutes)) <= MAX_HANDLING_MINUTES:
            check("avg_handling_minutes", _("must be greater than 0 and at most 1440 minutes"))
    if given("emergency_plan") and not data.emergency_plan.strip():
        check("emergency_plan", _("must not be empty"))
    if given("contacts"):
        check("contacts", _contacts_problem(data.contacts))
    return list(found.items())


def _contacts_problem(contacts) -> str | None:
    if not isinstance(contacts, list) or not contacts:
        return _("name at least one escalation contact with a phone")
    for i, contact in enumerate(contacts, start=1):
        if not isinstance(contact, dict) or not (contact.get("name") or "").strip():
            return _("contact %(number)s needs a name") % {"number": i}
        try:
            validate_phone(contact.get("phone") or "")
        except ValidationError as exc:
            return _("contact %(number)s: %(reason)s") % {"number": i, "reason": " ".join(exc.messages)}
    return None


def _assessed(merchant, data: FilingData, filed_at: datetime, now: datetime) -> dict:
    """The computed columns: lead time, lateness, the staffing verdict."""
    policy = FilingPolicy.current()
    due_by = leadtime.filing_due_by(calendar_for(merchant), data.starts_at, policy.lead_working_days)
    check = staffing.check(
        merchant, data.peak_hour_orders, data.staff_per_shift, data.avg_handling_minutes, now, policy
    )
    return {
        "lead_working_days": policy.lead_working_days,
        "due_by": due_by,
        "late": filed_at > due_by,
        "staffing": check.as_dict(),
        "meets_staffing_target": check.meets_target,
    }


def _event(promotion, actor, action, before, after, message="", data=None, at=None) -> PromotionEvent:
    return PromotionEvent.objects.create(
        promotion=promotion,
        actor=actor,
        actor_role=actor.role,
        action=action,
        from_state=before,
        to_state=after,
        message=message,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def file(actor, data: FilingData, now: datetime | None = None) -> Promotion:
    """A merchant user files a promotion of its own shop. A late filing is accepted and marked late."""
    if actor.role not in MERCHANT_ROLES or actor.merchant_id is None:
        raise ActionForbidden(_("only a shop's staff file its promotions"))
    now = now or timezone.now()
    validate(data, now)
    merchant = actor.merchant
    assessed = _assessed(merchant, data, now, now)
    with transaction.atomic():
        promotion = Promotion.objects.create(
            merchant=merchant,
            **asdict(data),
            **assessed,
            state=FilingState.SUBMITTED,
            filed_at=now,
            filed_by=actor,
        )
        _event(
            promotion, actor, FilingAction.FILE, "", FilingState.SUBMITTED,
            data={"late": promotion.late, "due_by": promotion.due_by.isoformat(), "staffing": assessed["staffing"]},
            at=now,
        )  # fmt: skip
        notices.filed(promotion)
    return promotion


def _locked(promotion_id: int, actor, action: str) -> Promotion:
    """The filing under a row lock, after checking the actor's role and the state for `action`."""
    step = STEPS[action]
    promotion = Promotion.objects.select_for_update().select_related("merchant").get(pk=promotion_id)
    if actor.role not in step.roles:
        raise ActionForbidden(
            _("%(role)s may not %(action)s a filing")
            % {"role": actor.get_role_display(), "action": FilingAction(action).value}
        )
    if actor.role in MERCHANT_ROLES and actor.merchant_id != promotion.merchant_id:
        raise ActionForbidden(_("a shop acts only on its own filings"))
    if promotion.state not in step.sources:
        raise Conflict(
            _("cannot %(action)s a filing that is %(state)s")
            % {"action": FilingAction(action).value, "state": promotion.state}
        )
    return promotion


def _apply(promotion: Promotion, changes: dict, now: datetime) -> dict:
    """Apply amendments, validate the whole filing again and reassess it. Returns {field: [old, new]}."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise FieldError(sorted(unknown)[0], _("cannot be changed"))
    for field, value in changes.items():
        if value is None:
            raise FieldError(field, _("may not be null"))
    before = FilingData.of(promotion)
    after = FilingData(**{**asdict(before), **changes})
    validate(after, now, start_changed=after.starts_at != before.starts_at)
    diff = {
        f: [_json(getattr(before, f)), _json(getattr(after, f))]
        for f in FIELDS
        if getattr(before, f) != getattr(after, f)
    }
    for field, value in asdict(after).items():
        setattr(promotion, field, value)
    # Lateness stays measured from the first filing: amending does not make a late filing on time.
    for field, value in _assessed(promotion.merchant, after, promotion.filed_at, now).items():
        setattr(promotion, field, value)
    return diff


def amend(promotion_id: int, actor, changes: dict, message: str = "") -> Promotion:
    """The shop corrects a filing that is waiting for review or was returned; the state stays."""
    now = timezone.now()
    with transaction.atomic():
        promotion = _locked(promotion_id, actor, FilingAction.AMEND)
        diff = _apply(promotion, changes, now)
        if not diff:
            return promotion
        promotion.save()
        _event(
            promotion,
            actor,
            FilingAction.AMEND,
            promotion.state,
            promotion.state,
            message,
            {"changed": diff},
            now,
        )
    return promotion


def resubmit(promotion_id: int, actor, changes: dict, message: str = "") -> Promotion:
    """The shop sends a returned filing back for review, with its amendments."""
    now = timezone.now()
    with transaction.atomic():
        promotion = _locked(promotion_id, actor, FilingAction.RESUBMIT)
        diff = _apply(promotion, changes, now)
        promotion.state = FilingState.SUBMITTED
        promotion.save()
        _event(
            promotion, actor, FilingAction.RESUBMIT, FilingState.RETURNED, FilingState.SUBMITTED, message,
            {"changed": diff}, now,
        )  # fmt: skip
        notices.resubmitted(promotion, message, now)
    return promotion


def review(promotion_id: int, actor, decision: str, comment: str = "") -> Promotion:
    """The regulator accepts a filing or returns it for changes; a return says what to change."""
    if decision not in (FilingAction.ACCEPT, FilingAction.RETURN):
        raise FieldError("decision", _("must be accept or return"))
    comment = (comment or "").strip()
    if decision == FilingAction.RETURN and not comment:
        raise FieldError("comment", _("say what the shop must change"))
    now = timezone.now()
    with transaction.atomic():
        promotion = _locked(promotion_id, actor, decision)
        before = promotion.state
        promotion.state = STEPS[decision].target
        promotion.reviewed_at, promotion.reviewed_by, promotion.review_comment = now, actor, comment
        promotion.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
        _event(promotion, actor, decision, before, promotion.state, comment, at=now)
        notices.reviewed(promotion, decision, comment, now)
    return promotion


def attach_plan(promotion_id: int, actor, upload) -> Promotion:
    """The emergency plan as a PDF: checked by its content, not its name, and by size (lib.uploads)."""
    uploads.check(upload, {"application/pdf"}, wrong_type=_("must be a PDF document"))
    content = upload.read()
    sha = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    upload.seek(0)
    with transaction.atomic():
        promotion = _locked(promotion_id, actor, FilingAction.ATTACH_PLAN)
        replaced = promotion.plan_name or None
        promotion.plan_sha256 = sha
        promotion.plan_file.save(f"{sha[:16]}.pdf", upload, save=False)
        # Shown and served as a PDF whatever it was sent as ("plan.pdf.cmd" is "plan.pdf").
        promotion.plan_name = uploads.safe_name(upload.name or "", ".pdf", fallback="plan")
        promotion.plan_size = len(content)
        promotion.plan_uploaded_at = now
        promotion.save()
        _event(
            promotion, actor, FilingAction.ATTACH_PLAN, promotion.state, promotion.state,
            data={"name": promotion.plan_name, "size": promotion.plan_size, "sha256": sha, "replaced": replaced},
            at=now,
        )  # fmt: skip
    return promotion
