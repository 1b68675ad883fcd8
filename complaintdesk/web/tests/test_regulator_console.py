"""The regulator console: dashboard, escalations, mediation and closing, alerts, scorecards."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from complaintdesk.alerts.models import AlertKind, AlertState
from complaintdesk.alerts.services import raise_alert
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories


@pytest.mark.django_db
def test_the_dashboard_counts_and_carries_chart_data(people, browser_of):
    factories.complaint(people.alice, people.acme, category="quality")
    factories.complaint(people.erin, people.bazaar, "escalated")
    page = browser_of(people.rita).get(reverse("web:dashboard")).content.decode()
    assert "vendor/chart.umd.min.js" in page and "web/dashboard.js" in page
    data = json.loads(
        page.split('<script id="dashboard-data" type="application/json">', 1)[1].split("</script>")[0]
    )
    month = timezone.localdate().month
    assert data["monthly"]["this_year"]["data"][month - 1] == 2
    assert sum(data["by_category"]["data"]) == 2
    assert data["sector"]["data"] == [2, 0]
    assert {s["key"] for s in data["compliance"]["series"]} == {"in_time", "late", "missed", "running"}
    assert sorted(data["top_shops"]["labels"]) == ["Acme Online", "Bazaar Mall"]
    assert "Deadline policies and rules" in page and "/admin/deadlines/calendaroverride/" in page


@pytest.mark.django_db
def test_the_dashboard_warns_when_next_years_statutory_calendar_is_missing(people, browser_of):
    url = reverse("web:dashboard")
    # chinesecalendar 1.11 covers 2004–2026: in 2025 both years are known, in late 2026 the next is not.
    with time_machine.travel("2025-06-02 10:00 +0800", tick=False):
        assert 'id="calendar-warnings"' not in browser_of(people.rita).get(url).content.decode()
    with time_machine.travel("2026-11-28 10:00 +0800", tick=False):
        page = browser_of(people.rita).get(url).content.decode()
    assert 'id="calendar-warnings"' in page
    assert "2027: no statutory calendar covers this year yet" in page


@pytest.mark.django_db
def test_the_escalation_queue_holds_escalated_disputed_and_mediated(people, browser_of):
    shown = [
        factories.complaint(people.alice, people.acme, state)
        for state in ("escalated", "disputed", "in_mediation")
    ]
    hidden = factories.complaint(people.alice, people.acme, "responded")
    page = browser_of(people.rita).get(reverse("web:escalations")).content.decode()
    assert all(c.reference in page for c in shown)
    assert hidden.reference not in page


@pytest.mark.django_db
def test_the_regulator_mediates_and_closes(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "escalated")
    client = browser_of(people.rita)
    page = client.get(reverse("web:complaint", args=[c.pk])).content.decode()
    # Mediation starts when the centre accepts the complaint (start_mediation's old name still works).
    assert 'id="action-accept_case"' in page and 'id="action-close"' in page
    assert 'id="action-start_mediation"' not in page
    client.post(reverse("web:act", args=[c.pk, "accept_case"]), {"accept_case-message": "Mediating."})
    c.refresh_from_db()
    assert c.state == "in_mediation"
    client.post(
        reverse("web:act", args=[c.pk, "propose_resolution"]),
        {
            "propose_resolution-message": "Refund plus shipping.",
            "propose_resolution-resolution_type": "refund",
        },
    )
    c.refresh_from_db()
    assert c.state == "resolution_proposed"
    factories.Complaint.objects.filter(pk=c.pk).update(state="in_mediation")
    client.post(
        reverse("web:act", args=[c.pk, "close"]), {"close-message": "Agreed in mediation.", "confirm": "1"}
    )
    c.refresh_from_db()
    assert c.state == "closed"
    # Only the consumer's window to rate the handling opens (no duty of anyone's).
    assert list(c.deadlines.filter(status="open").values_list("phase", flat=True)) == ["rating"]


@pytest.mark.django_db
def test_the_complaint_list_filters_by_reference_shop_and_overdue(people, browser_of):
    a = factories.complaint(people.alice, people.acme)
    b = factories.complaint(people.erin, people.bazaar)
    client = browser_of(people.rita)
    page = client.get(reverse("web:all_complaints"), {"q": a.reference}).content.decode()
    assert a.reference in page and b.reference not in page
    page = client.get(reverse("web:all_complaints"), {"merchant": people.bazaar.pk}).content.decode()
    assert b.reference in page and a.reference not in page
    page = client.get(reverse("web:all_complaints"), {"overdue": "1"}).content.decode()
    assert a.reference not in page


@pytest.mark.django_db
def test_the_overdue_list_counts_from_the_late_duties(people, browser_of):
    """The count of the late complaints reads the late duties (a subquery of the deadlines), not a look-up
    of the duties for each complaint of the list (`queries.late_among`); the page and its count agree."""
    late = [factories.complaint(people.alice, people.acme) for _ in range(3)]
    counts = []

    def counting(execute, sql, params, many, context):
        if "COUNT(" in sql and ("complaints_complaint" in sql or "deadlines_deadline" in sql):
            counts.append(sql)
        return execute(sql, params, many, context)

    with time_machine.travel(timezone.now() + timedelta(days=10)):
        client = browser_of(people.rita)
        with connection.execute_wrapper(counting):
            page = client.get(reverse("web:all_complaints"), {"overdue": "1"}).content.decode()
        fresh = factories.complaint(people.erin, people.bazaar)
        again = client.get(reverse("web:all_complaints"), {"overdue": "1"}).content.decode()
    assert all(c.reference in page for c in late) and "3 complaints" in page
    assert fresh.reference not in again and "3 complaints" in again
    assert counts and all(
        'SELECT DISTINCT "deadlines_deadline"."complaint_id"' in sql
        and not re.search(r'EXISTS\(SELECT \S+ AS "a" FROM "deadlines_deadline"', sql)
        for sql in counts
    ), counts


@pytest.mark.django_db
def test_alerts_show_their_complaints_and_are_acknowledged_then_closed(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    alert, _ = raise_alert(
        AlertKind.SURGE,
        people.acme,
        "2026-11-11T10",
        "Surge at Acme",
        complaints=[c],
        observed=30,
        expected=2.5,
    )
    client = browser_of(people.rita)
    assert "Surge at Acme" in client.get(reverse("web:alerts")).content.decode()
    page = client.get(reverse("web:alert", args=[alert.pk])).content.decode()
    assert c.reference in page
    client.post(reverse("web:alert_action", args=[alert.pk, "acknowledge"]), {"note": "Calling the shop."})
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and "Calling the shop." in alert.note
    client.post(reverse("web:alert_action", args=[alert.pk, "close"]), {"note": ""})
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    again = client.post(reverse("web:alert_action", args=[alert.pk, "close"]), {}, follow=True)
    assert "already" in again.content.decode()


@pytest.mark.django_db
def test_the_scorecards_list_goes_by_name(people, browser_of):
    late = factories.complaint(people.alice, people.bazaar)
    late.deadlines.filter(phase="first_response").update(due_at=timezone.now() - timezone.timedelta(hours=1))
    ok = factories.complaint(people.alice, people.acme)

    services.perform(ok.pk, people.bob, "respond", "hi")
    page = browser_of(people.rita).get(reverse("web:regulator_scorecards")).content.decode()
    assert page.index("Acme Online") < page.index("Bazaar Mall")


@pytest.mark.django_db
def test_the_regulators_page_offers_the_consumers_steps_only_without_an_account(people, browser_of):
    hotline = factories.complaint(people.rita, people.acme, "resolution_proposed", channel="hotline_12315")
    page = browser_of(people.rita).get(reverse("web:complaint", args=[hotline.pk])).content.decode()
    assert 'id="action-accept"' in page and 'id="action-dispute"' in page
    own = factories.complaint(people.alice, people.acme, "resolution_proposed")
    page = browser_of(people.rita).get(reverse("web:complaint", args=[own.pk])).content.decode()
    assert 'id="action-accept"' not in page
