"""A shop's hours and time zone pass the deadline calendar's own rules wherever they change (the shop's
service information, the regulator's record of the shop, the admin), so that nobody can store working time
that makes filing against the shop fail."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant, ServiceInfoRevision
from complaintdesk.merchants.tests.test_admin import change_page_data

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"service_phone": "400-820-8820"}

BAD_HOURS = [
    pytest.param({}, "cannot be blank", id="no-weekday"),
    pytest.param({"0": [], "6": []}, "at least one day", id="no-interval"),
    pytest.param({"0": [["09:00", "12:00"], ["11:00", "18:00"]]}, "overlap", id="overlapping"),
    pytest.param({"0": [["09:00:00", "18:00:00"]]}, "09:00:00 is not a HH:MM time", id="seconds"),
    pytest.param({"0": [["0900", "18:00"]]}, "0900 is not a HH:MM time", id="no-colon"),
    pytest.param({"0": [["09:00", "24:30"]]}, "24:30 is not a HH:MM time", id="past-midnight"),
    pytest.param({"0": [["18:00", "09:00"]]}, "ends before it starts", id="end-before-start"),
    pytest.param({"0": [["24:00", "24:00"]]}, "ends before it starts", id="starts-at-24:00"),
    pytest.param({"7": [["09:00", "18:00"]]}, "Unknown weekday 7", id="unknown-weekday"),
    pytest.param({"00": [["09:00", "18:00"]]}, "Unknown weekday 00", id="padded-weekday"),
    # Countable, but fewer than the regulator's 5 days a week of at least 4 hours (one minute a week made
    # the shop's deadlines run for years).
    pytest.param({"5": [["11:00", "14:30"]]}, "at least 5 days a week", id="saturday-only"),
    pytest.param(
        {str(d): [["09:00", "12:59"]] for d in range(7)}, "with at least 4 hours each", id="short-days"
    ),
    pytest.param(
        {**{str(d): [["09:00", "18:00"]] for d in range(4)}, "6": [["23:58", "23:59"]]},
        "these cover 4",
        id="four-days-and-a-minute",
    ),
]
BAD_ZONES = [
    pytest.param("Mars/Olympus_Mons", id="made-up"),
    pytest.param("Europe", id="folder-of-the-zone-database"),
    pytest.param("../../etc/passwd", id="path"),
]


def publish(people, api, body):
    return api(people.carol).patch(f"/merchants/{people.acme.pk}/service-info", {**PHONE, **body})


def regulate(people, api, body):
    return api(people.rita).patch(f"/merchants/{people.acme.pk}", body)


ENDPOINTS = [pytest.param(publish, id="service-info"), pytest.param(regulate, id="regulator")]


@pytest.fixture
def shop(people):
    """Acme with published contacts and an open complaint, whose deadlines a change of hours would move."""
    profile.publish_service_info(people.acme.pk, people.carol, PHONE)
    factories.complaint(people.alice, people.acme, kind="quality_issue")
    return people


def _state():
    shops = list(Merchant.objects.order_by("pk").values_list("service_hours", "time_zone", "service_phone"))
    deadlines = list(Deadline.objects.order_by("pk").values_list("due_at", "remind_at", "status"))
    return shops, deadlines, ServiceInfoRevision.objects.count()


def _refusal(response) -> tuple[list, str]:
    assert response.status_code == 422, response.content
    (issue,) = response.json()["detail"]
    return issue["loc"], issue["msg"]


def _files(people, api) -> bool:
    response = api(people.alice).post("/complaints", factories.complaint_payload(people.acme.pk))
    return response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("change", ENDPOINTS)
@pytest.mark.parametrize(("hours", "message"), BAD_HOURS)
def test_hours_the_calendar_refuses_are_refused_naming_the_field_and_change_nothing(
    shop, api, change, hours, message
):
    before = _state()
    loc, msg = _refusal(change(shop, api, {"service_hours": hours}))
    assert loc == ["body", "service_hours"] and message in msg
    assert _state() == before
    assert _files(shop, api)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", BAD_ZONES)
def test_an_unknown_time_zone_is_refused_naming_the_field_and_changes_nothing(shop, api, zone):
    before = _state()
    loc, msg = _refusal(regulate(shop, api, {"time_zone": zone}))
    assert (loc, msg) == (
        ["body", "time_zone"],
        f"Unknown time zone {zone}: use an IANA name such as Asia/Shanghai.",
    )
    assert _state() == before
    assert _files(shop, api)


@pytest.mark.django_db
def test_the_time_zone_is_not_part_of_the_published_service_information(shop, api):
    before = _state()
    # The regulator's to change: the service-info schema drops the field, so nothing is published.
    assert publish(shop, api, {"time_zone": "Mars/Olympus_Mons"}).status_code == 200
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service_hours": {"0": [["09:00", "12:00"], ["11:00", "18:00"]]}}, "service_hours"),
        ({"service_hours": {"0": []}}, "service_hours"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ],
)
def test_a_new_shop_with_working_time_the_calendar_refuses_is_not_created(people, api, body, field):
    shops = Merchant.objects.count()
    response = api(people.rita).post(
        "/merchants", {"name": "Zed", "credit_code": "914403001922038216", **body}
    )
    loc, _msg = _refusal(response)
    assert loc == ["body", field]
    assert Merchant.objects.count() == shops


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("service_hours", {"0": [["09:00", "12:00"], ["11:00", "18:00"]]}, "overlap"),
        ("service_hours", {"0": [["09:00:00", "18:00:00"]]}, "is not a HH:MM time"),
        ("service_hours", {"0": []}, "at least one day"),
        ("service_hours", {"0": [["09:00", "18:00"]]}, "at least 5 days a week"),
        ("time_zone", "Mars/Olympus_Mons", "Unknown time zone"),
    ],
)
def test_the_admin_refuses_them_too(shop, field, value, message):
    shop.rita.is_staff = shop.rita.is_superuser = True
    shop.rita.save()
    officer = Client()
    officer.force_login(shop.rita)
    url = reverse("admin:merchants_merchant_change", args=[shop.acme.pk])
    before = _state()
    sent = json.dumps(value) if field == "service_hours" else value
    page = officer.post(url, change_page_data(officer.get(url), **{field: sent}))
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert _state() == before


# Saturday 2026-06-06 12:00 in Shanghai: an ordinary weekend day; Dragon Boat Festival is 19–21 June.
SATURDAY_NOON = datetime(2026, 6, 6, 12, tzinfo=SH)


def _quality_issue_on_saturday_noon(people, api) -> dict:
    with time_machine.travel(SATURDAY_NOON, tick=False):
        response = api(people.alice).post(
            "/complaints",
            factories.complaint_payload(people.acme.pk, kind="quality_issue", order_date="2026-06-01"),
        )
    assert response.status_code == 201, response.content
    body = response.json()
    return {f: datetime.fromisoformat(body[f]) for f in ("first_response_due", "reply_due", "resolution_due")}


@pytest.mark.django_db
@pytest.mark.parametrize("change", ENDPOINTS)
def test_a_shop_with_unusual_valid_hours_can_still_be_complained_about(shop, api, change):
    # Tuesday to Saturday, single-digit hours and an interval up to 24:00: 13.5 hours a day.
    hours = {str(d): [["9:00", "10:00"], ["11:30", "24:00"]] for d in range(1, 6)}
    with time_machine.travel(SATURDAY_NOON - timedelta(days=1), tick=False):  # they count from then on
        assert change(shop, api, {"service_hours": hours}).status_code == 200
    assert _quality_issue_on_saturday_noon(shop, api) == {
        "first_response_due": datetime(2026, 6, 6, 14, tzinfo=SH),
        "reply_due": datetime(2026, 6, 6, 16, tzinfo=SH),
        # The 7th working day after Saturday 6 June: Tuesday 9 to Saturday 13, then Tuesday 16, Wednesday 17.
        "resolution_due": datetime(2026, 6, 18, 0, tzinfo=SH),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "reply_due", "resolution_due"),
    [
        pytest.param(
            {"5": [["11:00", "14:30"]]},
            # 2.5 working hours that Saturday, 1.5 the next; the 7th working Saturday skips 20 June.
            datetime(2026, 6, 13, 12, 30, tzinfo=SH),
            datetime(2026, 8, 1, 14, 30, tzinfo=SH),
            id="saturday-only",
        ),
        pytest.param(
            {"5": [["9:00", "10:00"], ["11:30", "24:00"]]},
            datetime(2026, 6, 6, 16, tzinfo=SH),
            datetime(2026, 8, 2, 0, tzinfo=SH),
            id="single-digit-hour-and-24:00",
        ),
    ],
)
def test_hours_stored_before_the_regulators_minimum_count_as_they_are(
    shop, api, hours, reply_due, resolution_due
):
    # Valid for the calendar, short of the minimum that came later: the shop's deadlines count in them
    # (not in the default hours) until it publishes hours that meet it.
    Merchant.objects.filter(pk=shop.acme.pk).update(service_hours=hours)
    assert _quality_issue_on_saturday_noon(shop, api) == {
        "first_response_due": datetime(2026, 6, 6, 14, tzinfo=SH),
        "reply_due": reply_due,
        "resolution_due": resolution_due,
    }


# Wednesday 2026-09-30 17:00 in Shanghai, the SPEC §3 worked example on the default hours.
SPEC_EXAMPLE = datetime(2026, 9, 30, 17, tzinfo=SH)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored",
    [
        pytest.param({"service_hours": {"0": []}}, id="no-interval"),
        pytest.param({"service_hours": {"0": [["09:00", "12:00"], ["11:00", "18:00"]]}}, id="overlapping"),
        pytest.param({"service_hours": {"0": [["09:00:00", "18:00:00"]]}}, id="seconds"),
        pytest.param({"time_zone": "Mars/Olympus_Mons"}, id="made-up-zone"),
        pytest.param({"time_zone": "Europe"}, id="folder-of-the-zone-database"),
    ],
)
def test_a_shop_whose_stored_working_time_is_invalid_gets_the_default_hours(people, api, stored):
    # As rows saved before the validators matched the calendar, or written past them, would be.
    Merchant.objects.filter(pk=people.acme.pk).update(**stored)
    with time_machine.travel(SPEC_EXAMPLE, tick=False):
        response = api(people.alice).post(
            "/complaints", factories.complaint_payload(people.acme.pk, kind="quality_issue")
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [datetime.fromisoformat(body[f]) for f in ("reply_due", "resolution_due")] == [
        datetime(2026, 10, 8, 12, tzinfo=SH),
        datetime(2026, 10, 15, 18, tzinfo=SH),
    ]
