"""Each dashboard figure says what it measures, and an officer's hotline filing with its sector counts
outside online shopping."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.stats.tests import response_times
from complaintdesk.stats.tests.response_times import MARCH, NOW

SH = ZoneInfo("Asia/Shanghai")


def _tile(page: str, tile_id: str) -> tuple[str, str, str]:
    """(title, figure, what it measures) of a dashboard tile."""
    found = re.search(
        rf'id="{tile_id}"><dt>(.*?)</dt><dd>(.*?)</dd>\s*<dd class="measures">(.*?)</dd>', page, re.S
    )
    return found.groups()


def _dashboard(client, params=None) -> str:
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("web:dashboard"), params or {}).content.decode()


@pytest.mark.django_db
def test_each_time_figure_says_it_is_wall_clock_from_receipt_over_the_deadlines_met(people, browser_of):
    response_times.build(people)
    page = _dashboard(browser_of(people.rita), MARCH)
    title, figure, measures = _tile(page, "minutes-resolution")
    assert title == "Resolution: time until met, median / 90th percentile"
    assert figure == "3.0 d / 20.0 d"
    assert measures == (
        "Wall-clock time from receipt until the deadline was met (nights, weekends and waits for the consumer "
        "included), over the 4 deadlines met so far."
    )
    assert _tile(page, "minutes-reply")[2].endswith("over the 10 deadlines met so far.")
    assert "Share in time: met in time ÷ (met in time + met late + missed)" in page


@pytest.mark.django_db
def test_an_officers_hotline_filing_with_its_sector_lowers_the_online_share(people, api, browser_of):
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False):
        factories.complaint(people.alice, people.acme)  # a web filing: online shopping
        hotline = factories.complaint_payload(
            people.acme.pk,
            received_at="2026-03-10T09:30:00+08:00",
            channel="hotline_12315",
            sector="telecom",
            consumer_name="Wang Fang",
            order_date="2026-03-01",
        )
        response = api(people.rita).post("/complaints", hotline)
    assert response.status_code == 201, response.json()
    page = _dashboard(browser_of(people.rita), MARCH)
    title, figure, measures = _tile(page, "online-share")
    assert (title, figure) == ("Online shopping share", "50.0 %")
    assert "whose sector is online shopping, among all received" in measures
    assert "an officer filing a hotline complaint sets its sector" in measures
