"""The consumer rates a closed complaint from its page: the rating part (web/centre/_rating.html) shows the
form while the window is open, the rating to an officer and nothing to a shop; the form's bad input is a 4xx
page naming the field, nothing changed; another consumer's complaint is 404."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import engines
from django.test import RequestFactory

from complaintdesk.centre import ratings
from complaintdesk.centre.models import Rating
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
CLOSED = datetime(2026, 10, 15, 10, 0, tzinfo=SH)
LATER = CLOSED + timedelta(days=2)


@pytest.fixture
def closed(people):
    with time_machine.travel(CLOSED, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed")
        ratings.invite(complaint, CLOSED)
    return complaint


def part(user, complaint, name="web/centre/_rating.html"):
    """The partial as the complaint page includes it: `complaint` and the user in the context."""
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string(f'{{% include "{name}" %}}')
    return template.render({"complaint": complaint, "user": user}, request)


def post(browser_of, user, complaint, data):
    with time_machine.travel(LATER, tick=False):
        return browser_of(user).post(f"/complaints/{complaint.pk}/rating/", data)


@pytest.mark.django_db
def test_the_consumer_sees_the_form_until_the_window_ends(people, closed):
    with time_machine.travel(LATER, tick=False):
        html = part(people.alice, closed)
    assert 'id="rating"' in html and f'action="/complaints/{closed.pk}/rating/"' in html
    assert 'name="score"' in html and "2026-10-30 10:00" in html
    with time_machine.travel(CLOSED + timedelta(days=16), tick=False):
        html = part(people.alice, closed)
    assert 'name="score"' not in html and "The time to rate ended on 2026-10-30 10:00" in html


@pytest.mark.django_db
def test_rating_from_the_page_then_changing_it(browser_of, people, closed):
    answer = post(browser_of, people.alice, closed, {"score": "4", "comment": "Fair."})
    assert answer.status_code == 302 and answer["Location"] == f"/complaints/{closed.pk}/#rating"
    assert (Rating.objects.get().score, Rating.objects.get().comment) == (4, "Fair.")
    answer = post(browser_of, people.alice, closed, {"score": "2", "comment": ""})
    assert answer.status_code == 302 and Rating.objects.get().score == 2
    with time_machine.travel(LATER, tick=False):
        html = part(people.alice, closed)
    assert "2 of 5" in html and "Change your rating" in html
    assert re.search(r'<input[^>]*value="2"[^>]*checked', html)  # the form starts from the rating given


@pytest.mark.django_db
def test_an_officer_reads_the_rating_and_a_shop_sees_nothing(people, closed):
    with time_machine.travel(LATER, tick=False):
        ratings.rate(closed, people.alice, score=1, comment="Nobody called back.", at=LATER)
        officer, shop = part(people.rita, closed), part(people.bob, closed)
    assert "1 of 5" in officer and "Nobody called back." in officer and 'name="score"' not in officer
    assert shop.strip() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [({"score": "0"}, "score"), ({"score": "6"}, "score"), ({"score": "x"}, "score"), ({}, "score"),
     ({"score": "3", "comment": "x" * 2001}, "comment")],
)  # fmt: skip
def test_a_bad_rating_is_a_422_page_naming_the_field(browser_of, people, closed, data, field):
    answer = post(browser_of, people.alice, closed, data)
    assert answer.status_code == 422
    assert f'id="field-{field}"' in answer.content.decode() and "has-error" in answer.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_after_the_window_the_page_says_so_and_nothing_changes(browser_of, people, closed):
    with time_machine.travel(CLOSED + timedelta(days=20), tick=False):
        answer = browser_of(people.alice).post(f"/complaints/{closed.pk}/rating/", {"score": "5"})
    assert answer.status_code == 409 and "2026-10-30 10:00" in answer.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_another_consumers_complaint_is_not_found_and_others_may_not_rate(browser_of, people, closed):
    assert post(browser_of, people.erin, closed, {"score": "1"}).status_code == 404
    for user in (people.bob, people.rita):
        assert post(browser_of, user, closed, {"score": "1"}).status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_the_closed_complaints_page_carries_the_rating_form_and_the_letters(browser_of, people, closed):
    with time_machine.travel(LATER, tick=False):
        html = browser_of(people.alice).get(f"/complaints/{closed.pk}/").content.decode()
    assert 'id="rating"' in html and f'action="/complaints/{closed.pk}/rating/"' in html
    with time_machine.travel(LATER, tick=False):
        officer = browser_of(people.rita).get(f"/complaints/{closed.pk}/").content.decode()
    assert "Follow-up calls" in officer and f"/console/follow-up/call/?complaint={closed.pk}" in officer
