"""The consumer's rating of a closed complaint (issue 13 item 5): one invitation when it closes, one rating
within 15 days by the complaint's consumer, editable in the window; a shop's average only from a minimum count."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections, transaction

from complaintdesk.centre import ratings
from complaintdesk.centre.models import Rating
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.notify.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
CLOSED = datetime(2026, 10, 15, 10, 0, tzinfo=SH)


@pytest.fixture
def closed(people):
    with time_machine.travel(CLOSED - timedelta(days=3), tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed")
    OutboxMessage.objects.all().delete()
    return complaint


def invite(complaint, when=CLOSED):
    with time_machine.travel(when, tick=False):
        return ratings.invite(complaint, when)


@pytest.mark.django_db
def test_closing_opens_a_15_day_window_that_is_no_duty_and_asks_the_consumer_once(closed, people):
    window = invite(closed)
    assert (window.phase, window.starts_at, window.due_at) == (
        Phase.RATING,
        CLOSED,
        CLOSED + timedelta(days=15),
    )
    assert window.next_check_at is None and window.status == DeadlineStatus.OPEN  # never reminded or breached
    asked = OutboxMessage.objects.get()
    assert (asked.kind, asked.target, asked.event) == (
        "user",
        str(people.alice.pk),
        "complaint_rating_invitation",
    )
    assert asked.link == f"/complaints/{closed.pk}/#rating"
    assert f"Your complaint {closed.reference} is closed" in asked.body and "2026-10-30 10:00" in asked.body
    again = invite(closed, CLOSED + timedelta(days=1))
    assert again.pk == window.pk and again.starts_at == CLOSED
    assert OutboxMessage.objects.count() == 1 and Deadline.objects.filter(phase=Phase.RATING).count() == 1


@pytest.mark.django_db
def test_a_complaint_without_a_consumer_account_is_not_rated(people):
    with time_machine.travel(CLOSED, tick=False):
        complaint = services.file_complaint(
            people.rita, factories.new_complaint(people.acme, consumer_name="Li")
        )
    assert invite(complaint) is None and not Deadline.objects.filter(phase=Phase.RATING).exists()


@pytest.mark.django_db
def test_a_window_that_closed_long_ago_asks_nobody(closed):
    with time_machine.travel(CLOSED + timedelta(days=40), tick=False):
        window = ratings.invite(closed, CLOSED)
    assert window is not None and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_consumer_rates_once_and_changes_it_within_the_window(closed, people):
    invite(closed)
    rating = ratings.rate(closed, people.alice, score=4, comment="  Quick.  ", at=CLOSED + timedelta(days=1))
    assert (rating.score, rating.comment) == (4, "Quick.")
    with pytest.raises(Conflict, match="already rated"):
        ratings.rate(closed, people.alice, score=5, at=CLOSED + timedelta(days=2))
    changed = ratings.change(closed, people.alice, score=2, comment="They broke the promise.",
                             at=CLOSED + timedelta(days=15))  # fmt: skip
    assert (changed.score, changed.created_at, changed.updated_at) == (2, CLOSED + timedelta(days=1),
                                                                       CLOSED + timedelta(days=15))  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, -1, 4.5, "5", True, None])
def test_a_score_outside_1_to_5_is_refused_naming_the_field(closed, people, score):
    invite(closed)
    with pytest.raises(FieldError) as refused:
        ratings.rate(closed, people.alice, score=score, at=CLOSED)
    assert refused.value.field == "score" and not Rating.objects.exists()


@pytest.mark.django_db
def test_a_comment_over_the_limit_is_refused_naming_the_field(closed, people):
    invite(closed)
    with pytest.raises(FieldError) as refused:
        ratings.rate(closed, people.alice, score=3, comment="x" * 2001, at=CLOSED)
    assert refused.value.field == "comment" and not Rating.objects.exists()


@pytest.mark.django_db
def test_outside_the_window_nothing_is_rated_or_changed(closed, people):
    with pytest.raises(Conflict, match="not closed"):
        ratings.rate(closed, people.alice, score=3, at=CLOSED)  # never invited: not closed
    invite(closed)
    with pytest.raises(Conflict, match="2026-10-30 10:00"):
        ratings.rate(closed, people.alice, score=3, at=CLOSED + timedelta(days=15, seconds=1))
    ratings.rate(closed, people.alice, score=3, at=CLOSED + timedelta(days=14))
    with pytest.raises(Conflict):
        ratings.change(closed, people.alice, score=1, at=CLOSED + timedelta(days=16))
    assert Rating.objects.get().score == 3


@pytest.mark.django_db
def test_nobody_but_the_complaints_consumer_rates_it(closed, people):
    invite(closed)
    for someone in (people.erin, people.bob, people.rita, None):
        with pytest.raises(ratings.NotTheConsumer):
            ratings.rate(closed, someone, score=5, at=CLOSED)
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_a_shops_average_shows_only_from_the_minimum_count(people, settings):
    settings.RATING_MIN_COUNT = 3
    for n, score in enumerate([5, 4], start=1):
        with time_machine.travel(CLOSED, tick=False):
            complaint = factories.complaint(people.alice, people.acme, "closed", order_number=f"O-{n}")
        invite(complaint)
        ratings.rate(complaint, people.alice, score=score, at=CLOSED)
    assert ratings.of_shop(people.acme.pk) == ratings.Summary(2, None)
    with time_machine.travel(CLOSED, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed", order_number="O-3")
    invite(complaint)
    ratings.rate(complaint, people.alice, score=4, at=CLOSED)
    summary = ratings.of_shop(people.acme.pk)
    assert summary.shown and (summary.count, str(summary.average)) == (3, "4.3")
    assert ratings.of_shop(people.bazaar.pk) == ratings.Summary(0, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_first_ratings_sent_at_once_from_two_devices_keep_one(people):
    """Eight threads with their own connections rate the same complaint for the first time at once: the
    complaint's one-to-one key lets one through, the others hear that it is already rated."""
    with time_machine.travel(CLOSED, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed")
        ratings.invite(complaint, CLOSED)
    results, barrier = [], threading.Barrier(8, timeout=30)

    def worker(score):
        try:
            barrier.wait()
            with transaction.atomic():
                ratings.rate(complaint, people.alice, score=score, at=CLOSED + timedelta(hours=1))
            results.append("rated")
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(1 + n % 5,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["rated"]
    assert Rating.objects.filter(complaint=complaint).count() == 1
