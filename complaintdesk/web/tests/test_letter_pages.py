"""A centre's letter as a page: the officers and the party addressed read and print it; anyone else's letter is
404; the print stylesheet shows the letter alone on A4."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.template import engines
from django.test import Client, RequestFactory

from complaintdesk.centre import letters
from complaintdesk.centre.models import NoticeKind
from complaintdesk.centre.tests.test_letters import at_centre
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 15, 10, 0, tzinfo=SH)


@pytest.fixture
def issued(people):
    with time_machine.travel(NOW, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "escalated")
        at_centre(complaint)
        consumer, shop = letters.issue(NoticeKind.ACCEPTANCE, complaint=complaint, at=NOW)
    return consumer, shop


@pytest.mark.django_db
def test_the_consumer_reads_their_letter_with_the_bureaus_letterhead(issued, people, browser_of):
    consumer, _shop = issued
    page = browser_of(people.alice).get(f"/letters/{consumer.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="letterhead"' in html and "City Consumer Protection Centre (12315)" in html
    assert "1 Renmin Road" in html and consumer.complaint.reference in html
    assert "web/letter.css" in html and "Notice of acceptance" in html


@pytest.mark.django_db
def test_the_shops_letter_is_headed_in_both_languages(issued, people, browser_of):
    _consumer, shop = issued
    html = browser_of(people.bob).get(f"/letters/{shop.pk}/").content.decode()
    assert (
        "市消费者权益保护中心（12315投诉举报中心）" in html
        and "City Consumer Protection Centre (12315)" in html
    )


@pytest.mark.django_db
def test_another_partys_letter_is_not_found(issued, people, browser_of):
    consumer, shop = issued
    for user, letter in [(people.alice, shop), (people.bob, consumer), (people.erin, consumer),
                         (people.dave, shop), (people.carol, consumer)]:  # fmt: skip
        assert browser_of(user).get(f"/letters/{letter.pk}/").status_code == 404
    assert browser_of(people.alice).get("/letters/999999/").status_code == 404
    for letter in issued:
        assert browser_of(people.rita).get(f"/letters/{letter.pk}/").status_code == 200
        assert Client().get(f"/letters/{letter.pk}/").status_code == 302  # to the login page


def test_the_print_stylesheet_prints_the_letter_alone_on_a4():
    css = Path(finders.find("web/letter.css")).read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    assert "size: A4" in printed
    for hidden in ("header.top", "footer.foot", ".letter-tools"):
        assert hidden in printed.split("display: none")[0]


def letters_part(user, **page):
    """web/centre/_letters.html as a complaint's or matter's page includes it."""
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string('{% include "web/centre/_letters.html" %}')
    return template.render({**page, "user": user}, request)


@pytest.mark.django_db
def test_the_letters_part_lists_each_viewers_own_letters_and_every_letter_for_an_officer(issued, people):
    consumer, shop = issued
    complaint = consumer.complaint
    mine = letters_part(people.alice, complaint=complaint)
    assert f"/letters/{consumer.pk}/" in mine and f"/letters/{shop.pk}/" not in mine
    theirs = letters_part(people.bob, complaint=complaint)
    assert f"/letters/{shop.pk}/" in theirs and f"/letters/{consumer.pk}/" not in theirs
    officer = letters_part(people.rita, complaint=complaint)
    assert f"/letters/{consumer.pk}/" in officer and f"/letters/{shop.pk}/" in officer and "Shop" in officer
    assert letters_part(people.dave, complaint=complaint).strip() == ""
    assert letters_part(people.rita).strip() == ""  # a page with neither a complaint nor a matter
