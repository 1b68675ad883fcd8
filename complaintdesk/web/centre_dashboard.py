"""The dashboard's "Centre" section: the 12315 centre's figures of the period (`stats.centre`, read from its
rollups), labelled in the reader's language with the names its download gives them (`centre.rows`), and
what its charts draw (centre.js). A district officer's are its bureau's; a city-level officer's every
bureau's, with each bureau's beside the others (`stats.bureaus`)."""

from django.utils.formats import localize
from django.utils.translation import gettext as _

from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.deadlines.models import Phase
from complaintdesk.stats import bureaus as by_bureau
from complaintdesk.stats import centre
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.periods import Period
from complaintdesk.web.templatetags.web import percent

# Where complaints at the centre stand, in the order a complaint goes (figures' keys).
DECISIONS = ("pending", "in_mediation", "agreed", "terminated", "refused", "closed")


def section(period: Period, bureau: int = ALL_BUREAUS, side_by_side=()) -> dict:
    """The figures of `bureau` (ALL_BUREAUS: every bureau's together), and those of each of the bureaus
    `side_by_side` (Bureau rows) compared, when there are several."""
    f, each = by_bureau.centre_and_bureaus(period, bureau, side_by_side if len(side_by_side) > 1 else ())
    label = {r.code: r.label for r in centre.rows(f)}
    return {
        "figures": f,
        "bureaus": [{"id": b["bureau"], "name": b["name"]} for b in each],
        "by_bureau": [
            {
                **r,
                "shown": [shown(v, r["unit"]) for v in r["values"]],
                "shown_total": shown(r["total"], r["unit"]),
            }
            for r in (by_bureau.compared(f, each) if each else [])
        ],
        "received": [
            {"key": k, "label": label[f"received.{k}"], "count": f["received"][k]} for k in centre.KINDS
        ],
        "channels": [
            {
                "key": f"{r['kind']}.{r['via']}.{r['channel']}",
                "label": centre.channel_label(r["kind"], r["via"], r["channel"]),
                "count": r["count"],
            }
            for r in f["received_by_channel"]
        ],  # fmt: skip
        "decisions": [{"key": k, "label": label[k], "count": f[k]} for k in DECISIONS],
        "refused": _grounds(RefusalGround, f["refused_by_ground"]),
        "terminated": _grounds(TerminationGround, f["terminated_by_ground"]),
        "duties": [{"phase": p, "label": str(Phase(p).label), **f["duties"][p]} for p in centre.DUTIES],
        "working_days": [
            {"key": code, "label": name, **spread} for code, name, spread in centre.working_day_spans(f)
        ],
        "satisfaction": [{"score": s, "count": n} for s, n in f["satisfaction"]["distribution"].items()],
    }


def shown(value, unit: str) -> str:
    """A figure of the bureaus' table as the reader sees it (a share in per cent, yuan with its sign, "–" when
    there is none), made here: the table has a cell per figure and bureau, too many for a template each."""
    if value is None:
        return "–"
    if unit == "share":
        return percent(value)
    if unit == "yuan":
        return _("¥%(amount)s") % {"amount": localize(value)}
    return localize(value)


def _grounds(grounds, counts: dict[str, int]) -> list[dict]:
    return [{"key": str(g), "label": str(name), "count": counts[str(g)]} for g, name in grounds.choices]


def chart_data(s: dict) -> dict:
    """What centre.js draws, every label in the reader's language. A ground's bar is named by its number
    ("(5)"); its tooltip (`titles`) and the table give the ground in words."""
    return {
        # A bar's name on its lines (kind, way to the centre, channel): a long name in one line would be cut.
        "channels": {
            "label": _("Matters"),
            "labels": [r["label"].split(" · ") for r in s["channels"]],
            "titles": [r["label"] for r in s["channels"]],
            "data": [r["count"] for r in s["channels"]],
        },
        "decisions": {
            "labels": [r["label"] for r in s["decisions"]],
            "data": [r["count"] for r in s["decisions"]],
        },
        **{
            name: {
                "label": _("Complaints"),
                "labels": [f"({r['key']})" for r in s[name]],
                "titles": [r["label"] for r in s[name]],
                "data": [r["count"] for r in s[name]],
            }
            for name in ("refused", "terminated")
        },
        "duties": {
            "labels": [r["label"] for r in s["duties"]],
            "series": [
                {"key": key, "label": name, "data": [r[key] for r in s["duties"]]}
                for key, name in [
                    ("met_in_time", _("Met in time")),
                    ("met_late", _("Met late")),
                    ("missed", _("Missed")),
                    ("running", _("Running")),
                ]
            ],
        },
        "satisfaction": {
            "label": _("Ratings"),
            "labels": [str(r["score"]) for r in s["satisfaction"]],
            "data": [r["count"] for r in s["satisfaction"]],
        },
    }
