"""The consumers' ratings on a shop's scorecard (issue 13 item 5): the average and the count of the ratings
given in the scorecard's 12 months, shown only from the minimum count (RATING_MIN_COUNT)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre import ratings
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import queries

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)


def rated(people, n, score, when):
    with time_machine.travel(when, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed", order_number=f"R-{n}")
        ratings.invite(complaint, when)
        ratings.rate(complaint, people.alice, score=score, at=when)


@pytest.mark.django_db
def test_the_scorecard_shows_the_average_rating_only_from_the_minimum_count(people, settings):
    settings.RATING_MIN_COUNT = 3
    when = datetime(2026, 10, 15, 10, 0, tzinfo=SH)
    rated(people, 1, 5, when)
    rated(people, 2, 2, when)
    rated(people, 3, 4, datetime(2025, 11, 1, 10, 0, tzinfo=SH))  # before the 12 months: not counted
    card = queries.scorecard(people.acme, TODAY)
    assert card["satisfaction"] == {"count": 2, "average": None}
    rated(people, 4, 4, when + timedelta(days=1))
    acme, bazaar = queries.scorecards([people.acme, people.bazaar], TODAY)
    assert acme["satisfaction"] == {"count": 3, "average": Decimal("3.7")}
    assert bazaar["satisfaction"] == {"count": 0, "average": None}


@pytest.mark.django_db
def test_the_public_scorecard_page_and_list_show_the_rating(people, settings, client):
    settings.RATING_MIN_COUNT = 1
    rated(people, 1, 4, datetime.now(SH) - timedelta(days=1))
    page = client.get(f"/shops/{people.acme.pk}/").content.decode()
    assert "Consumers&#x27; rating" in page or "Consumers' rating" in page
    assert "4.0 of 5 (1 rating)" in page
    listing = client.get("/scorecards/").content.decode()
    assert "4.0 of 5 (1 rating)" in listing and "too few ratings" in listing  # Bazaar has none


@pytest.mark.django_db
def test_the_public_scorecard_api_gives_the_rating(people, settings, api):
    settings.RATING_MIN_COUNT = 2
    rated(people, 1, 5, datetime.now(SH) - timedelta(days=2))
    body = api(None).get(f"/merchants/{people.acme.pk}/scorecard").json()
    assert body["satisfaction"] == {"count": 1, "average": None}
    rated(people, 2, 4, datetime.now(SH) - timedelta(days=1))
    body = api(None).get(f"/merchants/{people.acme.pk}/scorecard").json()
    assert body["satisfaction"] == {"count": 2, "average": 4.5}
