"""Two officers decide the same report at the same moment on PostgreSQL: exactly one decision is taken, with
one letter; the other hears that it was decided already (the matter's row lock, `matters._conclude`)."""

import threading

import pytest
from django.db import connection, connections

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind, MatterState, Notice
from complaintdesk.lib.errors import Conflict
from complaintdesk.notify.models import OutboxMessage

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test runs it there too)"
    ),
    # Transactional: each thread has its own connection and must see committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(matter_id: int, steps) -> list:
    barrier = threading.Barrier(len(steps))
    results = []

    def run(step):
        try:
            barrier.wait(timeout=10)
            try:
                step(matter_id)
                results.append("decided")
            except Conflict:
                results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(results)


def _two_officers(people) -> tuple[Matter, list]:
    matter = matters.file(
        people.alice, Filing(MatterKind.REPORT, "Fakes.", merchant=people.acme.pk, language="en")
    )
    results = _race(
        matter.pk,
        [
            lambda pk: matters.decide_report(pk, people.rita, "open_case", "Open it."),
            lambda pk: matters.decide_report(pk, people.rita, "no_case", "Leave it."),
        ],
    )
    return matter, results


def test_without_the_lock_both_officers_decide(people, monkeypatch):
    """The sanity check: the race is real, so the test below means something."""
    monkeypatch.setattr(matters, "GUARDED", False)
    outcomes = [_two_officers(people)[1] for _ in range(5)]
    assert ["decided", "decided"] in outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_two_officers_deciding_a_report_at_once_decide_it_once(people, attempt):
    matter, results = _two_officers(people)
    assert results == ["decided", "refused"]
    matter.refresh_from_db()
    assert matter.state in (MatterState.CASE_OPENED, MatterState.NO_CASE)
    assert matter.reason == ("Open it." if matter.state == MatterState.CASE_OPENED else "Leave it.")
    (letter,) = Notice.objects.filter(matter=matter)
    assert matter.reason in letter.body
    assert OutboxMessage.objects.filter(event="centre_report_decision").count() == 1
