"""Pages anyone may open, sign-up, log-in landing, and who may open which page."""

import pytest
from django.test import Client
from django.urls import reverse

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories


@pytest.mark.django_db
def test_the_directory_lists_active_shops_with_their_service_hours(people):
    people.bazaar.is_active = False
    people.bazaar.save()
    page = Client().get(reverse("web:directory"))
    assert page.status_code == 200
    assert b"Acme Online" in page.content
    assert b"Bazaar Mall" not in page.content
    assert "Mon–Fri 09:00–18:00" in page.content.decode()


@pytest.mark.django_db
def test_the_directory_search_finds_a_shop_by_name(people):
    page = Client().get(reverse("web:directory"), {"q": "bazaar"})
    assert b"Bazaar Mall" in page.content and b"Acme Online" not in page.content


@pytest.mark.django_db
def test_a_public_scorecard_shows_figures_but_no_personal_data(people):
    c = factories.complaint(people.alice, people.acme)

    services.perform(c.pk, people.bob, "respond", "Looking into it")
    page = Client().get(reverse("web:scorecard", args=[people.acme.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Answered in time" in text and "100.0 %" in text
    assert "alice" not in text and "ORD-1" not in text
    assert Client().get(reverse("web:scorecards")).status_code == 200


@pytest.mark.django_db
def test_sign_up_creates_a_consumer_and_logs_in(people):
    client = Client()
    response = client.post(
        reverse("web:signup"),
        {
            "username": "frank",
            "email": "",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302 and response.url == reverse("web:file_complaint")
    frank = User.objects.get(username="frank")
    assert frank.role == Role.CONSUMER and frank.merchant is None
    assert client.get(reverse("web:my_complaints")).status_code == 200


@pytest.mark.django_db
def test_sign_up_shows_the_problem_next_to_the_field(people):
    page = Client().post(
        reverse("web:signup"), {"username": "alice", "password1": "short", "password2": "other"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="field-username"' in text and "already exists" in text
    assert not User.objects.filter(username="frank").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "home"),
    [("alice", "web:my_complaints"), ("bob", "web:queue"), ("carol", "web:queue"), ("rita", "web:dashboard")],
)
def test_logging_in_lands_on_the_roles_home_page(people, who, home):
    client = Client()
    response = client.post(reverse("login"), {"username": who, "password": f"pw-{who}"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_is_said_plainly(people):
    page = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert b"Wrong username or password" in page.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("web:my_complaints", {"alice"}),
        ("web:file_complaint", {"alice"}),
        ("web:queue", {"bob", "carol"}),
        ("web:shop_profile", {"bob", "carol"}),
        ("web:dashboard", {"rita"}),
        ("web:escalations", {"rita"}),
        ("web:all_complaints", {"rita"}),
        ("web:alerts", {"rita"}),
        ("web:regulator_scorecards", {"rita"}),
    ],
)
def test_each_role_opens_only_its_own_pages(people, browser_of, url, allowed):
    for who in ("alice", "bob", "carol", "rita"):
        status = browser_of(getattr(people, who)).get(reverse(url)).status_code
        assert status == (200 if who in allowed else 403), (who, url, status)
    anonymous = Client().get(reverse(url))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_navigation_shows_each_roles_links(people, browser_of):
    assert b"My complaints" in browser_of(people.alice).get("/").content
    assert b"Our shop" in browser_of(people.bob).get("/").content
    assert b"Dashboard" in browser_of(people.rita).get("/").content
    anonymous = Client().get("/").content
    assert b"Sign up" in anonymous and b"My complaints" not in anonymous


@pytest.mark.django_db
def test_the_language_switch_turns_the_pages_chinese_and_back(people):
    client = Client()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("web:directory")).content.decode()
    assert "商家名录" in page and 'lang="zh-Hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Shop directory" in client.get(reverse("web:directory")).content.decode()


@pytest.mark.django_db
def test_the_browser_language_chooses_chinese(people):
    page = Client(headers={"accept-language": "zh-CN,zh;q=0.9"}).get("/").content.decode()
    assert "网购投诉" in page
