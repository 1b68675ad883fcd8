"""The shop's page in the Django admin: hours changed there apply to new complaints as a publication's do,
and the coordinator designations shown there cannot be made or changed past `designate_coordinator`."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import CoordinatorDesignation
from complaintdesk.notify import outbox

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def officer(people):
    people.rita.is_staff = people.rita.is_superuser = True
    people.rita.save()
    client = Client()
    client.force_login(people.rita)
    return client


def change_page_data(page, **changes) -> dict:
    """What the browser would send back from the change page: every editable field and inline form."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {f.html_name: f.value() for form in forms for f in form if f.value() is not None}
    return {**data, **changes}


@pytest.mark.django_db
def test_hours_changed_in_the_admin_move_no_open_deadline_and_say_so(officer, people):
    url = reverse("admin:merchants_merchant_change", args=[people.acme.pk])
    with time_machine.travel(datetime(2026, 6, 3, 10, tzinfo=SH), tick=False):
        complaint = factories.complaint(people.alice, people.acme, kind="quality_issue")
        hours = json.dumps({str(d): [["09:00", "13:00"]] for d in range(5)})
        response = officer.post(url, change_page_data(officer.get(url), service_hours=hours))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert complaint.deadlines.get(phase="reply").due_at == datetime(2026, 6, 3, 14, tzinfo=SH)
    assert str(profile.WORKING_TIME_CHANGED) in [m.message for m in get_messages(response.wsgi_request)]
    people.acme.refresh_from_db()
    assert people.acme.working_time_since == datetime(2026, 6, 3, 10, tzinfo=SH)
    assert people.acme.service_info_revisions.first().changed_fields == ["service_hours"]


@pytest.mark.django_db
def test_hours_below_the_regulators_minimum_are_refused_in_the_admin(officer, people):
    url = reverse("admin:merchants_merchant_change", args=[people.acme.pk])
    hours = json.dumps({str(d): [["09:00", "12:59"]] for d in range(7)})
    page = officer.post(url, change_page_data(officer.get(url), service_hours=hours))
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert list(errors) == ["service_hours"]
    assert "at least 5 days a week with at least 4 hours each; these cover 0" in errors["service_hours"][0]
    people.acme.refresh_from_db()
    assert (people.acme.service_hours["0"], people.acme.working_time_since) == ([["09:00", "18:00"]], None)


@pytest.mark.django_db
def test_the_admin_cannot_designate_a_coordinator_past_the_service(officer, people):
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "138 0013 8000")
    url = reverse("admin:merchants_merchant_change", args=[people.acme.pk])
    data = change_page_data(officer.get(url))
    # A second designation row and an edited first one, as a hand-made POST would send them.
    data.update(
        {
            "coordinator_designations-TOTAL_FORMS": "2",
            "coordinator_designations-0-user": people.bob.pk,
            "coordinator_designations-1-user": people.bob.pk,
            "coordinator_designations-1-direct_phone": "138 0013 8001",
            "coordinator_designations-1-started_at": "2026-06-03 10:00:00",
        }
    )
    assert officer.post(url, data).status_code == 302

    assert list(CoordinatorDesignation.objects.values_list("user__username", "ended_at")) == [("carol", None)]
    roles = dict(User.objects.filter(merchant=people.acme).values_list("username", "role"))
    assert roles == {"bob": Role.MERCHANT_AGENT, "carol": Role.MERCHANT_COORDINATOR}
    assert [t[1] for t in outbox.shop_targets(people.acme, coordinators_only=True)] == ["carol@acme.test"]
