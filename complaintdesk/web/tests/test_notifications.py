"""The bell: every signed-in user's unread count in the header, their list, mark as read; nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.lib.tests.plans import as_large_on_postgresql, plan_of
from complaintdesk.notify.models import Notification


@pytest.mark.django_db
def test_the_bell_counts_unread_and_mark_as_read_works(people, client):
    first = Notification.objects.create(user=people.bob, title="New complaint TS-1", link="/workbench/")
    Notification.objects.create(user=people.bob, title="New complaint TS-2")
    Notification.objects.create(user=people.carol, title="Not bob's")
    client.force_login(people.bob)
    page = client.get(reverse("web:notifications")).content.decode()
    assert 'data-unread="2"' in page and "New complaint TS-1" in page and "Not bob&#x27;s" not in page

    opened = client.post(reverse("web:notification_read", args=[first.pk]), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/workbench/"
    assert 'data-unread="1"' in client.get(reverse("web:notifications")).content.decode()

    client.post(reverse("web:notifications_read_all"))
    assert 'data-unread="0"' in client.get(reverse("web:notifications")).content.decode()
    assert Notification.objects.get(user=people.carol).read_at is None


@pytest.mark.django_db
def test_another_users_notification_answers_404(people, client):
    theirs = Notification.objects.create(user=people.carol, title="Carol's")
    client.force_login(people.bob)
    assert client.post(reverse("web:notification_read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_the_language_switch_keeps_the_users_language_for_notices(people, client):
    client.force_login(people.alice)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    people.alice.refresh_from_db()
    assert people.alice.language == "zh-hans"


@pytest.mark.django_db
def test_the_bell_stops_counting_past_99(people, client):
    """Every page counts the bell: past 99 it says "99+" and the count reads no further (a LIMIT)."""
    Notification.objects.bulk_create(Notification(user=people.bob, title=f"N{n}") for n in range(99))
    client.force_login(people.bob)
    assert 'data-unread="99"' in client.get(reverse("web:notifications")).content.decode()
    Notification.objects.create(user=people.bob, title="The hundredth")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:notifications")).content.decode()
    assert 'data-unread="99+"' in page and ">99+</span>" in page
    assert "more than 99 unread" in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "read_at" in q["sql"]]
    assert counts and all("LIMIT 100" in sql for sql in counts), counts


@pytest.mark.django_db
def test_the_list_reads_the_users_newest_by_index(people):
    """The list's page comes from index `notification_newest` in its order: no sort of the user's rows."""
    Notification.objects.create(user=people.bob, title="One")
    rows = Notification.objects.filter(user=people.bob).order_by("-created_at", "-id")[:20]
    sql, params = rows.query.sql_with_params()
    # Costed as a large table on PostgreSQL: one row with the suite's autovacuum statistics was read by the
    # user's index and sorted (cheaper for one row).
    as_large_on_postgresql({"notify_notification": 1_000_000})
    plan = plan_of(sql, params)
    assert "notification_newest" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
