"""A deadline's rule as the reader reads it. Rules are data in English (`Deadline.rule_label`, which the API
gives as stored); the default policy's and the default centre version's labels and citations are in the
catalogue (`web.display` lists them), so their words are shown in the reader's language, and a rule the
regulator wrote keeps its own words."""

from django.utils.translation import gettext


def rule_text(label: str) -> str:
    """A stored rule label in the active language. A centre rule is stored as "label (citation)"
    (`centre.duties.rule`): its label and its citation are translated each on its own."""
    if not label:
        return ""
    whole = gettext(label)
    if whole != label:
        return whole
    opening = _last_group(label)
    if opening is None:
        return whole
    name, citation = label[:opening], label[opening + 2 : -1]
    if gettext(name) == name and gettext(citation) == citation:
        return label  # the regulator's own words, as written
    return gettext("%(label)s (%(citation)s)") % {"label": gettext(name), "citation": gettext(citation)}


def _last_group(label: str) -> int | None:
    """Where the parenthesised group that ends the label opens (at its " ("), or None: labels and citations
    may hold parentheses of their own ("within 7 working days (the centre's service standard)")."""
    if not label.endswith(")"):
        return None
    depth = 0
    for at in range(len(label) - 1, 0, -1):
        depth += {")": 1, "(": -1}.get(label[at], 0)
        if depth == 0:
            return at - 1 if label[at - 1] == " " else None
    return None
