"""The Django admin as the regulator's back office: every page opens, and the event log is read-only."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories

MODELS = [
    "merchants/merchant", "accounts/user", "accounts/apitoken", "complaints/category", "complaints/complaint",
    "complaints/complaintevent", "deadlines/policy", "deadlines/calendaroverride",
    "notify/notificationchannel", "notify/outboxmessage",
]  # fmt: skip


@pytest.fixture
def officer(people):
    people.rita.is_staff = people.rita.is_superuser = True
    people.rita.save()
    client = Client()
    client.force_login(people.rita)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_every_back_office_list_opens(officer, people, model):
    factories.complaint(people.alice, people.acme)
    assert officer.get(f"/admin/{model}/").status_code == 200


@pytest.mark.django_db
def test_a_complaint_page_shows_its_deadlines_and_events_read_only(officer, people):
    c = factories.complaint(people.alice, people.acme)
    page = officer.get(reverse("admin:complaints_complaint_change", args=[c.pk]))
    assert page.status_code == 200
    assert b"first response within" in page.content  # the deadline rule
    assert b"submit" in page.content
    event = ComplaintEvent.objects.get(complaint=c)
    assert (
        officer.post(
            reverse("admin:complaints_complaintevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_event_log_refuses_updates_and_deletes_in_code(people):
    c = factories.complaint(people.alice, people.acme)
    event = ComplaintEvent.objects.get(complaint=c)
    event.message = "rewritten history"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


@pytest.mark.django_db
def test_the_home_page_lists_the_shop_directory(people):
    page = Client().get("/")
    assert page.status_code == 200
    assert b"Acme Online" in page.content
