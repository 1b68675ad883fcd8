"""Every regulator officer uses the back office (the Django admin); shop staff and consumers do not."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.backends import OFFICE_APPS
from complaintdesk.accounts.models import User
from complaintdesk.complaints.tests import factories
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


OFFICE_MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in OFFICE_APPS), key=lambda m: m._meta.label
)


@pytest.mark.django_db
@pytest.mark.parametrize("model", OFFICE_MODELS, ids=lambda m: m._meta.label)
def test_every_back_office_page_of_our_apps_opens_for_an_officer_who_is_no_superuser(people, rf, model):
    """The daily work (policies, calendar, shops, taxonomy, users, complaints) needs no superuser; an add
    page is refused only where its admin adds nothing by design (the event log, API tokens…)."""
    factories.complaint(people.alice, people.acme)
    client = _client(people.rita)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    request = rf.get("/admin/")
    request.user = people.rita
    addable = admin.site.get_model_admin(model).has_add_permission(request)
    expected = 200 if addable else 403
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == expected


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


@pytest.mark.django_db
def test_the_demo_officer_is_no_superuser_and_admin_is_printed_for_set_up_only(capsys):
    call_command("seed_demo")
    regulator, admin_user = User.objects.get(username="regulator"), User.objects.get(username="admin")
    assert regulator.is_staff and not regulator.is_superuser
    assert admin_user.is_superuser and admin_user.check_password("demo")
    assert "For set-up only: admin (password 'demo')" in capsys.readouterr().out
    officer = _client(regulator)
    assert (
        officer.get(reverse("admin:accounts_user_change", args=[admin_user.pk])).context[
            "has_change_permission"
        ]
        is False
    )
    assert officer.get(reverse("web:dashboard")).status_code == 200
