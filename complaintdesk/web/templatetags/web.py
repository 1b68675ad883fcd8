from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from complaintdesk.complaints import labels
from complaintdesk.deadlines.rule_words import rule_text
from complaintdesk.merchants.compliance import Requirement
from complaintdesk.web import display
from complaintdesk.web.forms.filings import FilingForm
from complaintdesk.web.forms.merchant import ServiceInfoForm

register = template.Library()


@register.filter
def category_name(category):
    return display.category_name(category)


@register.filter
def action_label(action):
    """An event's label in the timeline (complaints.labels.timeline_label)."""
    return labels.timeline_label(action)


@register.filter
def resolution_summary(resolution):
    return display.resolution_summary(resolution)


@register.filter
def centre_decision(event):
    """What a 12315 centre step decided, line by line (its ground in the law's words, terms, bureau)."""
    return display.centre_decision(event)


@register.filter
def timeline_message(event):
    return display.timeline_message(event)


@register.filter
def met_line(deadline_view):
    return display.met_line(deadline_view)


@register.simple_tag
def after_escalation():
    return display.AFTER_ESCALATION


@register.simple_tag
def open_question(complaint):
    return display.open_question(complaint)


@register.filter
def actor_label(role):
    return labels.actor_label(role)


@register.filter
def rule(label):
    """A deadline rule in the reader's language when it is one of the default policy's or centre version's."""
    return rule_text(label)


@register.filter
def state_label(state):
    return labels.state_label(state)


@register.filter
def percent(value):
    return "–" if value is None else f"{value * 100:.1f} %"


@register.filter
def minutes(value):
    """A duration in minutes as a person reads it: "45 min", "3.5 h", "2.4 d"; "–" when unknown."""
    if value is None:
        return "–"
    value = float(value)
    if value < 90:
        return _("%(n)s min") % {"n": f"{value:.0f}"}
    if value < 48 * 60:
        return _("%(n)s h") % {"n": f"{value / 60:.1f}"}
    return _("%(n)s d") % {"n": f"{value / 1440:.1f}"}


@register.filter
def field_labels(names):
    """Field names of a filing or of the service information as the forms label them, joined."""
    labels = {name: f.label for name, f in {**FilingForm.base_fields, **ServiceInfoForm.base_fields}.items()}
    labels["contacts"] = gettext("Escalation contacts")
    labels["service_hours"] = gettext("Customer-service hours")
    return ", ".join(str(labels.get(n, n)) for n in names or [])


@register.filter
def missing_reasons(state):
    """What a shop still owes (merchants.compliance), in the reader's language, the pledge with its versions."""
    words = []
    for requirement in state.missing:
        text = str(Requirement(requirement).label)
        if requirement == Requirement.PLEDGE and state.current_version:
            if state.signed_version:
                detail = gettext("version %(v)s; signed version %(s)s") % {
                    "v": state.current_version,
                    "s": state.signed_version,
                }
            else:
                detail = gettext("version %(v)s; never signed") % {"v": state.current_version}
            text = f"{text} ({detail})"
        words.append(text)
    return words


@register.filter
def confirmation(action):
    """(question, consequences, yes-button label) of a step that ends the complaint, or None."""
    return display.CONFIRMATIONS.get(action)


@register.filter
def offered_label(action, complaint):
    """An action's name on the complaint's page ("Reply to the quality problem" on a quality issue)."""
    return display.offered_label(action, complaint)


@register.simple_tag
def deadline_note(action, role, complaint):
    """Which of the complaint's deadlines the action meets, next to its button (shop and officers)."""
    return display.deadline_note(action, role, complaint)
