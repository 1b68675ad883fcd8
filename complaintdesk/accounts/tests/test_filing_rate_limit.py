"""Complaint filing is rate-limited per account and per address, in the API and the web form (429)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from complaintdesk.accounts import ratelimit
from complaintdesk.accounts.models import RateCounter
from complaintdesk.accounts.ratelimit import Limit, hit
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.merchants.models import Merchant


@pytest.fixture
def limits(settings):
    settings.COMPLAINT_RATE_PER_ACCOUNT = 2
    settings.COMPLAINT_RATE_PER_ADDRESS = 3
    settings.COMPLAINT_RATE_WINDOW_SECONDS = 3600
    return settings


def _file(api, user, addr="192.0.2.10", **headers):
    return api(user).post("/complaints", complaint_payload(user_merchant(user)), REMOTE_ADDR=addr, **headers)


def user_merchant(user):
    return Merchant.objects.get(name="Acme Online").pk


@pytest.mark.django_db
def test_the_api_refuses_the_account_beyond_its_limit_with_a_clear_429(people, api, limits):
    assert [_file(api, people.alice).status_code for _ in range(2)] == [201, 201]
    refused = _file(api, people.alice)
    assert refused.status_code == 429
    assert "Too many complaints from this account: at most 2 per 60 minutes" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Complaint.objects.count() == 2
    assert _file(api, people.erin).status_code == 201  # another account, same address, under its limit


@pytest.mark.django_db
def test_the_api_refuses_an_address_beyond_its_limit(people, api, limits):
    assert _file(api, people.alice).status_code == 201
    assert _file(api, people.alice).status_code == 201
    assert _file(api, people.erin).status_code == 201
    refused = _file(api, people.erin)
    assert refused.status_code == 429
    assert "from this network address" in refused.json()["detail"]
    assert _file(api, people.erin, addr="198.51.100.7").status_code == 201


@pytest.mark.django_db
def test_a_replayed_idempotency_key_does_not_count(people, api, limits):
    client = api(people.alice)
    payload = complaint_payload(people.acme.pk)
    headers = {"Idempotency-Key": "k-1"}
    assert client.post("/complaints", payload, headers=headers).status_code == 201
    for _ in range(3):
        assert client.post("/complaints", payload, headers=headers).status_code == 200
    assert client.post("/complaints", payload).status_code == 201


@pytest.mark.django_db
def test_the_regulator_back_office_is_not_limited(people, api, limits):
    assert {_file(api, people.rita).status_code for _ in range(5)} == {201}


@pytest.mark.django_db
def test_the_limit_is_documented_in_the_openapi_schema(people):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/complaints"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]


@pytest.mark.django_db
def test_the_web_form_answers_429_with_the_reason_and_files_nothing(people, limits):
    client = Client()
    client.force_login(people.alice)
    form = {
        "merchant": people.acme.pk,
        "order_number": "JD-1001",
        "order_date": timezone.localdate().isoformat(),
        "category": "quality",
        "kind": "quality_issue",
        "wanted_outcome": "replacement",
        "description": "No sound on the left side.",
    }
    assert [client.post("/my/complaints/new/", form).status_code for _ in range(2)] == [302, 302]
    refused = client.post("/my/complaints/new/", form)
    assert refused.status_code == 429
    assert "Too many complaints from this account" in refused.content.decode()
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_a_new_window_starts_a_new_count_and_old_windows_are_deleted():
    limit = Limit("test", 2, timedelta(hours=1))
    t0 = datetime(2026, 11, 28, 9, 10, tzinfo=UTC)
    assert [hit(limit, "k", t0) for _ in range(2)] == [None, None]
    assert hit(limit, "k", t0 + timedelta(minutes=20)) == 30 * 60  # refused until 10:00
    assert hit(limit, "k", t0 + timedelta(hours=1)) is None
    assert hit(limit, "k", t0 + timedelta(hours=2, minutes=1)) is None
    # The 09:00 window went when the 11:00 one began; the one before the current window stays.
    assert [c.window_start.hour for c in RateCounter.objects.order_by("window_start")] == [10, 11]
    assert not RateCounter.objects.filter(key="k").exists()  # keys are stored as keyed hashes only


@pytest.mark.django_db
def test_zero_switches_a_limit_off():
    limit = Limit("test", 0, timedelta(hours=1))
    assert {hit(limit, "k") for _ in range(50)} == {None}
    assert not RateCounter.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_processes_never_exceed_the_limit_together():
    """Twelve threads with their own connections race for five slots of one fresh window."""
    limit = Limit("race", 5, timedelta(hours=1))
    now = timezone.now()
    results, barrier = [], threading.Barrier(12)

    def worker():
        try:
            barrier.wait()
            results.append(hit(limit, "same-key", now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(None) == 5
    assert RateCounter.objects.get(scope="race").count == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("guarded, admitted", [(True, 4), (False, 11)])
def test_the_conditional_update_is_what_keeps_racing_processes_within_the_limit(
    monkeypatch, guarded, admitted
):
    """The sanity check for the test above, on the limiter's own code: eleven threads race for the last
    four slots of a window, all holding back their UPDATE until every one has come that far. With the
    guard (the comparison inside the UPDATE) four get through; with it switched off (read, compare in
    Python, write) every thread has seen a free slot, and all eleven get through — so the harness really
    races, and deleting the guard turns the first case red."""
    monkeypatch.setattr(ratelimit, "GUARDED", guarded)
    limit = Limit("race", 5, timedelta(hours=1))
    now = timezone.now()
    assert hit(limit, "same-key", now) is None  # the window's row exists, with one slot taken
    results, before_update = [], threading.Barrier(11, timeout=30)
    real_update = QuerySet.update

    def update_together(queryset, **kwargs):
        if queryset.model is RateCounter:
            before_update.wait()
        return real_update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_together)

    def worker():
        try:
            results.append(hit(limit, "same-key", now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 11 and results.count(None) == admitted
