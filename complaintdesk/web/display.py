"""How the web shows complaints: labels for actions and roles, deadlines with their colour, the actions a
user may take now (asked of the lifecycle table, never decided here)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.models import Role
from complaintdesk.complaints import centre, lifecycle
from complaintdesk.complaints.choices import TERMINAL_STATES, Kind, ResolutionType, State
from complaintdesk.complaints.labels import ACTION_LABELS, ACTOR_LABELS
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.deadlines.models import SHOP_PHASES, ClockChange, DeadlineStatus, Phase
from complaintdesk.deadlines.services import answer_window_end, warning_text


def resolution_summary(resolution: dict) -> str:
    """A proposed resolution as one line: its type's label, then its details."""
    kind = resolution.get("type", "")
    label = str(ResolutionType(kind).label) if kind in ResolutionType.values else kind
    details = resolution.get("details", "")
    return f"{label} — {details}" if details else label


def timeline_message(event) -> str:
    """The message an event shows below its label: none where it only repeats the proposal's details."""
    resolution = (event.data or {}).get("resolution") or {}
    if event.message.strip() == (resolution.get("details") or "").strip():
        return ""
    return event.message


def centre_decision(event) -> list[str]:
    """What a centre step decided, as its timeline entry says it: the ground in the law's words, the
    agreement's terms and money, the bureau a transfer went to."""
    data = event.data or {}
    lines = []
    grounds = lifecycle.TRANSITIONS[Action.TERMINATE_MEDIATION].grounds
    if event.action == Action.REFUSE_CASE:
        grounds = lifecycle.TRANSITIONS[Action.REFUSE_CASE].grounds
    if data.get("ground") in grounds.values and event.action in _GROUNDED:
        lines.append(str(_("Ground: %(ground)s")) % {"ground": grounds(data["ground"]).label})
    if event.action == Action.RECORD_AGREEMENT:
        lines.append(str(_("Terms: %(terms)s")) % {"terms": data.get("terms", "")})
        lines.append(
            str(_("Money recovered: ¥%(amount)s")) % {"amount": data.get("amount_recovered", "0.00")}
        )
    if event.action == Action.TRANSFER and data.get("bureau"):
        bureau = centre.bureau_named(data["bureau"])
        if bureau:
            lines.append(str(_("To: %(bureau)s")) % {"bureau": bureau})
    return lines


_GROUNDED = frozenset({Action.REFUSE_CASE, Action.TERMINATE_MEDIATION, Action.SEND_TERMINATION_NOTICE})


# What the consumer is told about the 12315 centre taking over, before and after.
AFTER_ESCALATION = _(
    "The 12315 consumer-protection centre takes the complaint over: an officer reads it with its timeline "
    "and evidence, may ask you or the shop for more, and may mediate between you. The shop can still "
    "answer. You are told of every step here and by notice."
)


def open_question(complaint) -> dict | None:
    """The question a consumer waiting to answer is asked (the last request for information), who asked,
    and when the window to answer closes (deadlines.services.answer_window_end); None when none is open."""
    if complaint.state != State.AWAITING_CONSUMER:
        return None
    asked = complaint.events.filter(action=Action.REQUEST_INFO).order_by("-created_at", "-id").first()
    if asked is None:
        return None
    return {
        "question": asked.message,
        "asked_by": ACTOR_LABELS.get(asked.actor_role, asked.actor_role),
        "asked_at": asked.created_at,
        "answer_by": answer_window_end(complaint, asked.created_at),
    }


# Which actions each role sees as forms, in the order they are offered.
OFFERED = {
    Role.CONSUMER: [Action.PROVIDE_INFO, Action.ACCEPT, Action.DISPUTE, Action.ESCALATE, Action.WITHDRAW],
    Role.MERCHANT_AGENT: [Action.RESPOND, Action.REPLY, Action.REQUEST_INFO, Action.PROPOSE_RESOLUTION],
    Role.MERCHANT_COORDINATOR: [Action.RESPOND, Action.REPLY, Action.REQUEST_INFO, Action.PROPOSE_RESOLUTION],
    # The centre's decisions first (accept_case is what start_mediation was: one button for both names).
    Role.REGULATOR: [Action.ACCEPT_CASE, Action.RESUME_AFTER_TESTING, Action.SEND_TERMINATION_NOTICE,
                     Action.RECORD_AGREEMENT, Action.PAUSE_FOR_TESTING, Action.TRANSFER, Action.REFUSE_CASE,
                     Action.TERMINATE_MEDIATION, Action.REQUEST_INFO, Action.PROPOSE_RESOLUTION, Action.ESCALATE,
                     Action.CLOSE,
                     # for a consumer without an account only (lifecycle.acts_for_consumer)
                     Action.PROVIDE_INFO, Action.ACCEPT, Action.DISPUTE, Action.WITHDRAW],
}  # fmt: skip


