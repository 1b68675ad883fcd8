"""The 12315 centre's figures of a period (SPEC §10 "What a centre reports"; `GET /api/v1/stats/centre`), read
from the centre's rollups (`centre_rollups.py`): a few rows per day and bureau, whatever the number of
complaints.

The period is a cohort, as the shops' figures are: the matters the centre received in it (a complaint from
the day it reached the centre, by escalation or filed with it), and what has become of them so far —
accepted, refused, agreed, terminated, the money recovered, each duty met in time or not, the working days
to acceptance and to closing, the consumers' ratings. A complaint transferred to another bureau counts at
the bureau that has it; transfers count on the day they were made, out of one bureau and into the other.
Who may ask is the API's and the web's business (regulator officers), not this module's.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.centre.models import (
    FlagReason,
    MatterChannel,
    MatterKind,
    MatterState,
    Outcome,
    Via,
)
from complaintdesk.complaints import flags
from complaintdesk.complaints.choices import Channel
from complaintdesk.deadlines.models import CENTRE_PHASES, Deadline, DeadlineStatus, Phase
from complaintdesk.lib.literal import literal
from complaintdesk.stats import buckets, centre_rollups, periods
from complaintdesk.stats.models import (
    ALL_BUREAUS,
    CentreCount,
    CentreDutyCount,
    CentreDutyMonthCount,
    CentreMonthCount,
    CentreTransferCount,
    CentreValueCount,
    CentreValueMonthCount,
)
from complaintdesk.stats.periods import Period
from complaintdesk.stats.queries import outcome, period_dict, ratio

COMPLAINT = centre_rollups.COMPLAINT
KINDS = (COMPLAINT, MatterKind.REPORT.value, MatterKind.ENQUIRY.value)
# The centre's duties in the order a matter meets them (`deadlines.models.CENTRE_PHASES`).
DUTIES = tuple(phase.value for phase in Phase if phase in CENTRE_PHASES)
SCORES = range(1, 6)
# The condition of the partial index `deadline_centre_to_do` (the centre's duties not met yet), in literal
# terms: SQLite matches a partial index only on them.
_TO_DO = literal(Q(phase__in=sorted(CENTRE_PHASES), met_at__isnull=True))


# The centre's tables kept by calendar month too (models.py, `rollups.BY_MONTH`).
BY_MONTH = {
    CentreCount: CentreMonthCount,
    CentreDutyCount: CentreDutyMonthCount,
    CentreValueCount: CentreValueMonthCount,
}


def _between(model, period: Period, bureaus: list[int]) -> list:
    """The rows of `bureaus` in the period, as querysets to read one after the other (a key may come in
    several: add them up): the months the period covers whole from the table's monthly twin (`BY_MONTH`),
    the days of the months it covers partly from the daily table; a year is ~12 rows a key, not 365."""
    whole = periods.whole_months(period)
    if whole is None or model not in BY_MONTH:
        return [
            model.objects.filter(bureau__in=bureaus, day__gte=period.start, day__lte=period.end).order_by()
        ]
    first, last = whole
    after = periods.next_month(last)
    parts = [BY_MONTH[model].objects.filter(bureau__in=bureaus, day__gte=first, day__lte=last).order_by()]
    if period.start < first or after <= period.end:
        days = Q(day__gte=period.start, day__lt=first) | Q(day__gte=after, day__lte=period.end)
        parts.append(model.objects.filter(days, bureau__in=bureaus).order_by())
    return parts


def figures(period: Period, bureau: int = ALL_BUREAUS, now=None) -> dict:
    """Everything the centre reports for the period, of one bureau or of every bureau (ALL_BUREAUS)."""
    return figures_of(period, [bureau], now)[bureau]


def figures_of(period: Period, bureaus: list[int], now=None) -> dict[int, dict]:
    """`figures` of each of `bureaus` (ALL_BUREAUS among them for every bureau's together), from the same
    few queries however many bureaus there are: each reads the rollups' rows of the period grouped by bureau,
    the running duties from their index, the period's flags."""
    now = now or timezone.now()
    ids = list(dict.fromkeys(bureaus))
    counts = defaultdict(list)  # `_matters` adds up a key's rows
    for part in _between(CentreCount, period, ids):
        for r in part.values("bureau", "kind", "via", "channel", "state", "ground").annotate(
            n=Sum("n"), accepted=Sum("accepted"), amount_fen=Sum("amount_fen")
        ):
            counts[r["bureau"]].append(r)
    values = {bureau: defaultdict(lambda: defaultdict(int)) for bureau in ids}
    for part in _between(CentreValueCount, period, ids):
        for r in part.values("bureau", "measure", "value").annotate(n=Sum("n")):
            values[r["bureau"]][r["measure"]][r["value"]] += r["n"]
    transfers = _transfers(period, ids)
    duties = _duties(period, ids, now)
    flagged = flags.figures_of(*period.instants(), [bureau or None for bureau in ids])
    return {
        bureau: {
            "period": period_dict(period),
            "bureau": bureau or None,
            **_matters(counts[bureau]),
            **transfers[bureau],
            "duties": duties[bureau],
            "working_days": _working_days(values[bureau]),
            "satisfaction": _satisfaction(values[bureau].get(centre_rollups.RATING, {})),
            "flags": flagged[bureau or None],
        }
        for bureau in ids
    }


def _matters(counts: list[dict]) -> dict:
    received = dict.fromkeys(KINDS, 0)
    by_channel = defaultdict(int)
    by_via = defaultdict(int)
    states = {kind: defaultdict(int) for kind in KINDS}
    refused_by_ground = {str(g): 0 for g in RefusalGround.values}
    terminated_by_ground = {str(g): 0 for g in TerminationGround.values}
    accepted = amount_fen = 0
    for r in counts:
        kind, n = r["kind"], r["n"]
        if not n or kind not in received:
            continue
        received[kind] += n
        by_channel[(kind, r["via"], r["channel"])] += n
        states[kind][r["state"]] += n
        if kind == COMPLAINT:
            by_via[r["via"]] += n
            accepted += r["accepted"]
            amount_fen += r["amount_fen"]
            if r["state"] == Outcome.REFUSED:
                refused_by_ground[str(r["ground"])] = refused_by_ground.get(str(r["ground"]), 0) + n
            elif r["state"] == Outcome.TERMINATED:
                terminated_by_ground[str(r["ground"])] = terminated_by_ground.get(str(r["ground"]), 0) + n
    complaints = states[COMPLAINT]
    refused, agreed, terminated = (
        complaints[s] for s in (Outcome.REFUSED, Outcome.AGREED, Outcome.TERMINATED)
    )
    reports, enquiries = states[MatterKind.REPORT], states[MatterKind.ENQUIRY]
    return {
        "received": {**received, "total": sum(received.values())},
        "received_by_channel": [
            {"kind": kind, "via": via, "channel": channel, "count": n}
            for (kind, via, channel), n in sorted(
                by_channel.items(), key=lambda item: (KINDS.index(item[0][0]), -item[1], item[0])
            )
        ],
        "complaints_by_via": dict(sorted(by_via.items())),
        "pending": complaints[centre_rollups.PENDING],
        "accepted": accepted,
        "refused": refused,
        "refused_by_ground": refused_by_ground,
        "acceptance_rate": ratio(accepted, accepted + refused),
        "in_mediation": complaints[centre_rollups.ACCEPTED],
        "agreed": agreed,
        "terminated": terminated,
        "terminated_by_ground": terminated_by_ground,
        "closed": complaints[Outcome.CLOSED],
        "mediation_success_rate": ratio(agreed, agreed + terminated),
        "amount_recovered": (Decimal(amount_fen) / 100).quantize(Decimal("0.01")),
        "reports": {
            "pending": reports[centre_rollups.PENDING],
            "case_opened": reports[MatterState.CASE_OPENED],
            "no_case": reports[MatterState.NO_CASE],
        },
        "enquiries": {
            "pending": enquiries[centre_rollups.PENDING],
            "answered": enquiries[MatterState.ANSWERED],
        },
    }


def _transfers(period: Period, bureaus: list[int]) -> dict[int, dict[str, int]]:
    """Transfers made in the period (by their own day, not the matters'): into each bureau from another and
    out of it to another; of every bureau, each transfer once in and once out."""
    moved = defaultdict(int)
    for part in _between(CentreTransferCount, period, bureaus):
        for r in part.values("bureau", "direction").annotate(n=Sum("n")):
            moved[(r["bureau"], r["direction"])] += r["n"]
    return {
        bureau: {
            "transfers_in": moved.get((bureau, centre_rollups.IN), 0),
            "transfers_out": moved.get((bureau, centre_rollups.OUT), 0),
        }
        for bureau in bureaus
    }


def _duties(period: Period, bureaus: list[int], now) -> dict[int, dict[str, dict]]:
    """Each duty's outcomes of each bureau (as the shops' deadline compliance: met in time, met late, missed,
    running, cancelled, share in time), running ones counted live from the deadlines not yet due."""
    counters = ("total", "met_in_time", "met_late", "cancelled", "paused")
    rows = defaultdict(lambda: dict.fromkeys(counters, 0))
    for part in _between(CentreDutyCount, period, bureaus):
        for r in part.values("bureau", "phase").annotate(**{c: Sum(c) for c in counters}):
            for c in counters:
                rows[(r["bureau"], r["phase"])][c] += r[c]
    running = _running(period, now)
    out = {}
    for bureau in bureaus:
        out[bureau] = {}
        for phase in DUTIES:
            r = rows[(bureau, phase)]
            out[bureau][phase] = outcome(
                r["total"],
                r["met_in_time"],
                r["met_late"],
                r["cancelled"],
                r["paused"] + running[bureau][phase],
            )
    return out


def _running(period: Period, now) -> dict[int, dict[str, int]]:
    """Duties open and not yet due of the period's matters, by bureau (ALL_BUREAUS: of every bureau) and
    duty: one query from the index of the centre's duties to do (`deadline_centre_to_do`, due from now on),
    each joined to its matter (a complaint's centre case, or a report or enquiry) received in the period.
    Its rows are the duties running now, however long the centre's history."""
    start, end = period.instants()
    case = "complaint__centre_case__"
    received = Q(**{f"{case}received_at__gte": start, f"{case}received_at__lt": end}) | Q(
        matter__received_at__gte=start, matter__received_at__lt=end
    )
    rows = (
        Deadline.objects.filter(_TO_DO, status=DeadlineStatus.OPEN, due_at__gte=now)
        .filter(received)
        .values("phase", f"{case}bureau_id", "matter__bureau_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = defaultdict(lambda: dict.fromkeys(DUTIES, 0))
    for r in rows:
        bureau = r[f"{case}bureau_id"] or r["matter__bureau_id"]
        counts[bureau][r["phase"]] += r["n"]
        counts[ALL_BUREAUS][r["phase"]] += r["n"]
    return counts


def _spread(histogram: dict[int, int]) -> dict:
    return {
        "count": sum(histogram.values()),
        "median": buckets.percentile(histogram, 0.5),
        "p90": buckets.percentile(histogram, 0.9),
    }


def _working_days(values: dict[str, dict[int, int]]) -> dict:
    """Median and 90th percentile (nearest rank) of the working days to acceptance and to closing."""
    by_kind = {kind: values.get(centre_rollups.to_closing(kind), {}) for kind in KINDS}
    closing = defaultdict(int)
    for histogram in by_kind.values():
        for days, n in histogram.items():
            closing[days] += n
    return {
        "to_acceptance": _spread(values.get(centre_rollups.TO_ACCEPTANCE, {})),
        "to_closing": _spread(closing),
        "to_closing_by_kind": {kind: _spread(histogram) for kind, histogram in by_kind.items()},
    }


def _satisfaction(scores: dict[int, int]) -> dict:
    count = sum(scores.values())
    total = sum(score * n for score, n in scores.items())
    return {
        "count": count,
        "average": round(total / count, 2) if count else None,
        "distribution": {str(score): scores.get(score, 0) for score in SCORES},
    }


# ------------------------------------------------------------------------------------------- as rows

KIND_LABELS = {
    COMPLAINT: gettext_lazy("Complaints"),
    MatterKind.REPORT: gettext_lazy("Reports"),
    MatterKind.ENQUIRY: gettext_lazy("Enquiries"),
}
CHANNEL_LABELS = {COMPLAINT: dict(Channel.choices)} | {
    kind: dict(MatterChannel.choices) for kind in KINDS[1:]
}


def channel_label(kind: str, via: str, channel: str) -> str:
    """A channel row's name in the active language, e.g. "Complaints · Escalated from the shop · Web"."""
    parts = [KIND_LABELS.get(kind, kind), dict(Via.choices).get(via, via) if via else "",
             CHANNEL_LABELS.get(kind, {}).get(channel, channel)]  # fmt: skip
    return " · ".join(str(p) for p in parts if p)


@dataclass(frozen=True)
class Row:
    """One figure: its section and name in the active language, its stable code (for programs), its value,
    and what the value is (count, share 0–1, yuan, working days, score)."""

    section: str
    label: str
    code: str
    value: object
    unit: str = "count"


def working_day_spans(f: dict) -> list[tuple[str, str, dict]]:
    """(code, label, {count, median, p90}) of each span of working days the centre reports."""
    days = f["working_days"]
    spans = [("to_acceptance", _("To acceptance"), days["to_acceptance"]),
             ("to_closing", _("To closing"), days["to_closing"])]  # fmt: skip
    for kind, spread in days["to_closing_by_kind"].items():
        spans.append(
            (f"to_closing_by_kind.{kind}", _("To closing: %(kind)s") % {"kind": KIND_LABELS[kind]}, spread)
        )
    return spans


def rows(f: dict) -> list[Row]:
    """Every figure of `figures` as a labelled row, in the order the dashboard shows them: what the centre's
    download holds, and the dashboard's tables."""
    out = []

    def add(section, label, code, value, unit="count"):
        out.append(Row(str(section), str(label), code, value, unit))

    section = _("Matters received")
    for kind in KINDS:
        add(section, KIND_LABELS[kind], f"received.{kind}", f["received"][kind])
    add(section, _("All matters"), "received.total", f["received"]["total"])
    section = _("By how they reached the centre and channel")
    for r in f["received_by_channel"]:
        code = ".".join(p for p in ("received_by_channel", r["kind"], r["via"], r["channel"]) if p)
        add(section, channel_label(r["kind"], r["via"], r["channel"]), code, r["count"])
    section = _("Decisions on complaints")
    for code, label, unit in [
        ("pending", _("Awaiting the decision to accept"), "count"),
        ("accepted", _("Accepted"), "count"),
        ("refused", _("Not accepted"), "count"),
        ("acceptance_rate", _("Acceptance rate (accepted ÷ decided)"), "share"),
        ("in_mediation", _("In mediation"), "count"),
        ("agreed", _("Mediation agreements"), "count"),
        ("terminated", _("Mediations terminated"), "count"),
        ("closed", _("Closed otherwise"), "count"),
        ("mediation_success_rate", _("Mediation success rate (agreements ÷ mediations ended)"), "share"),
        ("amount_recovered", _("Money recovered for consumers"), "yuan"),
    ]:
        add(section, label, code, f[code], unit)
    section = _("Not accepted, by ground")
    for ground, label in RefusalGround.choices:
        add(section, label, f"refused_by_ground.{ground}", f["refused_by_ground"][str(ground)])
    section = _("Mediation terminated, by ground")
    for ground, label in TerminationGround.choices:
        add(section, label, f"terminated_by_ground.{ground}", f["terminated_by_ground"][str(ground)])
    section = _("Transfers between bureaus")
    add(section, _("Transferred in from another bureau"), "transfers_in", f["transfers_in"])
    add(section, _("Transferred out to another bureau"), "transfers_out", f["transfers_out"])
    section = _("Reports and enquiries")
    add(section, _("Reports awaiting a decision"), "reports.pending", f["reports"]["pending"])
    add(section, _("Reports: case opened"), "reports.case_opened", f["reports"]["case_opened"])
    add(section, _("Reports: no case opened"), "reports.no_case", f["reports"]["no_case"])
    add(section, _("Enquiries awaiting an answer"), "enquiries.pending", f["enquiries"]["pending"])
    add(section, _("Enquiries answered"), "enquiries.answered", f["enquiries"]["answered"])
    section = _("Duties met in time")
    outcomes = [
        ("share_in_time", _("share met in time"), "share"),
        ("met_in_time", _("met in time"), "count"),
        ("met_late", _("met late"), "count"),
        ("missed", _("missed"), "count"),
        ("running", _("running"), "count"),
        ("cancelled", _("no longer applies"), "count"),
    ]
    for phase in DUTIES:
        for key, label, unit in outcomes:
            name = _("%(duty)s: %(figure)s") % {"duty": Phase(phase).label, "figure": label}
            add(section, name, f"duties.{phase}.{key}", f["duties"][phase][key], unit)
    section = _("Working days")
    for code, label, spread in working_day_spans(f):
        add(
            section,
            _("%(span)s, median") % {"span": label},
            f"working_days.{code}.median",
            spread["median"],
            "days",
        )
        add(
            section,
            _("%(span)s, 90th percentile") % {"span": label},
            f"working_days.{code}.p90",
            spread["p90"],
            "days",
        )
        add(
            section,
            _("%(span)s, matters counted") % {"span": label},
            f"working_days.{code}.count",
            spread["count"],
        )
    section = _("Satisfaction")
    add(section, _("Ratings"), "satisfaction.count", f["satisfaction"]["count"])
    add(section, _("Average score (1–5)"), "satisfaction.average", f["satisfaction"]["average"], "score")
    for score, n in f["satisfaction"]["distribution"].items():
        add(section, _("Rated %(score)s") % {"score": score}, f"satisfaction.distribution.{score}", n)
    section = _("Flags for review")
    add(section, _("Flags raised"), "flags.raised", f["flags"]["raised"])
    for reason, label in FlagReason.choices:
        add(section, _("Flags raised: %(reason)s") % {"reason": label}, f"flags.raised_by_reason.{reason}",
            f["flags"]["raised_by_reason"][reason])  # fmt: skip
    add(section, _("Flags cleared"), "flags.cleared", f["flags"]["cleared"])
    return out
