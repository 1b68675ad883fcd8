"""The deadline policy as the regulator keeps it: one is always active (seeded by a data migration, never
created by a read), another replaces it in one step, and an inactive one may go."""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import services
from complaintdesk.deadlines.models import Clock, Phase, Policy, PolicyRule
from complaintdesk.merchants.tests.test_admin import change_page_data

SH = ZoneInfo("Asia/Shanghai")
seed = importlib.import_module("complaintdesk.deadlines.migrations.0004_default_policy").seed


def _officer(people) -> Client:
    client = Client()
    client.force_login(people.rita)
    return client


def _active() -> list[str]:
    return list(Policy.objects.filter(is_active=True).values_list("name", flat=True))


@pytest.mark.django_db
def test_the_migration_seeds_the_default_policy_with_the_spec_table():
    (policy,) = Policy.objects.all()
    assert (policy.name, policy.is_active) == ("Online retail regulation (default)", True)
    rules = list(policy.rules.values_list("phase", "clock", "received_in", "kind", "duration", "days"))
    assert rules == [
        ("first_response", "wall", "working_time", "", timedelta(hours=2), None),
        ("first_response", "wall", "outside_working_time", "", timedelta(hours=12), None),
        ("reply", "business", "any", "quality_issue", timedelta(hours=4), None),
        ("resolution", "working_days", "any", "", None, 7),
    ]


@pytest.mark.django_db
def test_the_seed_keeps_a_database_that_has_an_active_policy_as_it_is():
    (default,) = Policy.objects.all()
    own = Policy.objects.create(name="The regulator's own", is_active=True)
    rules = PolicyRule.objects.count()
    seed(apps, None)
    assert _active() == [own.name]
    assert (Policy.objects.count(), PolicyRule.objects.count()) == (2, rules)
    default.refresh_from_db()
    assert not default.is_active


@pytest.mark.django_db
def test_the_seed_activates_the_default_again_in_a_database_left_without_an_active_policy():
    Policy.objects.update(is_active=False)  # the state the outside probe's attack left behind
    rules = PolicyRule.objects.count()
    seed(apps, None)
    assert _active() == ["Online retail regulation (default)"]
    assert (Policy.objects.count(), PolicyRule.objects.count()) == (1, rules)


@pytest.mark.django_db
def test_reading_the_active_policy_creates_nothing_even_when_none_is_active():
    Policy.objects.update(is_active=False)
    with pytest.raises(services.NoActivePolicy):
        services.active_policy()
    assert _active() == [] and Policy.objects.count() == 1


@pytest.mark.django_db
def test_activating_another_policy_in_the_admin_replaces_the_active_one_and_recomputes(people):
    with time_machine.travel(datetime(2026, 6, 3, 10, tzinfo=SH), tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    stricter = Policy.objects.create(name="Stricter")
    PolicyRule.objects.create(
        policy=stricter, phase=Phase.RESOLUTION, clock=Clock.WORKING_DAYS, days=3, label="3 working days"
    )
    officer = _officer(people)
    url = reverse("admin:deadlines_policy_change", args=[stricter.pk])
    with time_machine.travel(datetime(2026, 6, 3, 11, tzinfo=SH), tick=False):
        response = officer.post(url, change_page_data(officer.get(url), is_active="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _active() == ["Stricter"]
    resolution = complaint.deadlines.get(phase="resolution")
    assert (resolution.due_at, resolution.rule_label) == (
        datetime(2026, 6, 8, 18, tzinfo=SH),
        "3 working days",
    )
    assert "Deadlines recomputed for 1 open complaint." in [
        m.message for m in get_messages(response.wsgi_request)
    ]


@pytest.mark.django_db
def test_an_inactive_policy_may_be_deleted(people):
    old = Policy.objects.create(name="Old draft")
    response = _officer(people).post(reverse("admin:deadlines_policy_delete", args=[old.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(Policy.objects.values_list("name", flat=True)) == ["Online retail regulation (default)"]


@pytest.mark.django_db
def test_ensure_default_policy_puts_the_default_back_when_none_is_active():
    Policy.objects.update(is_active=False, name="Retired")
    policy = services.ensure_default_policy()
    assert (policy.name, policy.is_active, policy.rules.count()) == (
        "Online retail regulation (default)",
        True,
        4,
    )
