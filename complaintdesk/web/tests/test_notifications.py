"""The bell: every signed-in user's unread count in the header, their list, mark as read; nobody else's."""

import pytest
from django.urls import reverse

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
