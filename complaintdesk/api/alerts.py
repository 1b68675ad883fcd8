from datetime import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import StringConstraints

from complaintdesk.accounts.models import Role
from complaintdesk.alerts import services
from complaintdesk.alerts.models import NEWEST_FIRST, Alert
from complaintdesk.api.common import Error, PageIn, PageOut, QueryText, RowId, ValidationErrorOut, paged
from complaintdesk.centre.jurisdiction import in_charge
from complaintdesk.complaints import alert_complaints
from complaintdesk.complaints.lifecycle import ActionForbidden

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: int
    kind: str
    merchant: int
    merchant_name: str
    category: str | None
    title: str
    facts: dict
    details: dict
    observed: int | None
    expected: float | None
    p_value: float | None
    window_start: datetime | None
    window_end: datetime | None
    state: str
    raised_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    note: str
    complaints: list[str]

    @staticmethod
    def resolve_merchant(alert):
        return alert.merchant_id

    @staticmethod
    def resolve_merchant_name(alert):
        return alert.merchant.name

    @staticmethod
    def resolve_title(alert):
        return alert.shown_title

    @staticmethod
    def resolve_category(alert):
        return alert.category.code if alert.category_id else None

    @staticmethod
    def resolve_complaints(alert):
        return alert.seen_references  # `shown`


class NoteIn(Schema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


def _regulator(user):
    if user.role != Role.REGULATOR:
        raise ActionForbidden(_("alerts are for regulator officers"))


def visible_alerts(user):
    """The alerts about the shops in the officer's charge (SPEC §11: a district officer's shops; every shop
    for a city-level officer). Another alert is not found (404)."""
    _regulator(user)
    return Alert.objects.filter(in_charge(user, "merchant__")).select_related("merchant", "category")


def shown(alerts: list[Alert], user) -> list[Alert]:
    """The alerts, each with the references of the complaints behind it that the officer may open, newest
    first (`seen_references`; a complaint transferred to another bureau is that bureau's): read for them
    all at once (`complaints.alert_complaints`)."""
    behind = alert_complaints.seen_references([a.pk for a in alerts], user)
    for alert in alerts:
        alert.seen_references = behind[alert.pk]
    return alerts


def _one(user, alert_id: int) -> Alert:
    return shown([get_object_or_404(visible_alerts(user), pk=alert_id)], user)[0]


class AlertPageOut(PageOut):
    items: list[AlertOut]


@router.get(
    "",
    response={200: AlertPageOut, 403: Error, 422: ValidationErrorOut},
    summary="List the alerts, the latest raised first (pages by `cursor`, as the complaint list)",
)
def list_alerts(
    request,
    paging: Query[PageIn],
    state: QueryText | None = None,
    kind: QueryText | None = None,
    merchant: RowId | None = None,
):
    alerts = visible_alerts(request.auth)
    if state:
        alerts = alerts.filter(state=state)
    if kind:
        alerts = alerts.filter(kind=kind)
    if merchant:
        alerts = alerts.filter(merchant_id=merchant)
    page = paged(alerts, NEWEST_FIRST, paging, lambda a: a)
    shown(page["items"], request.auth)
    return page


@router.get("/{int:alert_id}", response={200: AlertOut, 403: Error, 404: Error})
def alert_detail(request, alert_id: int):
    return _one(request.auth, alert_id)


@router.post("/{int:alert_id}/acknowledge", response={200: AlertOut, 403: Error, 404: Error, 409: Error})
def acknowledge(request, alert_id: int, payload: NoteIn):
    get_object_or_404(visible_alerts(request.auth), pk=alert_id)
    services.acknowledge(alert_id, request.auth, payload.note)
    return _one(request.auth, alert_id)


@router.post("/{int:alert_id}/close", response={200: AlertOut, 403: Error, 404: Error, 409: Error})
def close(request, alert_id: int, payload: NoteIn):
    get_object_or_404(visible_alerts(request.auth), pk=alert_id)
    services.close(alert_id, request.auth, payload.note)
    return _one(request.auth, alert_id)
