"""The console's mail page: the regulator reads the e-mails written to files in local use."""

import os
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from complaintdesk.notify import mailfiles

SUBJECT = "投诉 CD-2026-000123 已升级至 12315 中心：商家已超过 48 小时未回复"


@pytest.fixture
def mail_files(settings, tmp_path):
    settings.EMAIL_BACKEND = mailfiles.BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(datetime(2026, 11, 28, 2, 30, 5, tzinfo=UTC), tick=False):
        EmailMessage(
            SUBJECT,
            "您好，\n<b>请登录查看。</b>",
            to=["alice@example.test"],
            headers={"Message-ID": "<m1@complaintdesk>"},
        ).send()
    return "m1@complaintdesk"


@pytest.mark.django_db
def test_the_regulator_lists_the_mail_and_opens_a_message(people, browser_of, mail_files):
    rita = browser_of(people.rita)
    page = rita.get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:mail")}"' in page  # in the console's navigation

    page = rita.get(reverse("web:mail")).content.decode()
    assert SUBJECT in page and "=?utf-8?" not in page
    assert "alice@example.test" in page
    assert "2026-11-28 10:30:05" in page  # the sending time, in the regulator's time zone
    assert f'href="{reverse("web:mail_message", args=[mail_files])}"' in page

    page = rita.get(reverse("web:mail_message", args=[mail_files])).content.decode()
    assert f"<h1>{SUBJECT}</h1>" in page
    assert "您好，<br>&lt;b&gt;请登录查看。&lt;/b&gt;" in page  # the body as text, never as HTML
    assert "ComplaintDesk &lt;noreply@complaintdesk.local&gt;" in page


@pytest.mark.django_db
def test_the_mail_pages_are_the_regulators_only(people, browser_of, mail_files):
    for url in (reverse("web:mail"), reverse("web:mail_message", args=[mail_files])):
        for person in (people.alice, people.bob, people.carol):
            assert browser_of(person).get(url).status_code == 403, (url, person)
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = browser_of(people.alice).get(reverse("web:my_complaints")).content.decode()
    assert f'href="{reverse("web:mail")}"' not in page


@pytest.mark.django_db
def test_an_unknown_or_unsafe_message_address_is_not_found(people, browser_of, mail_files, settings):
    (settings.EMAIL_FILE_PATH.parent / "secret.eml").write_text("Subject: not mail\n\nhidden")
    rita = browser_of(people.rita)
    for name in ("missing@complaintdesk", "..", "...secret", ".m1@complaintdesk"):
        assert rita.get(reverse("web:mail_message", args=[name])).status_code == 404, name
    assert rita.get("/console/mail/..%2Fsecret/").status_code == 404


@pytest.mark.django_db
def test_with_a_real_mail_backend_there_is_no_mail_page(people, browser_of, mail_files, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    rita = browser_of(people.rita)
    assert rita.get(reverse("web:mail")).status_code == 404
    assert rita.get(reverse("web:mail_message", args=[mail_files])).status_code == 404
    assert f'href="{reverse("web:mail")}"' not in rita.get(reverse("web:dashboard")).content.decode()


@pytest.mark.django_db
def test_the_mail_list_pages_by_fifty_newest_first(people, browser_of, settings, tmp_path):
    settings.EMAIL_BACKEND = mailfiles.BACKEND
    settings.EMAIL_FILE_PATH = tmp_path
    backend = mailfiles.EmailBackend()
    backend.send_messages(
        [
            EmailMessage(f"Notice {i}", "b", to=["x@example.test"], headers={"Message-ID": f"<{i}@cd>"})
            for i in range(51)
        ]
    )
    for i in range(51):  # file times decide the order: notice 50 is the newest
        os.utime(tmp_path / f"{i}@cd.eml", ns=(10**18 + i, 10**18 + i))
    rita = browser_of(people.rita)
    first = rita.get(reverse("web:mail")).content.decode()
    assert "Notice 50" in first and "Notice 1<" in first and "Notice 0<" not in first
    assert "Page 1 of 2" in first
    assert "Notice 0<" in rita.get(reverse("web:mail"), {"page": "2"}).content.decode()
