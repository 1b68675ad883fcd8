"""An officer chooses how alerts reach them (at once, in the daily digest, not at all) on their notifications
page, and the back office's user page shows and sets it for an officer; nobody else has the setting."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import AlertNotices, User
from complaintdesk.accounts.tests.forms import posted_form
from complaintdesk.notify import outbox
from complaintdesk.notify.models import USER, USER_DIGEST


def _client(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _ticked(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="alert_notices" value="(\w+)"[^>]*\bchecked', page)


def _setting(user) -> str:
    return User.objects.get(pk=user.pk).alert_notices


@pytest.mark.django_db
def test_an_officer_sees_their_setting_and_changes_it_on_the_notifications_page(people):
    client = _client(people.rita)
    page = client.get(reverse("web:notifications")).content.decode()
    assert 'id="alert-settings"' in page and f'action="{reverse("web:alert_notices")}"' in page
    for choice in AlertNotices:
        assert f'value="{choice.value}"' in page
    assert _ticked(page) == ["immediate"]  # the default

    saved = client.post(reverse("web:alert_notices"), {"alert_notices": AlertNotices.DAILY_DIGEST})
    assert saved.status_code == 302 and saved["Location"] == reverse("web:notifications")
    assert _setting(people.rita) == AlertNotices.DAILY_DIGEST
    after = client.get(reverse("web:notifications")).content.decode()
    assert "Saved: In a daily digest." in after and _ticked(after) == ["digest"]
    # What the outbox does with it: the digest, then nothing at all.
    assert (USER_DIGEST, str(people.rita.pk), None) in outbox.officer_targets()
    client.post(reverse("web:alert_notices"), {"alert_notices": AlertNotices.OFF})
    assert str(people.rita.pk) not in [target for _kind, target, _c in outbox.officer_targets()]


@pytest.mark.django_db
def test_the_setting_reads_in_chinese(people):
    page = _client(people.rita, "zh-hans").get(reverse("web:notifications")).content.decode()
    assert "立即" in page  # "Immediately", from the catalogue


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "weekly", "immediately"])
def test_a_bad_choice_is_named_at_its_field_and_nothing_changes(people, value):
    response = _client(people.rita).post(reverse("web:alert_notices"), {"alert_notices": value})
    page = response.content.decode()
    assert response.status_code == 422
    assert page.split('id="field-alert_notices"', 1)[1].split("</div>", 1)[0].count('class="error"') == 1
    assert _setting(people.rita) == AlertNotices.IMMEDIATELY


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_nobody_but_an_officer_has_the_setting(people, who):
    user = getattr(people, who)
    client = _client(user)
    assert 'id="alert-settings"' not in client.get(reverse("web:notifications")).content.decode()
    refused = client.post(reverse("web:alert_notices"), {"alert_notices": AlertNotices.OFF})
    assert refused.status_code == 403
    assert _setting(user) == AlertNotices.IMMEDIATELY


@pytest.mark.django_db
def test_the_page_takes_only_a_post(people):
    assert _client(people.rita).get(reverse("web:alert_notices")).status_code == 405


# ------------------------------------------------------------------------------------------ back office


def _change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.mark.django_db
def test_an_officer_sets_it_on_their_own_page_in_the_back_office(people):
    client = _client(people.rita)
    page = client.get(_change_url(people.rita))
    assert "alert_notices" in page.context["adminform"].form.fields
    data = posted_form(page, "user_form")
    assert data["alert_notices"] == AlertNotices.IMMEDIATELY
    data["alert_notices"] = AlertNotices.OFF
    assert client.post(_change_url(people.rita), data).status_code == 302
    assert _setting(people.rita) == AlertNotices.OFF
    assert (USER, str(people.rita.pk), None) not in outbox.officer_targets()


@pytest.mark.django_db
def test_a_superuser_sets_an_officers_setting_and_a_consumers_page_has_none(people):
    root = User.objects.create_superuser("root", password="root-secret-1")
    client = _client(root)
    page = client.get(_change_url(people.rita))
    data = posted_form(page, "user_form")
    data["alert_notices"] = AlertNotices.DAILY_DIGEST
    assert client.post(_change_url(people.rita), data).status_code == 302
    assert _setting(people.rita) == AlertNotices.DAILY_DIGEST
    assert "alert_notices" not in client.get(_change_url(people.alice)).context["adminform"].form.fields
