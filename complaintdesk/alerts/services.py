"""Raising and handling alerts. Detectors (surges, mass incidents, unfiled promotions) call `raise_alert`;
the regulator acknowledges and closes."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaintdesk.alerts.models import Alert, AlertState
from complaintdesk.lib.errors import Conflict
from complaintdesk.notify import outbox, render

ALERT = gettext_noop("Alert: %(title)s")


def raise_alert(
    kind: str, merchant, episode_key: str, title: str, complaints=(), **fields
) -> tuple[Alert, bool]:
    """Raise the alert of this episode once. Returns (alert, created); a repeat only adds new complaints."""
    existing = Alert.objects.filter(kind=kind, merchant=merchant, episode_key=episode_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    kind=kind, merchant=merchant, episode_key=episode_key, title=title[:300],
                    raised_at=fields.pop("raised_at", None) or timezone.now(), **fields,
                )  # fmt: skip
                alert.complaints.add(*complaints)
                # The title in each language, from the alert's facts: every officer reads it in theirs.
                notice = render.notice(ALERT, named={"title": render.in_each_language(lambda: str(alert))})
                subject, body = render.in_language(notice)
                outbox.enqueue(
                    "alert",
                    f"alert:{alert.pk}",
                    # The officers of the bureau in charge of the shop, and the city-level ones (SPEC §11).
                    outbox.regulator_targets() + outbox.officer_targets(merchant.jurisdiction_id),
                    subject,
                    body,
                    payload={"alert": alert.pk, "kind": kind, "merchant": merchant.pk, "title": alert.title},
                    link=reverse("web:alert", args=[alert.pk]),
                    notice=notice,
                )
                return alert, True
        except IntegrityError:
            existing = Alert.objects.get(kind=kind, merchant=merchant, episode_key=episode_key)
    existing.complaints.add(*complaints)
    return existing, False


def acknowledge(alert_id: int, user, note: str = "") -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id)
        if alert.state != AlertState.OPEN:
            raise Conflict(_("cannot acknowledge an alert that is %(state)s") % {"state": alert.state})
        alert.state, alert.acknowledged_by, alert.acknowledged_at = (
            AlertState.ACKNOWLEDGED,
            user,
            timezone.now(),
        )
        alert.note = _append(alert.note, note)
        alert.save()
    return alert


def close(alert_id: int, user, note: str = "") -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id)
        if alert.state == AlertState.CLOSED:
            raise Conflict(_("the alert is closed already"))
        alert.state, alert.closed_by, alert.closed_at = AlertState.CLOSED, user, timezone.now()
        alert.note = _append(alert.note, note)
        alert.save()
    return alert


def _append(existing: str, note: str) -> str:
    note = (note or "").strip()
    return f"{existing}\n{note}".strip() if note else existing
