"""POST/PUT/GET /api/v1/complaints/{id}/rating (SPEC §7): the consumer rates a closed complaint once within the
window and may change it there; every bad input is a clear 4xx naming the field, and changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre import ratings
from complaintdesk.centre.models import Rating
from complaintdesk.complaints.tests import factories

SH = ZoneInfo("Asia/Shanghai")
CLOSED = datetime(2026, 10, 15, 10, 0, tzinfo=SH)


@pytest.fixture
def closed(people):
    with time_machine.travel(CLOSED, tick=False):
        complaint = factories.complaint(people.alice, people.acme, "closed")
        ratings.invite(complaint, CLOSED)
    return complaint


def call(api, user, method, complaint, data=None, when=CLOSED + timedelta(days=1)):
    with time_machine.travel(when, tick=False):
        client = api(user)
        path = f"/complaints/{complaint.pk}/rating"
        return client.get(path) if method == "get" else getattr(client, method)(path, data)


def put(client, path, data):
    return client._call("put", path, data)


@pytest.mark.django_db
def test_the_consumer_rates_then_changes_the_rating_and_reads_it(api, people, closed):
    created = call(api, people.alice, "post", closed, {"score": 4, "comment": "Quick and fair."})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["complaint"], body["score"], body["comment"]) == (closed.pk, 4, "Quick and fair.")
    assert body["editable_until"] == "2026-10-30T02:00:00Z"
    with time_machine.travel(CLOSED + timedelta(days=3), tick=False):
        changed = put(
            api(people.alice), f"/complaints/{closed.pk}/rating", {"score": 2, "comment": "Refund late."}
        )
    assert changed.status_code == 200 and changed.json()["score"] == 2
    shown = call(api, people.alice, "get", closed).json()
    assert shown["open"] is True and shown["rating"]["score"] == 2
    assert call(api, people.rita, "get", closed).json()["rating"]["comment"] == "Refund late."


@pytest.mark.django_db
def test_rating_twice_is_a_conflict_and_keeps_the_first(api, people, closed):
    call(api, people.alice, "post", closed, {"score": 4})
    again = call(api, people.alice, "post", closed, {"score": 1})
    assert again.status_code == 409 and "already rated" in again.json()["detail"]
    assert Rating.objects.get().score == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": -3}, "score"),
        ({"score": "5"}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": True}, "score"),
        ({"score": None}, "score"),
        ({}, "score"),
        ({"score": 3, "comment": "x" * 2001}, "comment"),
        ({"score": 3, "comment": 7}, "comment"),
    ],
)
def test_a_bad_score_or_comment_is_refused_naming_the_field(api, people, closed, data, field):
    answer = call(api, people.alice, "post", closed, data)
    assert answer.status_code == 422, answer.content
    assert any(issue["loc"][-1] == field for issue in answer.json()["detail"]), answer.json()
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_outside_the_window_nothing_is_rated_or_changed(api, people, closed):
    late = call(api, people.alice, "post", closed, {"score": 5}, when=CLOSED + timedelta(days=15, minutes=1))
    assert late.status_code == 409 and "2026-10-30 10:00" in late.json()["detail"]
    call(api, people.alice, "post", closed, {"score": 5})
    with time_machine.travel(CLOSED + timedelta(days=16), tick=False):
        changed = put(api(people.alice), f"/complaints/{closed.pk}/rating", {"score": 1})
    assert changed.status_code == 409 and Rating.objects.get().score == 5


@pytest.mark.django_db
def test_an_open_complaint_cannot_be_rated(api, people):
    with time_machine.travel(CLOSED, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    answer = call(api, people.alice, "post", complaint, {"score": 5})
    assert answer.status_code == 409 and not Rating.objects.exists()
    assert call(api, people.alice, "get", complaint).json() == {
        "opens_at": None, "closes_at": None, "open": False, "rating": None
    }  # fmt: skip


@pytest.mark.django_db
def test_someone_else_cannot_rate_and_another_tenant_does_not_see_the_complaint(api, people, closed):
    for user in (people.erin, people.dave):  # another consumer, another shop: not found
        assert call(api, user, "post", closed, {"score": 1}).status_code == 404
        assert call(api, user, "get", closed).status_code == 404
    for user in (people.bob, people.rita):  # they see the complaint; the rating is not theirs to give
        answer = call(api, user, "post", closed, {"score": 1})
        assert answer.status_code == 403 and "Only the consumer" in answer.json()["detail"]
    call(api, people.alice, "post", closed, {"score": 1, "comment": "Rude on the phone."})
    seen_by_shop = call(api, people.bob, "get", closed)
    assert seen_by_shop.status_code == 200 and seen_by_shop.json()["rating"] is None
    assert call(api, None, "post", closed, {"score": 1}).status_code == 401
    assert Rating.objects.get().score == 1


@pytest.mark.django_db
def test_changing_a_rating_never_given_is_a_conflict(api, people, closed):
    with time_machine.travel(CLOSED + timedelta(days=1), tick=False):
        answer = put(api(people.alice), f"/complaints/{closed.pk}/rating", {"score": 3})
    assert answer.status_code == 409 and not Rating.objects.exists()
