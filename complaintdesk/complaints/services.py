"""State changes of complaints. Each is one transaction that writes its event row with it (zulip's do_*)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.centre import jurisdiction, ratings
from complaintdesk.complaints import centre, flags, group_figures, lifecycle, notices
from complaintdesk.complaints.choices import TERMINAL_STATES, EventKind, State
from complaintdesk.complaints.models import Complaint, ComplaintEvent, IdempotencyKey
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.lib import sql
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.promotions import linking
from complaintdesk.search import index as search_index
from complaintdesk.stats import rollups

# Filing writes these without the ORM's query compiler (docs/decisions.md, "The filing hot path").
sql.writes(Complaint, ComplaintEvent, IdempotencyKey)


def _event(complaint, actor, action, from_state, to_state, message="", data=None, at=None, role=None):
    return ComplaintEvent(
        complaint=complaint,
        actor=actor,
        actor_role=role or (actor.role if actor else lifecycle.SYSTEM),
        action=action,
        from_state=from_state,
        to_state=to_state,
        message=message,
        data=data or {},
        created_at=at or timezone.now(),
    )


def record_event(complaint, actor, action, from_state, to_state, message="", data=None, at=None, role=None):
    event = _event(complaint, actor, action, from_state, to_state, message, data, at, role)
    event.save()
    search_index.message_added(complaint, event)
    group_figures.event_recorded(event)
    return event


@dataclass
class NewComplaint:
    """A validated complaint, ready to be stored (the API and the web form both build one)."""

    merchant: object
    category: object
    kind: str
    channel: str
    sector: str
    order_number: str
    amount: object
    order_date: object
    wanted_outcome: str
    description: str
    promotion_name: str = ""
    promotion: object = None  # a promotions.Promotion of this shop, when the consumer named it by id
    received_at: datetime | None = None
    consumer_name: str = ""
    external_id: str = ""
    product: str = ""
    publish_consent: bool = False  # the description may go into the open data, scrubbed
    # Filed with the 12315 centre itself (an officer's hotline or counter filing for the centre to handle):
    # at the centre from its receipt, its acceptance duty running (SPEC §10).
    for_centre: bool = False


def file_complaint(
    actor, new_complaint: NewComplaint, idempotency: tuple[str, str] | None = None
) -> Complaint:
    """Store a new complaint with its reference number, deadlines and first event, all or nothing. The
    complaint comes back with the deadline rows just written in `complaint.filed_deadlines` (as of the
    filing: `complaint.deadlines.all()` reads them as they are now).

    `idempotency` (key, request hash) is stored in the same transaction (`file_complaint_idempotently`).
    What only reads (the promotion, the deadlines) is worked out before the transaction: on SQLite the
    transaction holds the database's one write lock."""
    received_at = new_complaint.received_at or timezone.now()
    promotion = new_complaint.promotion or linking.find(
        new_complaint.merchant, new_complaint.promotion_name, new_complaint.order_date, received_at
    )
    due = deadline_services.deadlines_for(
        new_complaint.merchant,
        new_complaint.kind,
        new_complaint.category.code,
        new_complaint.channel,
        received_at,
    )
    consumer = actor if actor.role == Role.CONSUMER else None
    # Repeat-complainant flags for an officer's review: read now, stored with the complaint (never refused).
    findings = flags.detect(consumer, new_complaint, received_at)
    with transaction.atomic():
        complaint = Complaint(
            state=State.ESCALATED if new_complaint.for_centre else State.SUBMITTED,
            consumer=consumer,
            consumer_name=new_complaint.consumer_name,
            merchant=new_complaint.merchant,
            category=new_complaint.category,
            kind=new_complaint.kind,
            channel=new_complaint.channel,
            sector=new_complaint.sector,
            order_number=new_complaint.order_number,
            amount=new_complaint.amount,
            order_date=new_complaint.order_date,
            product=new_complaint.product,
            promotion_name=new_complaint.promotion_name,
            promotion=promotion,
            wanted_outcome=new_complaint.wanted_outcome,
            description=new_complaint.description,
            publish_consent=new_complaint.publish_consent,
            received_at=received_at,
            external_id=new_complaint.external_id,
        )
        jurisdiction.file(complaint)  # its bureau in charge: the insert sends no pre_save signal
        sql.insert([complaint])
        complaint.reference = Complaint.reference_for(complaint.pk, timezone.localtime(received_at).year)
        sql.update(complaint, ["reference"])
        flags.raise_flags(complaint, findings)
        search_index.complaint_filed(complaint)
        deadlines = deadline_services.set_deadlines(complaint, due)
        data = {"deadlines": {d.phase: d.due_at.isoformat() for d in deadlines}}
        centre_duties = []
        if new_complaint.for_centre:
            case = centre.reach_directly(complaint, received_at)
            data["centre"] = {"via": case.via, "bureau": case.bureau_id, "routing": case.routing}
            centre_duties = list(complaint.deadlines.exclude(pk__in=[d.pk for d in deadlines]))
        else:
            # Known to have no case: the answer that shows the new complaint asks no query for one.
            Complaint.centre_case.related.set_cached_value(complaint, None)
        sql.insert([
            _event(
                complaint, actor, EventKind.SUBMIT, "", complaint.state, complaint.description[:500], data=data,
                at=received_at,
            )
        ])  # fmt: skip
        if idempotency is not None:
            key, body_hash = idempotency
            sql.insert([IdempotencyKey(user=actor, key=key, request_hash=body_hash, complaint=complaint)])
        if notices.worth_telling(deadlines):
            notices.filed(complaint, deadlines)
        rollups.complaint_filed(complaint, deadlines)  # last: the shared statistics rows lock briefly
    complaint.filed_deadlines = sorted(
        deadlines + centre_duties, key=lambda d: d.due_at
    )  # the model's ordering
    return complaint


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def replayed(actor, key: str, body_hash: str) -> Complaint | None:
    """The complaint an earlier request with this Idempotency-Key filed, or None. Other body: Conflict."""
    existing = sql.select_one(IdempotencyKey, "user_id = %s AND key = %s", [actor.pk, key])
    if existing is None:
        return None
    if existing.request_hash != body_hash:
        raise Conflict(_("Idempotency-Key was already used with a different request body"))
    return existing.complaint


