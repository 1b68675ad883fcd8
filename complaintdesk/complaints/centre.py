"""What a complaint does at the 12315 centre (SPEC §10): the centre's part of `services.perform`.

The lifecycle table (`lifecycle.TRANSITIONS`) says which centre step may be taken when, which duty it meets,
which it starts and which fields it needs; this module does it, inside the action's transaction and under
the complaint's row lock:

1. `check` refuses a step's bad fields before anything is locked (a ground from the wrong list, a negative
   amount, no bureau for a transfer…): FieldError naming the field.
2. `prepare`, under the lock, before the deadlines change: the complaint reaches the centre (its
   `CentreCase`, the rule version in force on the centre's local day of receipt, the acceptance duty) on
   every escalation and when an officer takes a complaint that never reached it; and the checks that need
   the stored case (a transfer to the bureau that holds it, a decision on a case transferred away since the
   officer looked, a pause after the mediation period ended, a termination notice sent twice).
3. `record`, after the deadlines changed: the decision on the case (grounds, terms, money recovered, when),
   the duties the step starts (mediation at acceptance, the termination notice at a termination), the
   letters (`centre.letters`), and what the event log keeps of it.

A complaint reaches the centre once: by escalation (the consumer after a dispute, the worker on a breach or
an unanswered question, an officer) or filed with the centre directly (`reach_directly`).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaintdesk.centre import duties, letters, transfers
from complaintdesk.centre.grounds import TerminationGround
from complaintdesk.centre.jurisdiction import route
from complaintdesk.centre.models import Bureau, CentreCase, NoticeKind, Outcome, Via
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.lifecycle import SYSTEM, Action, CentreStage, Transition, action_verb
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase
from complaintdesk.lib.errors import Conflict, FieldError

# What the worker terminates a mediation on when its period passes: art. 21 ground (5).
TIME_LIMIT_GROUND = TerminationGround.TIME_LIMIT
# What a consumer's withdrawal during mediation ends it on: art. 21 ground (1).
WITHDRAWAL_GROUND = TerminationGround.WITHDRAWN_OR_SETTLED
# The money recovered fits the column (12 digits, 2 after the point).
AMOUNT_LIMIT = Decimal("9999999999.99")
TERMS_MAX = CentreCase._meta.get_field("agreement_terms").max_length
# The decisions whose letters go out with the step (a termination's only when an officer decides it).
LETTERS = {
    Action.ACCEPT_CASE: NoticeKind.ACCEPTANCE,
    Action.START_MEDIATION: NoticeKind.ACCEPTANCE,
    Action.REFUSE_CASE: NoticeKind.REFUSAL,
    Action.RECORD_AGREEMENT: NoticeKind.AGREEMENT,
    Action.TERMINATE_MEDIATION: NoticeKind.TERMINATION,
    Action.SEND_TERMINATION_NOTICE: NoticeKind.TERMINATION,
}
# The states a complaint without a case of its own is at the centre in: complaints escalated before the
# centre kept cases get one when an officer first acts on them (`prepare`).
_LEGACY_STAGES = {
    State.ESCALATED: CentreStage.RECEIVED,
    State.IN_MEDIATION: CentreStage.MEDIATING,
    State.TESTING: CentreStage.MEDIATING,
}


@dataclass(frozen=True)
class Details:
    """A centre step's fields besides its message (SPEC §7), as the API and the web form pass them."""

    ground: object = None  # refuse_case: 1–6 (art. 15); terminate_mediation: 1–7 (art. 21)
    bureau: object = None  # transfer: the receiving bureau's id
    terms: str = ""  # record_agreement
    amount_recovered: object = None  # record_agreement: yuan, ≥ 0
    # The bureau that held the case when the officer looked (optional): a case transferred away since is
    # not decided on by mistake.
    case_bureau: object = None


@dataclass(frozen=True)
class Checked:
    ground: int | None = None
    bureau: Bureau | None = None
    terms: str = ""
    amount_recovered: Decimal | None = None
    case_bureau: int | None = None


def case_of(complaint) -> CentreCase | None:
    try:
        return complaint.centre_case
    except ObjectDoesNotExist:
        return None


def other_bureaus(complaint):
    """The bureaus a complaint at the centre could be transferred to: all but the one holding it."""
    case = case_of(complaint)
    return Bureau.objects.exclude(pk=case.bureau_id) if case else Bureau.objects.all()


def bureau_named(bureau_id) -> str:
    """A bureau's name in the reader's language ('' for one that no longer exists)."""
    bureau = Bureau.objects.filter(pk=bureau_id).first()
    return bureau.name_in(_language()) if bureau else ""