# The steps that end a complaint (their target is a final state, per the lifecycle table): never the open,
# primary step of the page, and asked again before they are taken (final steps ask first).
FINAL_ACTIONS = frozenset(
    action for action, t in lifecycle.TRANSITIONS.items() if t.target in TERMINAL_STATES
)
# What the confirmation asks, what it says will happen, and its "yes" button.
CONFIRMATIONS = {
    Action.WITHDRAW: (
        _("Withdraw this complaint?"),
        _(
            "The complaint ends now: the shop no longer has to answer it and it cannot be reopened. "
            "To complain about this order again, you would have to file a new complaint."
        ),
        _("Yes, withdraw the complaint"),
    ),
    Action.ACCEPT: (
        _("Accept the shop's proposal?"),
        _(
            "The complaint is resolved with the proposal shown on this page. It can then no longer be "
            "disputed or taken to the 12315 centre."
        ),
        _("Yes, accept the proposal"),
    ),
    Action.CLOSE: (
        _("Close this case?"),
        _("The case is closed for good: nobody can take another step on it, and its deadlines stop."),
        _("Yes, close the case"),
    ),
    Action.REFUSE_CASE: (
        _("Not accept this complaint?"),
        _(
            "The centre will not handle the complaint: it ends now, and the consumer gets a letter with the "
            "ground and your reasons, and what they can do instead. It cannot be reopened."
        ),
        _("Yes, do not accept it"),
    ),
    Action.RECORD_AGREEMENT: (
        _("Record this agreement?"),
        _(
            "Mediation ends in the agreement with these terms and this amount: both parties get the letter of "
            "the agreement. It cannot be changed afterwards."
        ),
        _("Yes, record the agreement"),
    ),
    Action.TERMINATE_MEDIATION: (
        _("Terminate this mediation?"),
        _(
            "Mediation ends without agreement on the ground you chose: both parties get the notice of "
            "termination now. It cannot be reopened."
        ),
        _("Yes, terminate mediation"),
    ),
}

# The default policy's rules are data in English; these are their translations (SPEC §3 wording).
DEFAULT_RULE_LABELS = [
    gettext_noop("Received in working time: first response within 2 hours"),
    gettext_noop("Received outside working time: first response within 12 hours"),
    gettext_noop("Quality problem: reply within 4 working hours"),
    gettext_noop("Resolution by the end of the 7th working day after receipt"),
]
# The default centre version's rules (centre migration 0002) and the demo's version (complaints.demo_centre):
# each label and each citation on its own, as `deadlines.rule_words` translates them.
DEFAULT_CENTRE_RULE_WORDS = [
    gettext_noop("Accept or refuse within 7 working days of receipt"),
    gettext_noop("Consumer Rights Protection Law art. 46; SAMR Order No. 20 art. 14"),
    gettext_noop("Mediation ends without agreement 45 working days after acceptance"),
    gettext_noop("SAMR Order No. 20 art. 21(5); testing and appraisal time not counted (art. 20)"),
    gettext_noop("Tell both parties of a termination within 7 working days of the decision"),
    gettext_noop("SAMR Order No. 20 art. 22"),
    gettext_noop("Decide whether to open a case within 15 working days of receiving a report"),
    gettext_noop("SAMR Order No. 20 art. 31; SAMR administrative penalty procedure rules art. 18"),
    gettext_noop("Answer an enquiry within 7 working days (the centre's service standard)"),
    gettext_noop("Centre service standard (no statutory limit)"),
    gettext_noop("The consumer may rate the handling within 15 days of closing"),
    gettext_noop("Centre service standard"),
    gettext_noop("Mediation ends without agreement 60 working days after acceptance"),
    gettext_noop("SAMR Order No. 121 of 2026 (demo; article to be confirmed against the official text)"),
]

