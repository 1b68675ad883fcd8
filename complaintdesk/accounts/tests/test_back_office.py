"""Every regulator officer uses the back office (the Django admin); shop staff and consumers do not."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.deadlines.models import PolicyRule
from complaintdesk.deadlines.services import ensure_default_policy


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_regulator_officer_who_is_no_superuser_edits_the_deadline_policy(people):
    assert people.rita.is_staff and not people.rita.is_superuser
    ensure_default_policy()
    rule = PolicyRule.objects.filter(phase="resolution").first()
    client = _client(people.rita)
    assert client.get(reverse("admin:index")).status_code == 200
    page = client.get(reverse("admin:deadlines_policy_change", args=[rule.policy_id]))
    assert page.status_code == 200 and f'value="{rule.days}"' in page.content.decode()  # its rules, editable
    assert client.get(reverse("admin:deadlines_calendaroverride_add")).status_code == 200
    # Django's own groups and permissions stay the superuser's.
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_consumers_and_shop_staff_never_reach_the_back_office(people, who):
    user = getattr(people, who)
    user.is_staff = True  # even when set by hand
    user.save()
    user.refresh_from_db()
    assert not user.is_staff
    response = _client(user).get(reverse("admin:deadlines_policy_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.django_db
def test_an_officer_who_leaves_the_regulator_loses_the_back_office(people):
    people.rita.role = "consumer"
    people.rita.save()
    assert not people.rita.is_staff
    assert not people.rita.has_perm("deadlines.change_policyrule")
