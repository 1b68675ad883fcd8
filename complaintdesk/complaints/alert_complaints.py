"""The complaints behind alerts (`Alert.complaints`), as the alert lists and pages show them (SPEC §11): to an
officer, those it may open (a district officer: those its bureau holds, `centre.jurisdiction.in_bureau`; a
complaint of the shop transferred to another bureau is that bureau's), newest first; and how many there are.

Read by the alerts' links (an index by alert), each complaint by its primary key, for a page of alerts at
once, and the bureau compared on the rows read: a condition on the complaints' bureau in the query let
SQLite walk the bureau's complaints in their index in search of the few behind the alerts (700,000 of them
at 10 M complaints: 9 s for a page of 50 alerts). The work is the page's alerts' complaints, whatever the
bureau's size."""

from django.db.models import Count

from complaintdesk.accounts.models import Role
from complaintdesk.alerts.models import Alert
from complaintdesk.centre.jurisdiction import officer_opens
from complaintdesk.complaints.models import Complaint

# The alerts' links to their complaints (Django's table for the many-to-many relation).
Link = Alert.complaints.through


def _seen(alert_ids: list[int], viewer) -> dict[int, list[tuple]]:
    """Each alert's complaints that `viewer` may open as (id, reference), newest first (received, then id),
    by alert id, from one read of plain values (a page of 50 alerts has a thousand complaints behind it: as
    objects, 0.1 s of Python); none for anyone but an officer."""
    seen: dict[int, list[tuple]] = {pk: [] for pk in alert_ids}
    if getattr(viewer, "role", None) != Role.REGULATOR or not alert_ids:
        return seen
    links = Link.objects.filter(alert_id__in=alert_ids).order_by()
    rows = links.values_list(
        "complaint__received_at", "complaint_id", "alert_id", "complaint__bureau_id", "complaint__reference"
    )
    for _received, pk, alert, held_by, reference in sorted(rows, key=lambda r: r[:2], reverse=True):
        if officer_opens(viewer, held_by):
            seen[alert].append((pk, reference))
    return seen


def seen_references(alert_ids: list[int], viewer) -> dict[int, list[str]]:
    """The references of each alert's complaints that `viewer` may open, newest first, by alert id."""
    return {alert: [reference for _, reference in rows] for alert, rows in _seen(alert_ids, viewer).items()}


def seen_complaints(alert_id: int, viewer, related: tuple[str, ...] = ()) -> list[Complaint]:
    """The alert's complaints that `viewer` may open, newest first, each loaded by its primary key with its
    `related` relations ("merchant")."""
    ids = [pk for pk, _ in _seen([alert_id], viewer)[alert_id]]
    loaded = Complaint.objects.select_related(*related).in_bulk(ids)
    return [loaded[pk] for pk in ids if pk in loaded]


def counts(alert_ids: list[int]) -> dict[int, int]:
    """How many complaints are behind each of the alerts (every one, whichever bureau holds it), by alert id,
    counted in the links' index."""
    found = dict(
        Link.objects.filter(alert_id__in=alert_ids)
        .order_by()
        .values_list("alert_id")
        .annotate(n=Count("complaint_id"))
        .values_list("alert_id", "n")
    )
    return {pk: found.get(pk, 0) for pk in alert_ids}
