"""The console by bureau (SPEC §11, issue 14 item 1): a district officer's pages, counts and downloads are its
shops' and its bureau's (another bureau's object: 404, nothing changed); a city-level officer's are every
bureau's, with a bureau filter on the lists it works from and each bureau's centre figures side by side.

The world (`bureau_world`): D1 has Acme, D2 has Bazaar; one of Acme's complaints was transferred to D2."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaintdesk.alerts.models import AlertState
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints import followup, services

pytestmark = pytest.mark.django_db


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user, name: str, *args, **params):
    answer = console(user).get(reverse(f"web:{name}", args=args), params)
    return answer


def shows(answer, *things) -> set:
    """Which of `things` (objects with a `reference`) the page shows."""
    assert answer.status_code == 200
    text = answer.content.decode()
    return {thing for thing in things if thing.reference in text}


def test_a_district_officers_complaint_list_and_its_download_are_its_bureaus(world):
    every = (
        world.d1.complaint,
        world.d1.escalated,
        world.d2.complaint,
        world.d2.escalated,
        world.transferred,
    )
    own = {world.d1.complaint, world.d1.escalated}
    assert shows(page(world.d1.officer, "all_complaints"), *every) == own
    assert shows(page(world.d1.officer, "all_complaints", bureau=world.d2.bureau.pk), *every) == set()
    download = console(world.d1.officer).get(reverse("web:export_complaints"), {"format": "csv"})
    text = b"".join(download.streaming_content).decode()
    assert {c for c in every if c.reference in text} == own
    assert 'name="bureau"' not in page(world.d1.officer, "all_complaints").content.decode()


def test_a_city_level_officer_filters_the_console_lists_by_bureau(world):
    every = (
        world.d1.complaint,
        world.d1.escalated,
        world.d2.complaint,
        world.d2.escalated,
        world.transferred,
    )
    d2 = {world.d2.complaint, world.d2.escalated, world.transferred}
    listed = page(world.city_officer, "all_complaints")
    assert shows(listed, *every) == set(every)
    assert 'name="bureau"' in listed.content.decode() and "Xuhui District Bureau" in listed.content.decode()
    assert shows(page(world.city_officer, "all_complaints", bureau=world.d2.bureau.pk), *every) == d2
    at_centre = (world.d1.escalated, world.d2.escalated, world.transferred, world.d1.report, world.d2.report)
    assert shows(page(world.city_officer, "centre_queue", bureau=world.d2.bureau.pk), *at_centre) == {
        world.d2.escalated,
        world.transferred,
        world.d2.report,
    }
    reports = (world.d1.report, world.d2.report)
    assert shows(page(world.city_officer, "matters", bureau=world.d1.bureau.pk), *reports) == {
        world.d1.report
    }
    assert shows(page(world.city_officer, "matters"), *reports) == set(reports)


def test_a_district_officers_queue_and_matters_are_its_bureaus(world):
    at_centre = (world.d1.escalated, world.d2.escalated, world.transferred, world.d1.report, world.d2.report)
    assert shows(page(world.d2.officer, "centre_queue"), *at_centre) == {
        world.d2.escalated,
        world.transferred,
        world.d2.report,
    }
    assert shows(page(world.d2.officer, "centre_queue", bureau=world.d1.bureau.pk), *at_centre) == set()
    assert shows(page(world.d1.officer, "matters"), world.d1.report, world.d2.report) == {world.d1.report}
    assert shows(page(world.d1.officer, "matters", bureau=world.d2.bureau.pk), world.d1.report) == set()
    assert page(world.d1.officer, "matter", world.d2.report.pk).status_code == 404


def test_a_district_officer_sees_and_handles_its_shops_alerts_only(world):
    listed = page(world.d1.officer, "alerts").content.decode()
    assert "Surge at Huangpu Shop" in listed and "Surge at Xuhui Shop" not in listed
    assert page(world.d1.officer, "alert", world.d2.alert.pk).status_code == 404
    acted = console(world.d1.officer).post(
        reverse("web:alert_action", args=[world.d2.alert.pk, "close"]), {"note": "mine"}
    )
    assert acted.status_code == 404
    world.d2.alert.refresh_from_db()
    assert world.d2.alert.state == AlertState.OPEN
    assert page(world.city_officer, "alert", world.d2.alert.pk).status_code == 200


def test_an_alerts_page_lists_the_complaints_behind_it_that_the_officer_may_open(world):
    world.d1.alert.complaints.add(world.d1.complaint, world.transferred)
    own = page(world.d1.officer, "alert", world.d1.alert.pk)
    assert shows(own, world.d1.complaint, world.transferred) == {world.d1.complaint}
    every = page(world.city_officer, "alert", world.d1.alert.pk)
    assert shows(every, world.d1.complaint, world.transferred) == {world.d1.complaint, world.transferred}


def test_a_district_officer_opens_its_own_shops_pages_only(world):
    assert page(world.d1.officer, "console_shop", world.d1.shop.pk).status_code == 200
    assert page(world.d1.officer, "console_shop", world.d2.shop.pk).status_code == 404
    hours = console(world.d1.officer).post(reverse("web:console_service_info", args=[world.d2.shop.pk]), {})
    assert hours.status_code == 404
    cards = page(world.d1.officer, "regulator_scorecards").content.decode()
    assert "Huangpu Shop" in cards and "Xuhui Shop" not in cards
    filings = page(world.d1.officer, "filings", state="all").content.decode()
    assert "Huangpu Shop sale" in filings and "Xuhui Shop sale" not in filings
    assert page(world.d1.officer, "filing", world.d2.filing.pk).status_code == 404


def test_a_district_officers_dashboard_counts_its_own(world):
    answer = page(world.d1.officer, "dashboard")
    assert answer.status_code == 200
    data = answer.context["data"]
    # Acme's three complaints (the one now at D2 is still Acme's), of which D1 sees two open.
    assert data["counts"]["received"] == 3
    assert (data["counts"]["open"], data["counts"]["open_alerts"], data["counts"]["filings_to_review"]) == (
        2,
        1,
        1,
    )
    assert [r["label"] for r in data["top_shops"]] == ["Huangpu Shop"]
    centre = answer.context["centre"]
    assert centre["figures"]["bureau"] == world.d1.bureau.pk
    assert centre["by_bureau"] == [] and 'id="table-centre-bureaus"' not in answer.content.decode()


def test_a_city_level_officers_dashboard_shows_each_bureau_side_by_side(world):
    answer = page(world.city_officer, "dashboard")
    data, centre = answer.context["data"], answer.context["centre"]
    assert (data["counts"]["received"], data["counts"]["open_alerts"]) == (5, 2)
    assert [b["id"] for b in centre["bureaus"]] == [world.city.pk, world.d1.bureau.pk, world.d2.bureau.pk]
    compared = {r["code"]: (r["values"], r["total"]) for r in centre["by_bureau"]}
    assert compared["received.complaint"] == ([0, 1, 2], 3)
    # The transfer of Acme's complaint: out of D1, into D2.
    assert (compared["transfers_out"], compared["transfers_in"]) == (([0, 1, 0], 1), ([0, 0, 1], 1))
    assert compared["acceptance_rate"] == ([None, None, None], None)  # nothing decided yet
    text = answer.content.decode()
    assert 'id="table-centre-bureaus"' in text and "Xuhui District Bureau" in text


def test_a_district_officers_statistics_downloads_are_its_own(world):
    year = {"start": f"{timezone.localdate().year}-01-01", "end": str(timezone.localdate()), "format": "csv"}
    client = console(world.d1.officer)

    def download(**params):
        answer = client.get(reverse("web:export_statistics"), {**year, **params})
        assert answer.status_code == 200
        return b"".join(answer.streaming_content).decode()

    shops = download(table="breakdown", by="shop")
    assert "Huangpu Shop" in shops and "Xuhui Shop" not in shops
    centre = download(table="centre")
    # The centre's figures of D1 alone: one complaint received (D2 holds the transferred one).
    assert "received.complaint,1" in centre.replace("\r", "")


def test_a_district_officers_follow_up_calls_are_its_bureaus(world):
    for district in (world.d1, world.d2):
        services.perform(district.complaint.pk, district.consumer, "withdraw", "Sorted it out myself.")
    week = followup.week_label(timezone.localdate() - timedelta(days=timezone.localdate().weekday()))
    closed = (world.d1.complaint, world.d2.complaint)
    assert shows(page(world.d1.officer, "follow_up", week=week), *closed) == {world.d1.complaint}
    assert shows(page(world.city_officer, "follow_up", week=week), *closed) == set(closed)
    other = console(world.d1.officer).get(
        reverse("web:record_follow_up"), {"complaint": world.d2.complaint.pk}
    )
    assert other.status_code == 404
