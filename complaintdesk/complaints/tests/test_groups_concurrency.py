"""Two consumers join one group at the same moment with the same order number, on PostgreSQL: exactly one
joins; the other hears that the order is in the group already (the group's row lock, `groups.join`). And a
join racing the shop's answer either gets the answer or is among the members the answer reaches."""

import threading

import pytest
from django.db import connection, connections

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints import groups
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.errors import FieldError

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test runs it there too)"
    ),
    # Transactional: each thread has its own connection and must see committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(steps) -> list[str]:
    barrier = threading.Barrier(len(steps))
    results = []

    def run(step):
        try:
            barrier.wait(timeout=10)
            try:
                step()
                results.append("done")
            except FieldError:
                results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(results)


@pytest.fixture
def group(people):
    people.frank = User.objects.create(username="frank", role=Role.CONSUMER)
    first = factories.complaint(people.alice, people.acme, order_number="AC-1001")
    return groups.open_group(people.rita, product="Kettle", problem="Stops heating.", complaints=[first])


def _same_order(people, group) -> list[str]:
    return _race(
        [
            lambda: groups.join(group.pk, people.erin, order_number="AC-2001"),
            lambda: groups.join(group.pk, people.frank, order_number="AC-2001"),
        ]
    )


def test_without_the_lock_both_join_with_one_order(people, group, monkeypatch):
    """The sanity check: the race is real, so the test below means something."""
    monkeypatch.setattr(groups, "GUARDED", False)
    outcomes = []
    for _ in range(5):
        outcomes.append(_same_order(people, group))
        Complaint.objects.filter(order_number="AC-2001").update(group=None)
    assert ["done", "done"] in outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_consumers_with_one_order_join_once(people, group, attempt):
    assert _same_order(people, group) == ["done", "refused"]
    assert group.members.filter(order_number="AC-2001").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_join_racing_the_shops_answer_gets_it(people, group, attempt):
    results = _race(
        [
            lambda: groups.join(group.pk, people.erin, order_number="AC-2001"),
            lambda: groups.answer(group.pk, people.bob, message="Refund for all.", resolution_type="refund"),
        ]
    )
    assert results == ["done", "done"]
    joined = group.members.get(consumer=people.erin)
    assert joined.events.filter(action="group_answer").count() == 1
    assert joined.state == "resolution_proposed"
