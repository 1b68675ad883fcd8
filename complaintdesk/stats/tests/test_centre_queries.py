"""The centre's figures of every bureau at once (`stats.centre.figures_of`) are each bureau's own figures, read
from the same few queries however many bureaus and shops there are: `GET /api/v1/stats/centre` and the
console's dashboard (the centre's figures and each bureau's beside the others) cost as many queries with two
bureaus as with eight (issue 15: the dashboard fast at 10 million complaints)."""

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre.jurisdiction import in_bureau
from complaintdesk.centre.models import Bureau, Flag, FlagReason
from complaintdesk.complaints import flags
from complaintdesk.merchants.models import Merchant, Platform
from complaintdesk.stats import centre
from complaintdesk.stats.models import ALL_BUREAUS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.tests import centre_data as cd
from complaintdesk.stats.tests.test_centre_figures import _from_figures, _raw
from conftest import Api, credit_code

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=SH)
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))
PARAMS = {"start": "2026-09-01", "end": "2026-09-30"}
pytestmark = pytest.mark.django_db
_seeds = itertools.count(700)


@pytest.fixture
def centre_rows(people):
    return cd.september(people)


def _more_bureaus(people, n: int) -> list[Bureau]:
    """`n` more districts, each with a shop of its own, a complaint the district holds at the centre (its
    acceptance running), one with the shop, and a flag on each in September."""
    made = []
    for _ in range(n):
        seed = next(_seeds)
        bureau = cd.district(f"District {seed}")
        shop = Merchant.objects.create(
            name=f"Shop {seed}", credit_code=credit_code(seed), platform=Platform.OWN_SITE,
            registered_district=bureau,
        )  # fmt: skip
        at_centre = cd._complaint(people, shop, cd.at(2026, 9, 20, 10))
        cd.reach(at_centre, cd.at(2026, 9, 22, 10), bureau=bureau)
        with_shop = cd._complaint(people, shop, cd.at(2026, 9, 21, 10))
        for complaint, reason in ((at_centre, FlagReason.values[0]), (with_shop, FlagReason.values[-1])):
            # (a filing may have raised one already: the consumer's complaints repeat)
            Flag.objects.get_or_create(
                complaint=complaint, reason=reason, defaults={"raised_at": cd.at(2026, 9, 23, 10)}
            )
        made.append(bureau)
    return made


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("now", [cd.at(2026, 10, 14, 12), NOW])
def test_every_bureaus_figures_at_once_are_its_own_raw_rows(people, centre_rows, now):
    more = _more_bureaus(people, 2)
    bureaus = [None, centre_rows["city"], centre_rows["district"], *more]
    together = centre.figures_of(SEPTEMBER, [b.pk if b else ALL_BUREAUS for b in bureaus], now=now)
    for bureau in bureaus:
        f = together[bureau.pk if bureau else ALL_BUREAUS]
        assert f["bureau"] == (bureau.pk if bureau else None)
        raw = _raw(SEPTEMBER, bureau, now)
        assert _from_figures(f) == {k: v for k, v in raw.items() if k != "to_acceptance"}
    assert together[more[0].pk]["duties"]["acceptance"]["running"] == (1 if now < cd.at(2026, 10, 9) else 0)


def test_each_bureaus_flags_are_those_in_its_charge(people, centre_rows):
    more = _more_bureaus(people, 3)
    start, end = SEPTEMBER.instants()
    ids = [None, *(b.pk for b in more), centre_rows["district"].pk]
    counted = flags.figures_of(start, end, ids)
    for bureau in ids:
        rows = Flag.objects.filter(raised_at__gte=start, raised_at__lt=end)
        if bureau is not None:
            rows = rows.filter(in_bureau(bureau, prefix="complaint__"))
        assert counted[bureau]["raised"] == rows.count()
        assert counted[bureau] == flags.figures(start, end, bureau)
    assert counted[more[0].pk]["raised"] >= 2
    assert counted[None]["raised"] >= 6


def test_the_figures_of_more_bureaus_cost_no_more_queries(people, centre_rows):
    two = [ALL_BUREAUS, centre_rows["city"].pk, centre_rows["district"].pk]
    few = _queries(lambda: centre.figures_of(SEPTEMBER, two, now=NOW))
    more = [b.pk for b in _more_bureaus(people, 5)]
    many = _queries(lambda: centre.figures_of(SEPTEMBER, [*two, *more], now=NOW))
    assert many == few <= 7


def _api_queries(officer) -> int:
    api = Api(officer)
    with time_machine.travel(NOW, tick=False):
        answer = api.get("/stats/centre", PARAMS)  # the token's first use writes its last-used time
        assert answer.status_code == 200, answer.content
        count = _queries(lambda: api.get("/stats/centre", PARAMS))
    return count, answer.json()


def test_the_centres_answer_costs_as_many_queries_with_more_bureaus(people, centre_rows):
    few, before = _api_queries(people.rita)
    assert len(before["by_bureau"]) == Bureau.objects.count()
    _more_bureaus(people, 5)
    many, after = _api_queries(people.rita)
    assert len(after["by_bureau"]) == len(before["by_bureau"]) + 5
    assert many == few <= 15
    assert after["received"]["complaint"] == before["received"]["complaint"] + 5
    assert sum(b["received"]["complaint"] for b in after["by_bureau"]) == after["received"]["complaint"]


def _console_queries(officer) -> int:
    client = Client()
    client.force_login(officer)
    with time_machine.travel(NOW, tick=False):
        assert client.get("/console/", PARAMS).status_code == 200
        return _queries(lambda: client.get("/console/", PARAMS))


def test_the_dashboard_costs_as_many_queries_with_more_bureaus_and_shops(people, centre_rows):
    few = _console_queries(people.rita)
    _more_bureaus(people, 5)
    assert _console_queries(people.rita) == few