def may_ask_mediation(complaint) -> bool:
    """Whether a consumer's dispute may still ask the centre to mediate: not once it is mediating."""
    return stage_of(complaint) in (CentreStage.NONE, CentreStage.RECEIVED)


def stage_of(complaint, case: CentreCase | None = None) -> CentreStage:
    """Where the complaint stands with the centre (`lifecycle.CentreStage`), from its case."""
    case = case if case is not None else case_of(complaint)
    if case is None:
        return _LEGACY_STAGES.get(complaint.state, CentreStage.NONE)
    if case.outcome:
        return CentreStage.ENDED
    if case.accepted_at is not None:
        return CentreStage.MEDIATING
    return CentreStage.RECEIVED


# ----------------------------------------------------------------------------------- 1. the fields


def check(transition: Transition, details: Details | None) -> Checked:
    """The step's fields, checked against the table's needs before anything is locked; FieldError names
    the first wrong one. Fields a step does not take are ignored, as `resolution` is by other steps."""
    details = details or Details()
    action = transition.action
    ground = _ground(action, transition.grounds, details.ground) if transition.grounds else None
    bureau = transfers.receiving_bureau(details.bureau) if transition.needs_bureau else None
    terms, amount = "", None
    if transition.needs_terms:
        terms = (details.terms or "").strip()
        if not terms:
            raise FieldError("terms", _("write the terms the parties agreed on"))
        if len(terms) > TERMS_MAX:
            raise FieldError(
                "terms",
                _("must be at most %(limit)s characters (it has %(n)s)")
                % {"limit": TERMS_MAX, "n": len(terms)},
            )
        amount = _amount(details.amount_recovered)
    case_bureau = (
        transfers.bureau_id("case_bureau", details.case_bureau)
        if details.case_bureau not in (None, "")
        else None
    )
    return Checked(ground, bureau, terms, amount, case_bureau)


def _ground(action: str, grounds, value) -> int:
    listed = ", ".join(str(v) for v in grounds.values)
    if value is None or value == "":
        raise FieldError(
            "ground",
            _("%(action)s needs a legal ground: one of %(grounds)s")
            % {"action": action_verb(action), "grounds": listed},
        )
    number = transfers.whole(value)
    if number not in grounds.values:
        raise FieldError(
            "ground",
            _("unknown ground %(ground)s for %(action)s; grounds are %(grounds)s")
            % {"ground": value, "action": action_verb(action), "grounds": listed},
        )
    return number


def _amount(value) -> Decimal:
    if value is None or value == "":
        raise FieldError(
            "amount_recovered", _("say how much money was recovered for the consumer, in yuan (0 if none)")
        )
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FieldError(
            "amount_recovered", _("must be a number of yuan, e.g. 120.50, not %(value)r") % {"value": value}
        ) from None
    if isinstance(value, bool) or not amount.is_finite():
        raise FieldError(
            "amount_recovered", _("must be a number of yuan, e.g. 120.50, not %(value)r") % {"value": value}
        )
    if amount < 0:
        raise FieldError("amount_recovered", _("must not be negative (0 if no money was recovered)"))
    if amount > AMOUNT_LIMIT or amount != amount.quantize(Decimal("0.01")):
        raise FieldError(
            "amount_recovered",
            _("must be at most %(limit)s yuan, in fen at most (two decimals)") % {"limit": AMOUNT_LIMIT},
        )
    # "-0" is no money recovered: kept as 0.00, never a negative zero in letters and figures.
    return amount.quantize(Decimal("0.01")) + 0


# ------------------------------------------------------------------------- 2. before the deadlines


def prepare(complaint, transition: Transition, fields: Checked, now: datetime) -> CentreCase | None:
    """Under the complaint's lock, before its deadlines change: make the complaint reach the centre when
    the step brings it there, and refuse (changing nothing) what the stored case rules out."""
    action = transition.action
    case = case_of(complaint)
    if action == Action.ESCALATE:
        return reach(complaint, Via.ESCALATION, now)
    if transition.stages is None:  # a step of the shop's or the consumer's, or closing
        return case
    if case is None and stage_of(complaint) == CentreStage.NONE:
        # An officer takes a complaint that never reached the centre (a disputed one) straight into
        # mediation: it reaches the centre now (the table allows no other centre step there).
        return reach(complaint, Via.ESCALATION, now)
    if case is None:  # at the centre from before the centre kept cases
        case = _legacy_case(complaint, now)
    if fields.case_bureau is not None and case.bureau_id != fields.case_bureau:
        raise Conflict(
            _(
                "the complaint was transferred to %(bureau)s meanwhile: that bureau decides on it now. Nothing was changed."
            )
            % {"bureau": case.bureau.name_in(_language())}
        )
    if action == Action.TRANSFER:
        transfers.another_bureau(fields.bureau, case.bureau_id)
    if action in (Action.PAUSE_FOR_TESTING, Action.TERMINATE_MEDIATION):
        _check_mediation_period(complaint, action, fields, now)
    if action == Action.SEND_TERMINATION_NOTICE and case.termination_notice_sent_at is not None:
        raise Conflict(
            _("the termination notice was sent on %(when)s already. Nothing was changed.")
            % {"when": _local(case.termination_notice_sent_at)}
        )
    return case