QUEUE_STATES = [State.ESCALATED, State.DISPUTED, State.IN_MEDIATION]


def available_actions(user, complaint) -> list[str]:
    """The actions the lifecycle lets this user take on this complaint now, among those offered to the role."""
    possible = []
    stage = centre.stage_of(complaint)
    for action in OFFERED.get(user.role, []):
        try:
            lifecycle.target_state(
                action, user.role, complaint.state, complaint.resume_state, complaint.consumer_id is not None,
                stage,
            )  # fmt: skip
        except (lifecycle.TransitionError, lifecycle.ActionForbidden):
            continue
        if action == Action.TRANSFER and not centre.other_bureaus(complaint).exists():
            continue  # one bureau only: nowhere to transfer to
        possible.append(action)
    if complaint.kind == Kind.QUALITY_ISSUE and Action.REPLY in possible:
        # A quality issue's reply meets its first response too: the shop's primary step.
        possible.insert(0, possible.pop(possible.index(Action.REPLY)))
    return possible


def offered_label(action: str, complaint) -> str:
    """An action's name on a complaint's page: a reply to a quality issue says what it answers."""
    if action == Action.REPLY and complaint.kind == Kind.QUALITY_ISSUE:
        return str(_("Reply to the quality problem"))
    return str(ACTION_LABELS.get(action, action))


CLOCK_NOTES = {
    ClockChange.PAUSE_RESOLUTION: _("Pauses the resolution deadline until the consumer answers."),
    ClockChange.RESUME_RESOLUTION: _("The resolution deadline runs again."),
    ClockChange.CANCEL: _("Ends the deadlines still running."),
    ClockChange.PAUSE_MEDIATION: _("Pauses the mediation period: testing and appraisal time does not count."),
    ClockChange.RESUME_MEDIATION: _("The mediation period runs again, its end moved by the time paused."),
}
# The deadline a clock change pauses, which does not run on after the step.
_PAUSES = {ClockChange.PAUSE_RESOLUTION: Phase.RESOLUTION, ClockChange.PAUSE_MEDIATION: Phase.MEDIATION}
_RESUMES = frozenset({ClockChange.RESUME_RESOLUTION, ClockChange.RESUME_MEDIATION})


def deadline_note(action: str, role: str, complaint) -> str:
    """Which of the complaint's unmet deadlines `action` meets when `role` takes it, and which keep running,
    in plain words read from the lifecycle's effects (`Transition.deadline_effects`)."""
    transition = lifecycle.TRANSITIONS.get(action)
    if transition is None:
        return ""
    met, clock = transition.deadline_effects(role)
    unmet = [d for d in complaint.deadlines.all() if d.still_applies]
    meets = [d.phase for d in unmet if d.phase in met]
    if meets:
        words = [
            ngettext("Meets the deadline: %(phases)s.", "Meets the deadlines: %(phases)s.", len(meets))
            % {"phases": _phase_list(meets)}
        ]
    else:
        words = [str(_("Meets no deadline."))]
    if clock:
        words.append(str(CLOCK_NOTES[clock]))
    if transition.starts:
        words.append(
            ngettext("Starts the duty: %(phases)s.", "Starts the duties: %(phases)s.", len(transition.starts))
            % {"phases": _phase_list(transition.starts)}
        )
    # What still runs afterwards: a paused deadline runs again only when the action resumes it.
    running = [
        d.phase
        for d in unmet
        if d.phase not in met
        and d.phase != Phase.RATING
        and clock != ClockChange.CANCEL
        and _PAUSES.get(clock) != d.phase
        and (d.status != DeadlineStatus.PAUSED or clock in _RESUMES)
    ]
    if running:
        words.append(_("Still running after it: %(phases)s.") % {"phases": _phase_list(running)})
    return " ".join(words)


def _phase_list(phases: list[str]) -> str:
    return ", ".join(str(Phase(p).label) for p in phases)


