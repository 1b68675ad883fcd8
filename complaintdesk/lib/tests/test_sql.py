"""lib.sql reads and writes rows as the ORM does: the same values back (dates, times, decimals, JSON,
durations, booleans, nulls), primary keys set, nothing else touched."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from complaintdesk.complaints.models import Complaint, ComplaintEvent, IdempotencyKey
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.lib import sql
from complaintdesk.merchants.models import Merchant

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_select_gives_the_orm_s_own_instances_with_every_value_converted(people):
    c = factories.complaint(people.alice, people.acme, amount=Decimal("12.30"), order_date=date(2026, 9, 1))
    for model, pk in ((Complaint, c.pk), (Merchant, people.acme.pk), (Deadline, c.deadlines.first().pk)):
        ours = sql.select_one(model, "id = %s", [pk])
        assert _fields(ours) == _fields(model.objects.get(pk=pk)), model.__name__
        assert not ours._state.adding
    event = sql.select_one(ComplaintEvent, "complaint_id = %s", [c.pk])
    assert event.data == ComplaintEvent.objects.get(pk=event.pk).data and isinstance(event.data, dict)


def test_select_compares_times_and_dates_as_the_orm_does(people):
    received = datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
    c = factories.complaint(people.alice, people.acme, received_at=received)
    # The same instant written in another zone, and a bound one microsecond away on each side.
    utc = received.astimezone(ZoneInfo("UTC"))
    assert [x.pk for x in sql.select(Complaint, "received_at = %s", [utc])] == [c.pk]
    assert sql.select(Complaint, "received_at > %s", [received]) == []
    assert [
        x.pk for x in sql.select(Complaint, "received_at > %s", [received - timedelta(microseconds=1)])
    ] == [c.pk]
    assert sql.select(Complaint, "id = %s AND received_at < %s", [c.pk, date(2026, 9, 30)]) == []


def test_select_one_is_none_when_nothing_matches(people):
    assert sql.select_one(Merchant, "id = %s", [10**9]) is None


def test_insert_sets_primary_keys_in_order_and_stores_what_save_would(people):
    c = factories.complaint(people.alice, people.acme)
    events = [
        ComplaintEvent(complaint=c, actor=people.bob, actor_role="merchant_agent", action="respond",
                       from_state="submitted", to_state="responded", message=f"m{i}", data={"i": i, "zh": "你好"},
                       created_at=datetime(2026, 9, 30, 17, i, tzinfo=SHANGHAI))
        for i in range(3)
    ]  # fmt: skip
    sql.insert(events)
    assert all(e.pk for e in events) and not any(e._state.adding for e in events)
    for e in events:
        stored = ComplaintEvent.objects.get(pk=e.pk)
        assert (stored.message, stored.data) == (e.message, e.data)
        assert stored.created_at == e.created_at
    key = IdempotencyKey(user=people.alice, key="k", request_hash="h", complaint=c)
    sql.insert([key])
    assert key.created_at is not None  # auto_now_add, filled by pre_save as save() does
    assert IdempotencyKey.objects.get(pk=key.pk).created_at == key.created_at


def test_update_writes_only_the_named_fields(people):
    c = factories.complaint(people.alice, people.acme)
    c.order_number, c.description = "NEW-1", "not written"
    sql.update(c, ["order_number"])
    stored = Complaint.objects.get(pk=c.pk)
    assert stored.order_number == "NEW-1"
    assert stored.description != "not written"


def test_durations_and_nulls_round_trip(people):
    c = factories.complaint(people.alice, people.acme)
    d = c.deadlines.first()
    d.paused_total, d.met_at = timedelta(hours=3, microseconds=7), None
    sql.update(d, ["paused_total", "met_at"])
    ours = sql.select_one(Deadline, "id = %s", [d.pk])
    assert ours.paused_total == timedelta(hours=3, microseconds=7) and ours.met_at is None
