"""Alert titles are rendered from their stored facts in the reader's language: the category's label, not its
code; plain words and grouped numbers for the probability, never scientific notation; times in the zone."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from complaintdesk.alerts import services, titles
from complaintdesk.alerts.models import Alert, AlertKind
from complaintdesk.complaints.models import Category

SH = ZoneInfo("Asia/Shanghai")
RAISED = datetime(2026, 12, 2, 17, 5, tzinfo=SH)
SURGE_FACTS = {
    "shop": "Acme Online",
    "category": "quality",
    "observed": 12,
    "expected": 0.05,
    "p_value": 4.9e-25,
    "window_start": "2026-12-02T06:00:00+00:00",
    "window_end": "2026-12-02T07:00:00+00:00",
}
fill_facts = importlib.import_module("complaintdesk.alerts.migrations.0002_alert_facts").fill_facts


@pytest.mark.parametrize(
    ("p_value", "words"),
    [
        (4.9e-25, "far above normal (a chance of less than 1 in 1,000,000,000,000)"),
        (0.0, "far above normal (a chance of less than 1 in 1,000,000,000,000)"),
        (4.9e-10, "far above normal (a chance of about 1 in 2,000,000,000)"),
        (2.3e-5, "well above normal (a chance of about 1 in 43,000)"),
        (0.0009, "well above normal (a chance of about 1 in 1,100)"),
    ],
)
def test_a_probability_is_said_in_plain_words_with_grouped_odds(p_value, words):
    assert titles.chance(p_value) == words
    assert titles.chance(None) == ""


@pytest.mark.parametrize(("odds", "rounded"), [(7.4, 7), (13_456, 13_000), (2_041_877, 2_000_000), (0.2, 1)])
def test_odds_keep_two_significant_digits(odds, rounded):
    assert titles.round_odds(odds) == rounded


def test_an_expected_count_below_one_is_fewer_than_one():
    assert titles.expected_words(0.05) == "fewer than 1 expected"
    assert titles.expected_words(3.4) == "about 3 expected"
    assert titles.expected_count(0.41) == "fewer than 1"
    assert titles.expected_count(1234.5) == "about 1,234"


def test_a_surge_names_its_category_by_label_and_its_hour_in_the_readers_zone():
    with timezone.override(SH):
        title = titles.render(AlertKind.SURGE_CATEGORY, SURGE_FACTS, "Quality")
    assert title == (
        "Surge at Acme Online: 12 “Quality” complaints from 2026-12-02 14:00 to 15:00, fewer than 1 "
        "expected, far above normal (a chance of less than 1 in 1,000,000,000,000)"
    )
    assert "quality" not in title and "e-25" not in title and "0.1" not in title


def test_every_kind_renders_and_facts_without_a_shop_render_nothing():
    mass = {"shop": "Acme Online", "observed": 6, "window_hours": 24}
    assert titles.render("mass_incident", {**mass, "pattern": "product", "value": "Air Fryer X"}) == (
        "Mass-incident risk at Acme Online: 6 complaints about the same product “Air Fryer X” within 24 hours"
    )
    assert "nearly the same text" in titles.render("mass_incident", {**mass, "pattern": "text"})
    amount = {**mass, "pattern": "amount", "amount": "199.00", "category": "quality"}
    assert "of the same amount (¥199.00) in “质量”" in titles.render("mass_incident", amount, "质量")
    assert "order numbers beginning “JD-2026-”" in titles.render(
        "mass_incident", {**mass, "pattern": "order_pattern", "value": "JD-2026-"}
    )
    named = {"shop": "Acme Online", "source": "named", "promotion": "Spring Sale", "observed": 1}
    assert titles.render("unfiled_promotion", named) == (
        "Acme Online: 1 complaint names the promotion “Spring Sale”, which the shop never filed"
    )
    sale = {"shop": "Acme Online", "source": "sale_surge", "promotion": "Double 11 2026", "observed": 12}
    assert titles.render("unfiled_promotion", {**sale, "expected": 0.41, "p_value": 1e-9}) == (
        "Acme Online: 12 complaints during Double 11 2026 without a promotion filing, fewer than 1 expected, "
        "far above normal (a chance of about 1 in 1,000,000,000)"
    )
    assert titles.render("surge", {"observed": 3}) == ""
    assert titles.render("mass_incident", {"shop": "Acme Online", "pattern": "unknown"}) == ""


def _surge_alert(people, **facts):
    quality = Category.objects.get(code="quality")
    with time_machine.travel(RAISED, tick=False):
        alert, _ = services.raise_alert(
            AlertKind.SURGE_CATEGORY, people.acme, "quality:2026-12-02T14",
            "Surge at Acme Online: 12 'quality' complaints in the hour from 2026-12-02 14:00, 0.1 expected",
            category_id=quality.pk, observed=12, expected=0.05, p_value=4.9e-25,
            window_start=datetime(2026, 12, 2, 14, tzinfo=SH), window_end=datetime(2026, 12, 2, 15, tzinfo=SH),
            facts={**SURGE_FACTS, **facts},
        )  # fmt: skip
    return alert


def _console(user, language):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "other", "expected"),
    [("en", "“Quality”", "质量", "fewer than 1"), ("zh-hans", "“质量”", "Quality", "预期不足 1 件")],
)
def test_the_console_shows_the_title_in_the_readers_language(people, language, label, other, expected):
    alert = _surge_alert(people)
    client = _console(people.rita, language)
    for page in (client.get(reverse("web:alerts")), client.get(reverse("web:alert", args=[alert.pk]))):
        html = page.content.decode()
        assert label in html and f"12 {other}" not in html
        assert "'quality'" not in html and "&#x27;quality&#x27;" not in html
        assert "e-25" not in html and "0.1 expected" not in html
    detail = client.get(reverse("web:alert", args=[alert.pk])).content.decode()
    assert "1,000,000,000,000" in detail and expected in detail


@pytest.mark.django_db
def test_an_alert_without_facts_shows_its_stored_title(people):
    alert, _ = services.raise_alert(AlertKind.SURGE, people.acme, "k", "Surge at Acme (as raised)")
    assert alert.facts == {} and alert.shown_title == "Surge at Acme (as raised)"
    assert (
        "Surge at Acme (as raised)" in _console(people.rita, "en").get(reverse("web:alerts")).content.decode()
    )


@pytest.mark.django_db
def test_the_api_title_follows_the_requests_language_and_carries_the_facts(people, api):
    alert = _surge_alert(people)
    client = api(people.rita)
    english = client.get(f"/alerts/{alert.pk}").json()
    chinese = client.get(f"/alerts/{alert.pk}", headers={"accept-language": "zh-hans"}).json()
    assert english["title"].startswith("Surge at Acme Online: 12 “Quality” complaints from 2026-12-02 14:00")
    assert "“质量”" in chinese["title"] and "Quality" not in chinese["title"]
    assert english["facts"] == SURGE_FACTS
    listed = client.get("/alerts", headers={"accept-language": "zh-hans"}).json()["items"]
    assert listed[0]["title"] == chinese["title"]


@pytest.mark.django_db
def test_the_title_exists_in_every_language_for_a_notice(people):
    titles_ = _surge_alert(people).titles_by_language()
    assert set(titles_) == {"en", "zh-hans"}
    assert "“Quality”" in titles_["en"] and "“质量”" in titles_["zh-hans"]


@pytest.mark.django_db
def test_the_migration_fills_facts_from_fields_and_details_or_leaves_the_title(people):
    quality = Category.objects.get(code="quality")
    when = {
        "window_start": datetime(2026, 12, 2, 14, tzinfo=SH),
        "window_end": datetime(2026, 12, 2, 15, tzinfo=SH),
    }
    old = dict(merchant=people.acme, raised_at=RAISED)
    surge = Alert.objects.create(
        kind="surge_category", episode_key="a", category=quality, observed=12, expected=0.05, p_value=4.9e-25,
        title="Surge at Acme Online: 12 'quality' complaints in the hour from 2026-12-02 14:00, 0.1 expected",
        **when, **old,
    )  # fmt: skip
    amount = Alert.objects.create(
        kind="mass_incident", episode_key="b", observed=6,
        title="Mass-incident risk at Acme Online: 6 complaints with the same amount and category "
        "(199.00 quality) within 24 h",
        details={"pattern": "amount", "value": "199.00 quality", "sample": "…"}, **old,
    )  # fmt: skip
    named = Alert.objects.create(
        kind="unfiled_promotion", episode_key="c", observed=2, title="Acme Online: complaints name …",
        details={"source": "named", "promotion": "Spring Sale", "named_as": "spring sale"}, **old,
    )  # fmt: skip
    unknown = Alert.objects.create(kind="mass_incident", episode_key="d", title="Same text ×12", **old)
    fill_facts(apps, None)
    for alert in (surge, amount, named, unknown):
        alert.refresh_from_db()
    assert surge.facts == SURGE_FACTS  # the window in UTC, as the database gives it back
    assert amount.facts == {
        "shop": "Acme Online", "observed": 6, "pattern": "amount", "value": "", "amount": "199.00",
        "category": "quality", "window_hours": 24,
    }  # fmt: skip
    assert amount.category == quality
    assert named.facts == {
        "shop": "Acme Online",
        "observed": 2,
        "source": "named",
        "promotion": "Spring Sale",
    }
    assert unknown.facts == {} and unknown.shown_title == "Same text ×12"
    with translation.override("zh-hans"), timezone.override(SH):
        assert "“质量”" in surge.shown_title and "14:00 至 15:00" in surge.shown_title