def default_action(actions: list[str]) -> str | None:
    """The step a page opens for the user: the first offered one that does not end the complaint. None when
    only final steps remain (a just-filed complaint, for its consumer): the page then says to wait."""
    return next((a for a in actions if a not in FINAL_ACTIONS), None)


def category_name(category) -> str:
    if category is None:
        return ""
    return category.name_zh if (get_language() or "").startswith("zh") else category.name_en


@dataclass
class DeadlineView:
    phase: str
    phase_label: str
    due_at: datetime
    remind_at: datetime
    rule_label: str
    status: str
    status_label: str
    met_at: datetime | None
    warning: str
    tone: str  # ok, due-soon, overdue, met, met-late, paused, done, missed

    @property
    def running(self) -> bool:
        return self.tone in ("ok", "due-soon", "overdue")

    # What a deadline's cell says (`_deadline.html`), made here rather than by the template's filters and
    # blocktranslate: a list's page has fifty of them (a third of its rendering at 10 M complaints).
    @property
    def countdown(self) -> str:
        """How long it is overdue or has left, or how it ended."""
        if self.tone == "overdue":
            return _("overdue by %(time)s") % {"time": timesince(self.due_at)}
        if self.running:
            return _("%(time)s left") % {"time": timeuntil(self.due_at)}
        if self.tone == "met":
            return str(_("Met in time"))
        return str(_("Met late")) if self.tone == "met-late" else str(self.status_label)

    @property
    def due_text(self) -> str:
        """When it is due, in the reader's time: 2026-12-06 17:30."""
        return timezone.localtime(self.due_at).strftime("%Y-%m-%d %H:%M")


def deadline_view(d, now=None) -> DeadlineView:
    now = now or timezone.now()
    if d.met_at is not None:
        tone = "met" if d.met_at <= d.due_at else "met-late"
    elif d.status == DeadlineStatus.CANCELLED:
        tone = "done"
    elif d.status == DeadlineStatus.MISSED:
        tone = "missed"
    elif d.status == DeadlineStatus.PAUSED:
        tone = "paused"
    elif now >= d.due_at:
        tone = "overdue"
    elif now >= d.remind_at:
        tone = "due-soon"
    else:
        tone = "ok"
    return DeadlineView(
        phase=d.phase,
        phase_label=Phase(d.phase).label,
        due_at=d.due_at,
        remind_at=d.remind_at,
        rule_label=d.rule_label,
        status=d.status,
        status_label=DeadlineStatus(d.status).label,
        met_at=d.met_at,
        warning=warning_text(d.warning),
        tone=tone,
    )


def met_line(d: DeadlineView) -> str:
    """How a met deadline says when it was met: the resolution was resolved (in time or late); the others
    were answered."""
    when = timezone.localtime(d.met_at).strftime("%Y-%m-%d %H:%M")
    if d.phase == Phase.RESOLUTION:
        if d.tone == "met":
            return str(_("Resolved in time %(when)s")) % {"when": when}
        return str(_("Resolved late %(when)s")) % {"when": when}
    return str(_("Answered %(when)s")) % {"when": when}


def nearest_deadline(complaint, now=None) -> DeadlineView | None:
    """The shop's running deadline due first (from the prefetched rows), or None when none runs. The
    centre's duties have their own queue (`complaints.centre_queue`); the rating window is no deadline."""
    views = [deadline_view(d, now) for d in complaint.deadlines.all() if d.phase in SHOP_PHASES]
    running = [v for v in views if v.running]
    return min(running, key=lambda v: v.due_at) if running else None


WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def service_hours_lines(hours: dict) -> list[str]:
    """{"0": [["09:00", "18:00"]], ...} as lines like "Mon–Fri 09:00–18:00", runs of equal days joined."""
    by_day = [tuple(tuple(i) for i in hours.get(str(d), [])) for d in range(7)]
    lines, day = [], 0
    while day < 7:
        end = day
        while end + 1 < 7 and by_day[end + 1] == by_day[day]:
            end += 1
        if by_day[day]:
            days = str(WEEKDAYS[day]) if end == day else f"{WEEKDAYS[day]}–{WEEKDAYS[end]}"
            lines.append(f"{days} {', '.join(f'{a}–{b}' for a, b in by_day[day])}")
        day = end + 1
    return lines
