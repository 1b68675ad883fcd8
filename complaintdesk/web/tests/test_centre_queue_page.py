"""The officer's queue page (/console/queue/): every matter before the 12315 centre, nearest duty first, with
live countdowns; filters by kind, state and duty overdue; a query it cannot read is a 400 naming the
parameter; only officers open it. The escalations page keeps its address and leads to it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.centre import matters
from complaintdesk.complaints import centre, services
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 12, 10, 0, tzinfo=SH)  # a Monday
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def desk(people):
    w = type("World", (), {})()
    with time_machine.travel(at(2026, 10, 8, 9), tick=False):
        w.waiting = factories.complaint(people.alice, people.acme)
        services.perform(w.waiting.pk, people.rita, "escalate", "The caller asks for help.")
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        w.agreed = factories.complaint(people.erin, people.bazaar)
        services.perform(w.agreed.pk, people.rita, "escalate", "The caller asks for help.")
        services.perform(w.agreed.pk, people.rita, "accept_case", "")
        services.perform(
            w.agreed.pk, people.rita, "record_agreement", "",
            details=centre.Details(terms="Refund of 99 yuan.", amount_recovered="99.00"),
        )  # fmt: skip
    with time_machine.travel(at(2026, 10, 9, 15), tick=False):
        w.report = matters.file(
            None, matters.Filing(kind="report", text="假冒商品", merchant=people.acme.pk, anonymous=True)
        )
    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        w.enquiry = matters.file(
            None, matters.Filing(kind="enquiry", text="Can I return this?", contact_email="e@example.cn")
        )
    return w


def page(client, **query) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("web:centre_queue"), query)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    body = html.split('id="centre-queue"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr")[1:]]


def test_the_queue_lists_complaints_reports_and_enquiries_by_their_nearest_duty(desk, people, browser_of):
    html = page(browser_of(people.rita))
    listed = rows(html)
    assert [desk.waiting.reference in listed[0], desk.enquiry.reference in listed[1]] == [True, True]
    assert desk.report.reference in listed[2] and len(listed) == 3
    assert desk.agreed.reference not in html  # agreed: no duty left
    first = listed[0]
    assert 'data-kind="complaint"' in first and "data-countdown" in first
    assert "Decision to accept · 2026-10-16 18:00" in first  # 7 working days after 10-08 (10-10 worked)
    assert f'href="{reverse("web:complaint", args=[desk.waiting.pk])}"' in first
    assert "SAMR Order No. 20" in first and "2026-10-08 09:00" in first
    assert f'href="{reverse("web:matter", args=[desk.report.pk])}"' in listed[2]
    assert "Acme Online" in listed[2] and "Decision on a report" in listed[2]
    assert 'id="queue-count"' in html and "3 matters" in html
    assert "web/countdown.js" in html and 'hx-trigger="every 60s"' in html


def test_the_filters_narrow_the_queue(desk, people, browser_of):
    rita = browser_of(people.rita)
    html = page(rita, kind="report")
    assert desk.report.reference in html and desk.enquiry.reference not in html
    assert desk.waiting.reference not in html
    html = page(rita, state="agreed")
    assert desk.agreed.reference in html and "no duty to do" in html
    assert desk.waiting.reference not in html
    html = page(rita, kind="enquiry", state="received")
    assert desk.enquiry.reference in html and desk.report.reference not in html
    assert "Nothing here." in page(rita, overdue="1")
    with time_machine.travel(at(2026, 10, 20, 9), tick=False):
        late = rita.get(reverse("web:centre_queue"), {"overdue": "1"}).content.decode()
    assert desk.waiting.reference in late and desk.enquiry.reference not in late
    assert "tone-overdue" in late
    # The form shows the filters it applied, and the pager keeps them.
    html = page(rita, kind="complaint", state="escalated")
    assert '<option value="complaint" selected>' in html and '<option value="escalated" selected>' in html


def test_a_long_queue_is_paged_in_its_order_and_never_counted(desk, people, browser_of):
    """A page reads a page: no total over every duty (which read every duty and its complaint, 0.2-0.6 s at
    10 M complaints); the count shows only on a page that is the whole queue."""
    with time_machine.travel(at(2026, 10, 12, 9, 30), tick=False):
        asked = [
            matters.file(
                None, matters.Filing(kind="enquiry", text=f"Question {n}?", contact_email="e@example.cn")
            )
            for n in range(55)
        ]
    rita = browser_of(people.rita)
    with CaptureQueriesContext(connection) as read:
        html = page(rita)
    counted = [
        q["sql"] for q in read.captured_queries if "COUNT(" in q["sql"] and "deadlines_deadline" in q["sql"]
    ]
    assert counted == [] and 'id="queue-count"' not in html
    seen = [row for row in rows(html)]
    assert len(seen) == 50 and desk.waiting.reference in seen[0]
    following = html.split('rel="next" href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    with time_machine.travel(NOW, tick=False):
        rest = rita.get(f"{reverse('web:centre_queue')}?{following}").content.decode()
    seen += rows(rest)
    # The waiting complaint, the earlier enquiry, the 55 asked at 09:30 (in the order they were filed), the report.
    expected = [desk.waiting, desk.enquiry, *asked, desk.report]
    assert len(seen) == len(expected)
    assert all(item.reference in row for item, row in zip(expected, seen, strict=True))
    assert 'id="queue-count"' not in rest and 'rel="prev"' in rest


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"kind": "complaints"}, "kind"),
        ({"state": "lost"}, "state"),
        ({"cursor": "x"}, "cursor"),
        ({"cursor": "x" * 1001}, "cursor"),
    ],
)
def test_a_query_the_page_cannot_read_is_refused_naming_the_parameter(
    desk, people, browser_of, query, parameter
):
    response = browser_of(people.rita).get(reverse("web:centre_queue"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{parameter}</code>" in html and desk.waiting.reference not in html


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_officers_open_the_queue(desk, people, browser_of, who):
    assert browser_of(getattr(people, who)).get(reverse("web:centre_queue")).status_code == 403
    anonymous = Client().get(reverse("web:centre_queue"))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))


def test_the_officers_menu_leads_to_the_queue_and_escalations_keeps_its_address(desk, people, browser_of):
    rita = browser_of(people.rita)
    menu = rita.get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:centre_queue")}"' in menu
    escalations = rita.get("/console/escalations/")
    assert escalations.status_code == 200
    html = escalations.content.decode()
    assert desk.waiting.reference in html and f'href="{reverse("web:centre_queue")}"' in html
    assert f'href="{reverse("web:escalations")}"' in page(rita)


def test_a_closed_complaints_rating_window_is_no_running_deadline_in_any_list(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        closed = factories.complaint(people.alice, people.acme)
        services.perform(closed.pk, people.bob, "propose_resolution", "Refund.", {"type": "refund"})
        services.perform(closed.pk, people.alice, "accept", "")
        assert closed.deadlines.filter(phase="rating", status="open").exists()
        later = NOW + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        for client, url, query in [
            (browser_of(people.bob), reverse("web:queue"), {"view": "finished"}),
            (browser_of(people.alice), reverse("web:my_complaints"), {}),
            (browser_of(people.rita), reverse("web:all_complaints"), {}),
        ]:
            html = client.get(url, query).content.decode()
            assert closed.reference in html, url
            assert "Rating window" not in html and "data-countdown" not in html, url
        # Nor on the complaint's own page, whoever reads it: no deadline or duty of anyone's.
        for user in (people.alice, people.bob, people.rita):
            html = browser_of(user).get(reverse("web:complaint", args=[closed.pk])).content.decode()
            assert "Rating window" not in html and "data-countdown" not in html, user.username
