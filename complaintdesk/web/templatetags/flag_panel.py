"""Flags for review on the officer's pages (`complaints.flags`): the panel of a complaint's page
(`web/flags/_panel.html`, which reads `complaint` and the user from the including page) and the count of open
flags on the dashboard (`web/flags/_dashboard.html`). Nothing for anyone but an officer."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaintdesk.centre.models import FlagReason
from complaintdesk.complaints import flags
from complaintdesk.web.forms.flags import ClearFlagForm

register = template.Library()


def form_prefix(flag_id: int) -> str:
    return f"flag-{flag_id}"


def _user(context):
    return context.get("user") or context["request"].user


def flag_rows(items, viewer) -> list[dict]:
    """Each flag with its reason and figures in words and the evidence the viewer may open."""
    evidence = flags.evidence_seen_by(items, viewer)
    return [
        {
            "flag": f,
            "label": flags.reason_label(f.reason),
            "summary": summary(f),
            "evidence": evidence[f.pk].complaints,
            "elsewhere": evidence[f.pk].elsewhere,
        }
        for f in items
    ]


def summary(flag) -> str:
    """What raised the flag, in a sentence."""
    d = flag.details
    if flag.reason == FlagReason.MANY_SHOPS:
        text = _(
            "%(complaints)s complaints against %(shops)s shops in %(days)s days (more than %(n)s against more "
            "than %(m)s raise a flag)."
        ) % {
            "complaints": d.get("complaints"),
            "shops": d.get("shops"),
            "days": d.get("days"),
            "n": d.get("thresholds", {}).get("complaints"),
            "m": d.get("thresholds", {}).get("shops"),
        }
        accounts = d.get("accounts", 1)
        if accounts > 1:
            text += " " + ngettext(
                "Counted over %(n)s account with the same e-mail address or phone number.",
                "Counted over %(n)s accounts with the same e-mail address or phone number.",
                accounts,
            ) % {"n": accounts}
        return text
    parts = []
    if d.get("same_order"):
        parts.append(
            _("The same order (%(order)s) at this shop as before.") % {"order": d.get("order_number")}
        )
    if d.get("same_text"):
        parts.append(_("The same description as before."))
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def flags_on_page(context):
    """For an officer on a complaint's page with flags: the rows, each open one with its clearing form. None
    otherwise."""
    user, complaint = _user(context), context.get("complaint")
    if complaint is None or not user.is_authenticated or not flags.sees_flags(user):
        return None
    items = flags.flags_of(complaint, user)
    if not items:
        return None
    rows = flag_rows(items, user)
    for row in rows:  # a form per open flag, each with its own field names and ids on the page
        row["form"] = None if row["flag"].cleared_at else ClearFlagForm(prefix=form_prefix(row["flag"].pk))
    return {"rows": rows}


@register.simple_tag(takes_context=True)
def open_flag_count(context) -> int | None:
    """The flags waiting for the officer's review (its bureau's for a district officer); None for others."""
    user = _user(context)
    if not user.is_authenticated or not flags.sees_flags(user):
        return None
    return flags.open_count(user)
