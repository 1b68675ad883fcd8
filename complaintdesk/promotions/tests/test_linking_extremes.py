"""Linking a complaint to a filing by its order date works at the edges of the years Python holds: the window
of filings near the order stops at the first or last instant UTC holds instead of overflowing. (The API
refuses such order dates; the web form and imports reach linking with what they were given.)"""

from datetime import date, datetime

import pytest

from complaintdesk.promotions import linking
from complaintdesk.promotions.tests.helpers import SHANGHAI, past_filing


@pytest.mark.django_db
@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "Pacific/Kiritimati", "America/Los_Angeles"])
@pytest.mark.parametrize("order_date", [date.min, date(1, 6, 1), date(9999, 6, 1), date.max], ids=str)
def test_an_order_date_at_either_end_of_the_calendar_links_to_nothing(people, time_zone, order_date):
    people.acme.time_zone = time_zone
    people.acme.save()
    past_filing(
        people.acme,
        people.bob,
        datetime(2026, 11, 1, tzinfo=SHANGHAI),
        datetime(2026, 11, 12, tzinfo=SHANGHAI),
    )
    assert linking.find(people.acme, "", order_date) is None
    assert linking.find(people.acme, "Past sale", order_date) is None


@pytest.mark.django_db
def test_an_order_date_in_the_last_year_still_finds_the_filing_around_it(people):
    filing = past_filing(
        people.acme,
        people.bob,
        datetime(9999, 12, 1, tzinfo=SHANGHAI),
        datetime(9999, 12, 31, tzinfo=SHANGHAI),
    )
    assert linking.find(people.acme, "", date(9999, 12, 5)) == filing
