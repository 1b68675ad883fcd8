"""An alert's title in the reader's language, rendered when it is shown from the facts stored with it.

Detectors store what they saw as data (`Alert.facts`: shop, category code, count, expected count, window,
probability, product…), so the console, the API and the notices can say it in the reader's language, with
the category's label instead of its code and plain words instead of raw probabilities. An alert without
facts (raised before they were stored, and not recoverable from its fields) shows its stored title.

Facts by kind (every key optional except `shop`):
- surge, surge_category: observed, expected, p_value, window_start, window_end (ISO), category (a code);
- mass_incident: pattern (product, text, amount, order_pattern), value (the product or the order prefix),
  amount and category (the amount group), observed, window_hours;
- unfiled_promotion: source (named, sale_surge), promotion (its name as complaints or the sale period give
  it), observed; a sale surge also expected, p_value, window_start, window_end.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Beyond this, "about 1 in N" stops meaning anything to a reader: say "less than 1 in a trillion".
LARGEST_ODDS = 10**12
# Below this chance a rise is "far above normal"; detectors alert from about 1 in 1,000.
FAR_ABOVE = 1e-6


def render(kind: str, facts: dict, category_label: str = "") -> str:
    """The title of an alert of `kind` with these facts, in the active language ('' when the facts are
    not enough: the caller shows the stored title). `category_label` is the category's name in the
    reader's language (the alert's category, or the category of an amount group)."""
    shop = facts.get("shop")
    if not shop:
        return ""
    if kind in ("surge", "surge_category"):
        return _surge(shop, facts, category_label)
    if kind == "mass_incident":
        return _mass_incident(shop, facts, category_label)
    if kind == "unfiled_promotion":
        return _unfiled(shop, facts)
    return ""


def chance(p_value: float | None) -> str:
    """Plain words for how improbable the count is by chance: 'far above normal (a chance of about 1 in
    10,000,000)'. Odds are rounded to two significant digits and grouped by thousands, never written in
    scientific notation; anything rarer than 1 in a trillion is said as such."""
    if p_value is None:
        return ""
    level = _("far above normal") if p_value < FAR_ABOVE else _("well above normal")
    if p_value <= 0 or 1 / p_value >= LARGEST_ODDS:
        odds = _("a chance of less than 1 in %(odds)s") % {"odds": group(LARGEST_ODDS)}
    else:
        odds = _("a chance of about 1 in %(odds)s") % {"odds": group(round_odds(1 / p_value))}
    return _("%(level)s (%(odds)s)") % {"level": level, "odds": odds}


def expected_words(expected: float | None) -> str:
    """'fewer than 1 expected', 'about 3 expected': a reader need not weigh 0.05 against 0.1."""
    if expected is None:
        return ""
    if expected < 1:
        return _("fewer than 1 expected")
    return _("about %(count)s expected") % {"count": group(round(expected))}


def expected_count(expected: float | None) -> str:
    """'fewer than 1', 'about 3': the expected count on its own, under an 'Expected' label."""
    if expected is None:
        return ""
    if expected < 1:
        return _("fewer than 1")
    return _("about %(count)s") % {"count": group(round(expected))}


def round_odds(odds: float) -> int:
    """Two significant digits: 2,041,877 → 2,000,000; 13,456 → 13,000; 7.4 → 7."""
    whole = max(1, round(odds))
    digits = len(str(whole))
    if digits <= 2:
        return whole
    scale = 10 ** (digits - 2)
    return round(whole / scale) * scale


def group(number: int) -> str:
    """Thousands grouped with commas in every language (the Chinese locale groups nothing)."""
    return f"{number:,}"


def _when(facts: dict) -> str:
    start, end = _moment(facts.get("window_start")), _moment(facts.get("window_end"))
    if start is None:
        return ""
    if end is None:
        return _("from %(start)s") % {"start": f"{start:%Y-%m-%d %H:%M}"}
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return _("from %(start)s to %(end)s") % {"start": f"{start:%Y-%m-%d %H:%M}", "end": end_text}


def _moment(value) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _tail(facts: dict) -> str:
    """', fewer than 1 expected — far above normal (…)', as much of it as the facts hold."""
    parts = [p for p in (expected_words(facts.get("expected")), chance(facts.get("p_value"))) if p]
    return "".join(_(", %(part)s") % {"part": p} for p in parts)


def _surge(shop: str, facts: dict, category_label: str) -> str:
    count = facts.get("observed") or 0
    values = {"shop": shop, "count": count, "when": _when(facts), "category": category_label}
    if category_label:
        text = ngettext(
            "Surge at %(shop)s: %(count)s “%(category)s” complaint %(when)s",
            "Surge at %(shop)s: %(count)s “%(category)s” complaints %(when)s",
            count,
        )
    else:
        text = ngettext(
            "Surge at %(shop)s: %(count)s complaint %(when)s",
            "Surge at %(shop)s: %(count)s complaints %(when)s",
            count,
        )
    return (text % values).strip() + _tail(facts)


def _mass_incident(shop: str, facts: dict, category_label: str) -> str:
    pattern = facts.get("pattern")
    value = facts.get("value") or ""
    if pattern == "product":
        what = _("about the same product “%(product)s”") % {"product": value}
    elif pattern == "text":
        what = _("with nearly the same text")
    elif pattern == "amount":
        what = _("of the same amount (¥%(amount)s) in “%(category)s”") % {
            "amount": facts.get("amount") or "",
            "category": category_label or facts.get("category") or "",
        }
    elif pattern == "order_pattern":
        what = _("with order numbers beginning “%(prefix)s”") % {"prefix": value}
    else:
        return ""
    count = facts.get("observed") or 0
    hours = facts.get("window_hours")
    if hours:
        text = ngettext(
            "Mass-incident risk at %(shop)s: %(count)s complaint %(what)s within %(hours)s hours",
            "Mass-incident risk at %(shop)s: %(count)s complaints %(what)s within %(hours)s hours",
            count,
        )
    else:
        text = ngettext(
            "Mass-incident risk at %(shop)s: %(count)s complaint %(what)s",
            "Mass-incident risk at %(shop)s: %(count)s complaints %(what)s",
            count,
        )
    return text % {"shop": shop, "count": count, "what": what, "hours": hours}


def _unfiled(shop: str, facts: dict) -> str:
    promotion = facts.get("promotion") or ""
    count = facts.get("observed") or 0
    if facts.get("source") == "named":
        text = ngettext(
            "%(shop)s: %(count)s complaint names the promotion “%(promotion)s”, which the shop never filed",
            "%(shop)s: %(count)s complaints name the promotion “%(promotion)s”, which the shop never filed",
            count,
        )
        return text % {"shop": shop, "count": count, "promotion": promotion}
    if facts.get("source") == "sale_surge":
        text = ngettext(
            "%(shop)s: %(count)s complaint during %(promotion)s without a promotion filing",
            "%(shop)s: %(count)s complaints during %(promotion)s without a promotion filing",
            count,
        )
        return text % {"shop": shop, "count": count, "promotion": promotion} + _tail(facts)
    return ""
