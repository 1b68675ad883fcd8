"""GET /api/v1/pledges/tags pages by keys as the other lists (issue 15): `{items, count, next}`, 50 tags a
page by complaint and commitment number, `next` a signed cursor of this list; and GET /pledges/tags/counts
groups the tags on their own copy of the complaint's shop (a period on their copy of its receipt),
without reading each tag's complaint."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.tests.plans import as_large_on_sqlite, plan_of
from complaintdesk.pledges import services
from complaintdesk.pledges.models import ComplaintCommitment

pytestmark = pytest.mark.django_db


def _tag(consumer, shop, numbers, n: int = 0) -> int:
    complaint = factories.complaint(consumer, shop, order_number=f"P-{n}")
    for number in numbers:
        ComplaintCommitment.objects.create(complaint=complaint, number=number)
    return complaint.pk


def _in_order(**filters) -> list[tuple[int, int]]:
    return list(
        ComplaintCommitment.objects.filter(**filters)
        .order_by("complaint_id", "number")
        .values_list("complaint_id", "number")
    )


def _walk(client, size: int, **filters) -> tuple[list[tuple[int, int]], list[dict]]:
    found, pages, after = [], [], None
    while True:
        answer = client.get(
            "/pledges/tags", {**filters, "page_size": size, **({"cursor": after} if after else {})}
        )
        assert answer.status_code == 200, answer.content
        pages.append(answer.json())
        found += [(t["complaint"], t["number"]) for t in pages[-1]["items"]]
        after = pages[-1]["next"]
        if after is None:
            return found, pages


def test_a_walk_by_cursor_yields_every_tag_once_by_complaint_and_number(people, api):
    for n in range(5):
        _tag(people.alice, people.acme if n % 2 else people.bazaar, [3, 1, 7][: n % 3 + 1], n)
    expected = _in_order()
    assert len(expected) == 9

    found, pages = _walk(api(people.rita), size=4)
    assert found == expected
    assert [len(p["items"]) for p in pages] == [4, 4, 1]  # first, next, last (its `next` null)
    assert {p["count"] for p in pages} == {9}
    assert pages[-1]["next"] is None

    # A shop's walk: its own tags only, the same order.
    found, _ = _walk(api(people.bob), size=3)
    assert found == _in_order(merchant=people.acme)


def test_the_list_answers_a_page_not_every_tag(people, api):
    for n in range(60):
        _tag(people.alice, people.acme, [n % 8 + 1], n)
    first = api(people.rita).get("/pledges/tags").json()
    assert len(first["items"]) == 50 and first["count"] == 60 and first["next"]
    rest = api(people.rita).get("/pledges/tags", {"cursor": first["next"]}).json()
    assert [(t["complaint"], t["number"]) for t in first["items"] + rest["items"]] == _in_order()
    assert rest["next"] is None
    numbered = api(people.rita).get("/pledges/tags", {"page": 2}).json()
    assert numbered["items"] == rest["items"]


@pytest.mark.parametrize(
    "query",
    [{"cursor": "not-a-cursor"}, {"cursor": "x" * 1001}, {"page": 0}, {"page": 201}, {"page_size": 1001}],
)
def test_a_bad_cursor_or_page_is_refused_naming_it_and_changes_nothing(people, api, query):
    _tag(people.alice, people.acme, [2, 5])
    before = list(ComplaintCommitment.objects.values_list("pk", "complaint_id", "number", "merchant_id"))
    answer = api(people.rita).get("/pledges/tags", query)
    assert answer.status_code == 422, answer.content
    assert [issue["loc"][-1] for issue in answer.json()["detail"]] == [next(iter(query))]
    assert (
        list(ComplaintCommitment.objects.values_list("pk", "complaint_id", "number", "merchant_id")) == before
    )


def test_a_cursor_of_another_list_is_refused(people, api):
    for n in range(3):
        factories.complaint(people.alice, people.acme, order_number=f"C-{n}")
    complaints_cursor = api(people.rita).get("/complaints", {"page_size": 1}).json()["next"]
    answer = api(people.rita).get("/pledges/tags", {"cursor": complaints_cursor})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_counts_group_the_tags_own_shop_copy_without_reading_their_complaints(people, api):
    city = bureaus.build(people)
    for n, (shop, numbers) in enumerate(((city.acme, [4, 7]), (city.acme, [4]), (city.bazaar, [7]))):
        _tag(people.alice, shop, numbers, n)
    expected = [("Acme Online", 4, 2), ("Acme Online", 7, 1), ("Bazaar Mall", 7, 1)]
    for user, rows in ((city.rita, expected), (city.dora, expected[:2]), (people.bob, expected[:2])):
        with CaptureQueriesContext(connection) as captured:
            counts = api(user).get("/pledges/tags/counts").json()
        assert [(c["merchant_name"], c["number"], c["count"]) for c in counts] == rows, user
        (sql,) = [q["sql"] for q in captured.captured_queries if "pledges_complaintcommitment" in q["sql"]]
        assert "complaints_complaint" not in sql, sql  # no look-up of each tag's complaint
        plan = plan_of(sql)
        if connection.vendor == "sqlite":
            assert "SCAN pledges_complaintcommitment USING COVERING INDEX" in plan or "SEARCH" in plan, plan
        assert "complaints_complaint" not in plan, plan
    assert [(c["merchant_name"], c["number"], c["count"]) for c in services.tag_counts(city.rita)] == expected


def _receipts(city, people):
    """Complaints received a day apart (1 to 4 October), tagged afterwards: Acme's first two, Bazaar's last."""
    shanghai = ZoneInfo("Asia/Shanghai")
    for n, (shop, numbers) in enumerate(
        ((city.acme, [4, 7]), (city.acme, [4]), (city.bazaar, [7]), (city.bazaar, [4]))
    ):
        with time_machine.travel(datetime(2026, 10, 1 + n, 9, 0, tzinfo=shanghai), tick=False):
            _tag(people.alice, shop, numbers, n)
    return datetime(2026, 10, 2, tzinfo=shanghai), datetime(2026, 10, 4, tzinfo=shanghai)


def test_a_periods_counts_read_the_tags_copy_of_the_receipt_and_no_complaint(people, api):
    city = bureaus.build(people)
    start, end = _receipts(city, people)
    period = {"start": start.isoformat(), "end": end.isoformat()}
    # The complaints received on 2 and 3 October (the end excluded), counted from the complaints' own rows.
    by_complaints = (
        ComplaintCommitment.objects.filter(complaint__received_at__gte=start, complaint__received_at__lt=end)
        .values_list("complaint__merchant__name", "number")
        .order_by("complaint__merchant__name", "number")
    )
    expected = [(name, number, 1) for name, number in by_complaints]
    assert expected == [("Acme Online", 4, 1), ("Bazaar Mall", 7, 1)]
    for user, rows in ((city.rita, expected), (city.dora, expected[:1]), (people.bob, expected[:1])):
        with CaptureQueriesContext(connection) as captured:
            counts = api(user).get("/pledges/tags/counts", period).json()
        assert [(c["merchant_name"], c["number"], c["count"]) for c in counts] == rows, user
        (sql,) = [q["sql"] for q in captured.captured_queries if "pledges_complaintcommitment" in q["sql"]]
        assert "complaints_complaint" not in sql, sql  # the period on the tag's own copy
    assert ComplaintCommitment.objects.filter(received_at=None).count() == 0


# The tags' indexes' statistics in the 10 M complaints' set (100,100 tags, 5,562 a bureau, 21 a shop; a
# receipt nearly unique): there a district's period, too, is read from the receipt index, its 30 days' tags
# (a fortieth) before its bureau's, where a handful of tags with no statistics go by the bureau's.
TAGS_AT_10M = {
    "commitment_tag_received": "100100 1 1 1 1",
    "commitment_tag_bureau": "100100 5562 1 1",
    "commitment_tag_shop": "100100 21 1 1",
}


def _tags_as_at_scale() -> None:
    as_large_on_sqlite({"pledges_complaintcommitment": 100_100}, TAGS_AT_10M)


def test_a_periods_counts_read_only_the_periods_tags_from_the_receipt_index(people):
    city = bureaus.build(people)
    start, end = _receipts(city, people)
    if connection.vendor == "sqlite":
        _tags_as_at_scale()
    for user in (city.rita, city.dora):
        counts = ComplaintCommitment.objects.filter(services.tags_seen_by(user))
        counts = counts.filter(received_at__gte=start, received_at__lt=end).order_by()
        sql, params = (
            counts.values_list("merchant_id", "number").annotate(n=Count("*")).query.sql_with_params()
        )
        plan = plan_of(sql, params, sorts=True)
        assert "commitment_tag_received" in plan, (user, plan)
        if connection.vendor == "sqlite":
            assert "SEARCH pledges_complaintcommitment USING COVERING INDEX commitment_tag_received" in plan
        else:
            assert "Seq Scan" not in plan, plan
