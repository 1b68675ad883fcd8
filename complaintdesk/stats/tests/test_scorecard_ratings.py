"""The consumers' ratings on a shop's scorecard (issue 13 item 5): the average and the count of the ratings
given in the scorecard's 12 months, shown only from the minimum count (RATING_MIN_COUNT)."""

import importlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps

from complaintdesk.centre import ratings
from complaintdesk.centre.models import Rating
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import queries, rollups
from complaintdesk.stats.models import RatingCount

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


@pytest.mark.django_db
def test_the_scorecards_ratings_come_from_the_rollups_and_equal_the_ratings_rows(people, settings):
    """The scorecards read the shops' ratings rollup (`stats.RatingCount`, one row a shop and day): each
    shop's count and average equal those counted from the raw ratings (`centre.ratings.of_shops`) after
    ratings given on the window's first and last days and outside it, a change of score and a deletion, and
    the rollup equals its recomputation from the raw rows."""
    settings.RATING_MIN_COUNT = 1
    start = datetime(2025, 11, 21, 0, 0, tzinfo=SH)  # the first day of the 12 months ending TODAY
    for n, (score, when) in enumerate(
        [
            (5, start),
            (2, start - timedelta(seconds=1)),  # the evening before: outside
            (3, datetime(2026, 11, 20, 23, 59, tzinfo=SH)),  # the last minute of today
            (4, datetime(2026, 3, 3, 12, tzinfo=SH)),
            (1, datetime(2026, 3, 3, 13, tzinfo=SH)),
        ]
    ):
        rated(people, n, score, when)
    complaint = factories.complaint(people.erin, people.bazaar, "closed", order_number="R-B")
    when = datetime(2026, 6, 1, 9, tzinfo=SH)
    ratings.invite(complaint, when)
    ratings.rate(complaint, people.erin, score=2, at=when)
    ratings.change(complaint, people.erin, score=5, at=when + timedelta(hours=1))
    Rating.objects.filter(score=1).delete()
    period = queries.periods.last_12_months(TODAY)
    shops = [people.acme, people.bazaar]
    raw = ratings.of_shops([s.pk for s in shops], *period.instants())
    cards = queries.scorecards(shops, TODAY)
    assert [c["satisfaction"] for c in cards] == [
        {"count": raw[s.pk].count, "average": raw[s.pk].average} for s in shops
    ]
    assert [c["satisfaction"] for c in cards] == [
        {"count": 3, "average": Decimal("4.0")},  # 5, 3 and 4: the 2 was the evening before, the 1 deleted
        {"count": 1, "average": Decimal("5.0")},  # changed from 2
    ]
    # The factory sets the complaints' states directly (no rollup of theirs): compare the ratings' table only.
    assert rollups.stored()["ratings"] == rollups.recompute().nonzero("ratings")


@pytest.mark.django_db
def test_the_migration_counts_the_ratings_given_before_it(people):
    """`stats` 0005 fills the ratings rollup from the ratings already given, as the live hooks count them."""
    for n, score in enumerate((5, 3, 4)):
        rated(people, n, score, datetime(2026, 3, 3, 23, 30, tzinfo=SH) + timedelta(hours=n))
    kept = rollups.stored()["ratings"]
    RatingCount.objects.all().delete()
    importlib.import_module("complaintdesk.stats.migrations.0005_shop_ratings").count_ratings(
        django_apps, None
    )
    assert rollups.stored()["ratings"] == kept == rollups.recompute().nonzero("ratings")
