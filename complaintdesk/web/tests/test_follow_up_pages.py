"""The console's follow-up calls (回访): the week's sample with whom to call, the calls made, the form to record
one (bad input: a 4xx page naming the field, nothing written), the part on a closed complaint's page; officers
only."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import engines
from django.test import RequestFactory

from complaintdesk.centre.models import FollowUpCall
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.test_followup import closed_complaint, decided_matter

SH = ZoneInfo("Asia/Shanghai")
IN_WEEK = datetime(2026, 10, 14, 15, 0, tzinfo=SH)  # week 2026-W42
NEXT_WEEK = datetime(2026, 10, 20, 11, 0, tzinfo=SH)


@pytest.fixture
def closed(people):
    people.alice.phone = "13912345678"
    people.alice.save()
    return closed_complaint(people, 1)


def get(browser_of, user, url, when=NEXT_WEEK):
    with time_machine.travel(when, tick=False):
        return browser_of(user).get(url)


def post(browser_of, user, url, data, when=NEXT_WEEK):
    with time_machine.travel(when, tick=False):
        return browser_of(user).post(url, data)


@pytest.mark.django_db
def test_the_page_suggests_last_weeks_closed_complaints_with_whom_to_call(browser_of, people, closed):
    matter = decided_matter(people, contact_name="Zhang", contact_phone="13800000000")
    page = get(browser_of, people.rita, "/console/follow-up/")
    html = page.content.decode()
    assert page.status_code == 200 and "2026-W42" in html and "2026-10-12" in html
    assert closed.reference in html and "13912345678" in html and "alice" in html
    assert matter.reference in html and "Zhang" in html
    assert f"/console/follow-up/call/?complaint={closed.pk}" in html
    other_week = get(browser_of, people.rita, "/console/follow-up/?week=2026-W41").content.decode()
    assert closed.reference not in other_week and "Nothing closed in this week" in other_week


@pytest.mark.django_db
def test_a_bad_week_is_a_400_naming_it(browser_of, people):
    for week in ("2026-W99", "42", "x" * 50):
        page = get(browser_of, people.rita, f"/console/follow-up/?week={week}")
        assert page.status_code == 400 and "<code>week</code>" in page.content.decode()


@pytest.mark.django_db
def test_an_officer_records_a_call_and_sees_it_on_the_week_and_the_complaint(browser_of, people, closed):
    url = f"/console/follow-up/call/?complaint={closed.pk}"
    form = get(browser_of, people.rita, url)
    assert form.status_code == 200 and 'value="2026-10-20T11:00"' in form.content.decode()
    assert f'action="{url}"' in form.content.decode()
    answer = post(browser_of, people.rita, url,
                  {"called_at": "2026-10-16T10:30", "outcome": "satisfied", "note": "Refund received."})  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == f"/complaints/{closed.pk}/"
    call = FollowUpCall.objects.get()
    assert (call.complaint, call.officer, call.outcome, call.called_at) == (
        closed, people.rita, "satisfied", datetime(2026, 10, 16, 10, 30, tzinfo=SH)
    )  # fmt: skip
    html = get(browser_of, people.rita, "/console/follow-up/?week=2026-W42").content.decode()
    assert "Refund received." in html
    with time_machine.travel(NEXT_WEEK, tick=False):
        part = _part(people.rita, closed)
    assert "Refund received." in part and "Record a call" in part


def _part(user, complaint):
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string('{% include "web/centre/_follow_up.html" %}')
    return template.render({"complaint": complaint, "user": user}, request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "delighted"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"called_at": "yesterday"}, "called_at"),
        ({"called_at": "2026-10-25T10:00"}, "called_at"),  # in the future
        ({"called_at": "2026-10-14T14:00"}, "called_at"),  # before the closing at 15:00
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_call_is_a_422_page_naming_the_field_and_nothing_is_written(browser_of, people, closed, data,
                                                                        field):  # fmt: skip
    values = {"called_at": "2026-10-16T10:30", "outcome": "partly", **data}
    answer = post(browser_of, people.rita, f"/console/follow-up/call/?complaint={closed.pk}", values)
    assert answer.status_code == 422
    html = answer.content.decode()
    assert f'id="field-{field}"' in html and "has-error" in html
    assert not FollowUpCall.objects.exists()


@pytest.mark.django_db
def test_an_open_complaint_takes_no_call_and_shows_no_call_part(browser_of, people):
    with time_machine.travel(IN_WEEK, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    answer = post(browser_of, people.rita, f"/console/follow-up/call/?complaint={complaint.pk}",
                  {"called_at": "2026-10-16T10:30", "outcome": "partly"})  # fmt: skip
    assert answer.status_code == 409 and not FollowUpCall.objects.exists()
    assert _part(people.rita, complaint).strip() == ""


@pytest.mark.django_db
def test_only_officers_see_the_pages_and_an_unknown_item_is_not_found(browser_of, people, closed):
    for user in (people.alice, people.bob):
        assert get(browser_of, user, "/console/follow-up/").status_code == 403
        assert get(browser_of, user, f"/console/follow-up/call/?complaint={closed.pk}").status_code == 403
        assert _part(user, closed).strip() == ""
    for query in ("complaint=999999", "matter=999999", ""):
        assert get(browser_of, people.rita, f"/console/follow-up/call/?{query}").status_code == 404
    for query in ("complaint=x", "complaint=99999999999999999999", "matter=-1"):  # unreadable: 400 naming it
        answer = get(browser_of, people.rita, f"/console/follow-up/call/?{query}")
        assert answer.status_code == 400 and f"<code>{query.split('=')[0]}</code>" in answer.content.decode()
    assert not FollowUpCall.objects.exists()