def file_complaint_idempotently(
    actor, new_complaint: NewComplaint, key: str, body_hash: str, before_storing=None
) -> tuple[Complaint, bool]:
    """File once per (user, key). Returns (complaint, created). Same key, other body: Conflict.
    `before_storing()` runs only when this request files (a rate limit must not count replays)."""
    complaint = replayed(actor, key, body_hash)
    if complaint is not None:
        return complaint, False
    if before_storing is not None:
        before_storing()
    try:
        return file_complaint(actor, new_complaint, idempotency=(key, body_hash)), True
    except IntegrityError:
        # Another request with the same key committed first: answer as the replay it is.
        complaint = replayed(actor, key, body_hash)
        if complaint is None:
            raise
        return complaint, False


def perform(
    complaint_id: int,
    actor,
    action: str,
    message: str = "",
    resolution: dict | None = None,
    at: datetime | None = None,
    details: centre.Details | None = None,
) -> Complaint:
    """Take a lifecycle action on a complaint. Locks the row, re-checks the state under the lock, writes the
    event and the deadline changes in the same transaction. Raises lifecycle errors, changing nothing.

    `details`: a centre step's fields (ground, bureau, terms, amount recovered; `centre.Details`).
    `at` backdates the action (demo data and imports of historical records); clients never set it."""
    role = actor.role if actor else lifecycle.SYSTEM
    transition = lifecycle.TRANSITIONS.get(action)
    if transition is not None and transition.needs_message and not (message or "").strip():
        raise FieldError(
            "message", _("%(action)s needs a message") % {"action": lifecycle.action_verb(action)}
        )
    if transition is not None and transition.needs_resolution and not resolution:
        raise FieldError("resolution", _("propose_resolution needs a resolution"))
    fields = centre.check(transition, details) if transition is not None else None
    now = at or timezone.now()
    with transaction.atomic():
        # Lock the complaint only (`of`): locking the joined shop row too would serialise every action on
        # the shop and deadlock with filings, whose foreign key takes a share lock on that row.
        complaint = (
            Complaint.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=complaint_id)
        )
        before = complaint.state
        deadlines_before = rollups.snapshot(complaint)
        has_account = complaint.consumer_id is not None
        stage = centre.stage_of(complaint)
        after = lifecycle.target_state(action, role, before, complaint.resume_state, has_account, stage)
        for_consumer = lifecycle.acts_for_consumer(action, role, has_account)
        if for_consumer and not (message or "").strip():
            raise FieldError(
                "message", _("say what the consumer said and how (e.g. by phone, and when): it is their step")
            )
        case = centre.prepare(complaint, transition, fields, now)
        changed = ["state", "updated_at"]
        complaint.state = after
        if after == State.AWAITING_CONSUMER:
            complaint.resume_state = State.RESPONDED if before == State.SUBMITTED else before
            changed.append("resume_state")
        elif action == lifecycle.Action.PROVIDE_INFO:
            complaint.resume_state = ""
            changed.append("resume_state")
        if action == lifecycle.Action.PROPOSE_RESOLUTION:
            complaint.resolution_type = resolution["type"]
            complaint.resolution_text = resolution.get("details", "")
            changed += ["resolution_type", "resolution_text"]
        complaint.save(update_fields=changed)
        notes = deadline_services.apply_effects(complaint, *transition.deadline_effects(role), now)
        data = {"deadlines": notes} if notes else {}
        if for_consumer:
            data["on_behalf_of_consumer"] = True
        if resolution:
            data["resolution"] = resolution
        data.update(centre.record(complaint, case, transition, fields, message or "", actor, role, now))
        event = record_event(
            complaint, actor, action, before, after, message or "", data=data, at=now, role=role
        )
        if not notices.is_history(now):
            notices.action_taken(complaint, event)
        if after in TERMINAL_STATES and before not in TERMINAL_STATES:
            ratings.invite(complaint, now)  # once, whether it ended at the shop or at the centre
        rollups.complaint_changed(complaint, before, deadlines_before)
    return complaint
