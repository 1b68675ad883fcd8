"""Messages name a field as the form labels it and show times in the reader's zone: no internal field
names, no UTC offsets, no Python lists, no Django "this value" (issue 16, item 6)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from complaintdesk.merchants.models import validate_countable_hours
from complaintdesk.promotions.models import Promotion
from complaintdesk.web.tests.test_promotion_filings import _form
from complaintdesk.web.tests.test_shop_settings import HOURS, coordinated  # noqa: F401 (a fixture)

# 17:05 UTC is 01:05 the next day in Shanghai, the zone the filing form reads and shows its times in.
NOW = datetime(2026, 12, 2, 17, 5, tzinfo=UTC)


def _field(page, name: str) -> str:
    return page.content.decode().split(f'id="field-{name}"', 1)[1].split("</div>", 1)[0]


def _chinese(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.mark.django_db
def test_a_start_in_the_past_is_refused_with_now_in_the_pages_zone(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        client = browser_of(people.bob)
        past = {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-04T09:00"}
        english = client.post(reverse("web:new_filing"), _form(**past))
        chinese = _chinese(browser_of(people.bob)).post(reverse("web:new_filing"), _form(**past))
    assert english.status_code == chinese.status_code == 422
    assert "must be in the future (now is 2026-12-03 01:05)" in _field(english, "starts_at")
    assert "须晚于当前时间（现在是 2026-12-03 01:05）" in _field(chinese, "starts_at")
    assert "+00:00" not in english.content.decode() + chinese.content.decode()
    assert not Promotion.objects.exists()


@pytest.mark.django_db
def test_more_peak_hour_orders_than_orders_names_the_total_as_labelled(people, browser_of):
    page = browser_of(people.bob).post(
        reverse("web:new_filing"), _form(expected_orders="5000", peak_hour_orders="6000")
    )
    assert page.status_code == 422
    assert "cannot exceed the expected orders in total (5000)" in _field(page, "peak_hour_orders")
    assert "expected_orders" not in _field(page, "peak_hour_orders")


@pytest.mark.django_db
def test_a_text_too_long_names_the_field_by_its_label_in_both_languages(people, browser_of):
    too_long = _form(name="x" * 201)
    english = browser_of(people.bob).post(reverse("web:new_filing"), too_long)
    chinese = _chinese(browser_of(people.bob)).post(reverse("web:new_filing"), too_long)
    assert english.status_code == chinese.status_code == 422
    assert "“Name of the promotion” may have at most 200 characters (it has 201)." in _field(english, "name")
    assert "this value" not in _field(english, "name")
    # Chinese: the label as the Chinese form shows it, never Django's "该变量" / "该值".
    assert "“促销活动名称”" in _field(chinese, "name")
    assert "该变量" not in _field(chinese, "name") and "该值" not in _field(chinese, "name")


@pytest.mark.django_db
def test_a_number_below_its_minimum_names_the_field(people, browser_of):
    page = browser_of(people.bob).post(reverse("web:new_filing"), _form(staff_per_shift="0"))
    assert page.status_code == 422
    assert "“Customer-service staff per shift” must be greater than or equal to 1." in _field(
        page, "staff_per_shift"
    )


@pytest.mark.django_db
def test_fields_a_form_adds_in_its_own_init_are_labelled_too(coordinated, browser_of):  # noqa: F811
    page = browser_of(coordinated.carol).post(reverse("web:service_hours"), {**HOURS, "day_0": "9" * 201})
    assert page.status_code == 422
    assert "“Monday” may have at most 200 characters (it has 201)." in _field(page, "day_0")


@pytest.mark.django_db
def test_an_interval_that_ends_before_it_starts_reads_as_times_not_a_list(coordinated, browser_of):  # noqa: F811
    page = browser_of(coordinated.carol).post(reverse("web:service_hours"), {**HOURS, "day_0": "18:00-09:00"})
    assert page.status_code == 422
    assert "The interval 18:00–09:00 ends before it starts." in _field(page, "day_0")
    assert "[" not in _field(page, "day_0")


def test_the_domain_check_words_the_interval_as_times():
    with pytest.raises(ValidationError) as refused:
        validate_countable_hours({"0": [["18:00", "09:00"]]})
    assert refused.value.messages == ["The interval 18:00–09:00 ends before it starts."]