def _check_mediation_period(complaint, action: str, fields: Checked, now: datetime) -> None:
    """Testing pauses a running period only; ground (5) is the period's end, so only after it."""
    period = Deadline.objects.filter(complaint=complaint, phase=Phase.MEDIATION).first()
    if period is None or period.met_at is not None:
        return
    ended = now >= period.due_at and period.status != DeadlineStatus.PAUSED
    if action == Action.PAUSE_FOR_TESTING and ended:
        raise Conflict(
            _(
                "the mediation period ended on %(due)s: record an agreement or terminate the mediation. Nothing was changed."
            )
            % {"due": _local(period.due_at)}
        )
    if action == Action.TERMINATE_MEDIATION and fields.ground == TerminationGround.TIME_LIMIT and not ended:
        raise FieldError(
            "ground",
            _(
                "ground (5) is the end of the mediation period, which runs until %(due)s; choose the ground that applies now"
            )
            % {"due": _local(period.due_at)},
        )


def reach(complaint, via: str, at: datetime) -> CentreCase:
    """The complaint reaches the centre at `at`: its case at the bureau in charge of the shop
    (`jurisdiction.route`: its registered district, else its platform's, else the city centre), with why,
    under the rule version in force on the centre's local day, and its acceptance duty on that bureau's
    calendar. Once: a complaint that reached the centre keeps its case."""
    case = case_of(complaint)
    if case is not None:
        return case
    version = duties.version_on(_local_day(at))
    routed = route(complaint.merchant)
    case = CentreCase.objects.create(
        complaint=complaint, bureau=routed.bureau, routing=routed.basis, rule_version=version, via=via,
        received_at=at,
    )  # fmt: skip
    duties.start(Phase.ACCEPTANCE, at, version, complaint=complaint, bureau=routed.bureau)
    complaint.centre_case = case
    return case


def _legacy_case(complaint, now: datetime) -> CentreCase:
    """A case for a complaint that was at the centre before cases were kept: received when it was last
    escalated, accepted when mediation started. No duty is started after the fact."""
    escalated = complaint.events.filter(action=Action.ESCALATE).order_by("-created_at", "-id").first()
    received = escalated.created_at if escalated else now
    version = duties.version_on(_local_day(received))
    routed = route(complaint.merchant)
    case = CentreCase(complaint=complaint, bureau=routed.bureau, routing=routed.basis, rule_version=version,
                      via=Via.ESCALATION, received_at=received)  # fmt: skip
    if complaint.state in (State.IN_MEDIATION, State.TESTING):
        started = (
            complaint.events.filter(action=Action.START_MEDIATION).order_by("-created_at", "-id").first()
        )
        case.accepted_at = started.created_at if started else received
    case.save()
    complaint.centre_case = case
    return case


# ------------------------------------------------------------------------------ 3. the decision


