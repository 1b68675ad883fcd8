"""GET /api/v1/pledges/tags at a national centre's size (issue 15): every officer's list walks one of the
tags' own indexes in the list's order (complaint, number) and stops at its limit: a city-level officer's the
tags' own, one shop's by the tag's copy of its complaint's shop (commitment_tag_shop), a district's by its
copy of the complaint's bureau in charge (commitment_tag_bureau); it no longer lists first every complaint
the officer sees, nor sorts a shop's or a bureau's tags. Same answers as before: a district officer sees its
bureau's tags only, and a tag follows its complaint when that changes bureau."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre import duties
from complaintdesk.centre.models import CentreCase
from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints.tests import factories
from complaintdesk.pledges.models import ComplaintCommitment


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As on a large table: where PostgreSQL has a way without scanning or sorting, it takes it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def city(people):
    city = bureaus.build(people)
    city.tagged = {}
    for n, shop in enumerate((city.acme, city.bazaar, city.acme)):
        complaint = factories.complaint(people.alice, shop, order_number=f"T-{n}")
        ComplaintCommitment.objects.create(complaint=complaint, number=n + 1)
        city.tagged[complaint.pk] = shop
    return city


def _list(api, user, **filters) -> tuple[list[int], str]:
    with CaptureQueriesContext(connection) as captured:
        answer = api(user).get("/pledges/tags", filters)
    assert answer.status_code == 200, answer.content
    sql = next(
        q["sql"] for q in captured.captured_queries if 'FROM "pledges_complaintcommitment"' in q["sql"]
    )
    return [tag["complaint"] for tag in answer.json()["items"]], sql


@pytest.mark.django_db
def test_each_officer_sees_its_bureaus_tags_in_the_order_of_the_tags_index(city, api):
    acme = sorted(pk for pk, shop in city.tagged.items() if shop == city.acme)
    cases = [
        (city.rita, {}, sorted(city.tagged)),
        (city.rita, {"merchant": city.acme.pk}, acme),
        (city.dora, {}, acme),  # Acme is in Huangpu
        (city.dora, {"merchant": city.bazaar.pk}, []),
        (city.paul, {}, [pk for pk in sorted(city.tagged) if pk not in acme]),
        # One commitment's tags: the list's index walked in order, skipping the others' (no sort of every
        # tag of that number, as the index of the numbers alone gave).
        (city.rita, {"number": 1}, sorted(city.tagged)[:1]),
        (city.dora, {"number": 3}, acme[1:]),
    ]
    for officer, filters, expected in cases:
        found, sql = _list(api, officer, **filters)
        assert found == expected, (officer, filters)
        plan = _plan(sql)
        index = {"merchant": "commitment_tag_shop"}.get(next(iter(filters), ""), "")
        if officer != city.rita:  # its bureau's; one shop's of them by either copy
            index = "commitment_tag_" if filters else "commitment_tag_bureau"
        assert index in plan, (officer, filters, plan)
        if connection.vendor == "sqlite":
            assert "TEMP B-TREE" not in plan and "LIST SUBQUERY" not in plan, plan
            assert "SCAN complaints_complaint" not in plan, plan
        else:
            assert "Seq Scan" not in plan, plan
            assert "Sort" not in plan, plan


def _copies(tags) -> set:
    return set(
        ComplaintCommitment.objects.filter(pk__in=[t.pk for t in tags]).values_list("merchant", "bureau")
    )


@pytest.mark.django_db
def test_a_tag_holds_its_complaints_shop_and_bureau_and_follows_it(people):
    city = bureaus.build(people)
    complaint = factories.complaint(people.alice, city.acme, order_number="F-1")
    other = factories.complaint(people.alice, city.acme, order_number="F-2")
    tags = [ComplaintCommitment.objects.create(complaint=c, number=2) for c in (complaint, other)]
    assert _copies(tags) == {(city.acme.pk, city.huangpu.pk)}

    # At the centre, held by Pudong: the tag is Pudong's; the case gone, back with the shop's bureau.
    received = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = CentreCase.objects.create(
        complaint=complaint, bureau=city.pudong, rule_version=duties.version_on(received.date()),
        via="escalation", received_at=received,
    )  # fmt: skip
    assert _copies(tags[:1]) == {(city.acme.pk, city.pudong.pk)}
    assert _copies(tags[1:]) == {(city.acme.pk, city.huangpu.pk)}
    case.delete()
    assert _copies(tags[:1]) == {(city.acme.pk, city.huangpu.pk)}

    # The shop re-registered in Pudong: the tags of its complaints still with it follow.
    city.acme.registered_district = city.pudong
    city.acme.save()
    assert _copies(tags) == {(city.acme.pk, city.pudong.pk)}
