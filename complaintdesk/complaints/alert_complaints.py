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
from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.complaints.models import Complaint

# The alerts' links to their complaints (Django's table for the many-to-many relation).
Link = Alert.complaints.through


def seen_behind(alert_ids: list[int], viewer, related: tuple[str, ...] = ()) -> dict[int, list[Complaint]]:
    """Each of the alerts' complaints that `viewer` may open, newest first (received, then id), by alert id;
    none for anyone but an officer. `related`: the complaints' relations to load with them ("merchant")."""
    shown: dict[int, list[Complaint]] = {pk: [] for pk in alert_ids}
    if getattr(viewer, "role", None) != Role.REGULATOR or not alert_ids:
        return shown
    bureau = officer_bureau(viewer)  # None: a city-level officer, who sees every bureau's
    links = Link.objects.filter(alert_id__in=alert_ids).order_by()
    for link in links.select_related("complaint", *(f"complaint__{name}" for name in related)):
        if bureau is None or link.complaint.bureau_id == bureau:  # `in_bureau`, on the row read
            shown[link.alert_id].append(link.complaint)
    for complaints in shown.values():
        complaints.sort(key=lambda c: (c.received_at, c.pk), reverse=True)
    return shown


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