def record(complaint, case: CentreCase | None, transition: Transition, fields: Checked, message: str, actor,
           role: str, now: datetime) -> dict:  # fmt: skip
    """After the deadlines changed: the decision on the case, the duties the step starts, its letters.
    Returns what the event log keeps of it."""
    action = transition.action
    if case is None:
        return {}
    data = {}
    if action == Action.ESCALATE:
        data["bureau"] = case.bureau_id
        if case.routing:
            data["routing"] = case.routing
    elif action in (Action.ACCEPT_CASE, Action.START_MEDIATION):
        case.accepted_at = now
        case.save(update_fields=["accepted_at"])
    elif action == Action.REFUSE_CASE:
        case.refused_at, case.refusal_ground = now, fields.ground
        _end(case, Outcome.REFUSED, now, ["refused_at", "refusal_ground"])
        data["ground"] = fields.ground
    elif action == Action.TRANSFER:
        data.update(bureau=fields.bureau.pk, from_bureau=case.bureau_id)
        transfers.record(
            complaint=complaint, from_bureau=case.bureau, to_bureau=fields.bureau, reason=message, by=actor,
            at=now, received_before=case.received_at,
        )  # fmt: skip
        # The receiving bureau's seven working days start when it receives the complaint (SPEC §11), on its
        # calendar (the duty restarts below, `transition.starts`).
        case.bureau, case.received_at = fields.bureau, now
        case.save(update_fields=["bureau", "received_at"])
    elif action == Action.RECORD_AGREEMENT:
        case.agreement_terms, case.amount_recovered = fields.terms, fields.amount_recovered
        _end(case, Outcome.AGREED, now, ["agreement_terms", "amount_recovered"])
        data.update(terms=fields.terms, amount_recovered=str(fields.amount_recovered))
    elif action == Action.TERMINATE_MEDIATION:
        case.termination_ground = fields.ground
        _end(case, Outcome.TERMINATED, now, ["termination_ground"])
        data["ground"] = fields.ground
    elif action == Action.SEND_TERMINATION_NOTICE:
        data["ground"] = case.termination_ground
    elif action == Action.WITHDRAW and stage_of(complaint, case) == CentreStage.MEDIATING:
        # The consumer withdrew while the centre mediated (testing included): the mediation ends on art. 21
        # ground (1), its duties cancelled (the withdrawal's clock change did that), both parties told.
        case.termination_ground = WITHDRAWAL_GROUND
        _end(case, Outcome.TERMINATED, now, ["termination_ground"])
        data["ground"] = WITHDRAWAL_GROUND
    elif complaint.state in _FINISHED and not case.outcome:
        # Closed, withdrawn before the centre accepted it, or resolved by the consumer's acceptance of a
        # proposal while at the centre: the centre's duties end with it (closing and withdrawing end every
        # deadline anyway).
        _end(case, Outcome.CLOSED, now, [])
        Deadline.objects.filter(
            complaint=complaint, phase__in=[Phase.ACCEPTANCE, Phase.MEDIATION], met_at__isnull=True,
            status__in=[DeadlineStatus.OPEN, DeadlineStatus.PAUSED],
        ).update(status=DeadlineStatus.CANCELLED, next_check_at=None)  # fmt: skip
    ended_by_withdrawal = action == Action.WITHDRAW and case.outcome == Outcome.TERMINATED
    # A termination starts the duty to tell the parties: an officer's or a withdrawal's letters meet it below.
    starts = (Phase.TERMINATION_NOTICE,) if ended_by_withdrawal else transition.starts
    for phase in starts:
        duties.start(phase, now, case.rule_version, complaint=complaint, bureau=case.bureau)
    kind = NoticeKind.TERMINATION if ended_by_withdrawal else LETTERS.get(action)
    # The worker's termination writes no letter: an officer sends it (`send_termination_notice`).
    if kind is not None and role != SYSTEM:
        reason = (
            message
            if action != Action.SEND_TERMINATION_NOTICE
            else (message or _termination_reason(complaint))
        )
        if ended_by_withdrawal:
            # The centre's letter on the consumer's step, not one the consumer (or the officer who
            # recorded their call) signs.
            reason, actor = message or _("The consumer withdrew the complaint."), None
        issued = letters.issue(
            kind, complaint=complaint, ground=data.get("ground"), reason=reason, by=actor, at=now
        )
        data["notices"] = [n.pk for n in issued]
        if kind == NoticeKind.TERMINATION:
            case.termination_notice_sent_at = now
            case.save(update_fields=["termination_notice_sent_at"])
            duties.meet(Phase.TERMINATION_NOTICE, now, complaint=complaint)
    return data


_FINISHED = frozenset({State.CLOSED, State.WITHDRAWN, State.RESOLVED})


def _end(case: CentreCase, outcome: str, at: datetime, fields: list[str]) -> None:
    case.outcome, case.ended_at = outcome, at
    case.save(update_fields=[*fields, "outcome", "ended_at"])


def _termination_reason(complaint) -> str:
    """The words of the termination the notice is about (the worker's, for an automatic one)."""
    decided = (
        complaint.events.filter(action=Action.TERMINATE_MEDIATION).order_by("-created_at", "-id").first()
    )
    return decided.message if decided else ""


def reach_directly(complaint, at: datetime) -> CentreCase:
    """A complaint filed with the centre itself (an officer's hotline or counter filing for the centre to
    handle): at the centre from its receipt."""
    return reach(complaint, Via.DIRECT, at)


def _local_day(at: datetime):
    return at.astimezone(ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE)).date()


def _local(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _language() -> str:
    return get_language() or "en"
