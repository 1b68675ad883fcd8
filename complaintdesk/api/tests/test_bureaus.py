"""Bureaus in the API (SPEC §11, issue 14 item 1): GET /bureaus for officers; every regulator-side list,
detail, count and statistic scoped by bureau: a district officer's are its shops' and its bureau's, another
bureau's id answers as one that does not exist, and changes nothing; a city-level officer's are every
bureau's, with `bureau=` to narrow a list and each bureau's centre figures side by side (`by_bureau`).

The world (`bureau_world`): D1 has Acme, D2 has Bazaar; one of Acme's complaints was transferred to D2."""

import pytest
from django.utils import timezone

from complaintdesk.alerts.models import Alert, AlertState
from complaintdesk.api.api import api as ninja_api
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges import services as pledges
from conftest import Api

pytestmark = pytest.mark.django_db
YEAR = {"start": f"{timezone.localdate().year}-01-01", "end": str(timezone.localdate())}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    data = response.json()
    return {row["id"] for row in (data["items"] if isinstance(data, dict) else data)}


# ---------------------------------------------------------------------------------------- GET /bureaus


def test_every_officer_reads_every_bureau_with_its_contacts(world):
    expected = [world.city.pk, world.d1.bureau.pk, world.d2.bureau.pk]
    for officer in (world.city_officer, world.d1.officer, world.rita):
        answer = Api(officer).get("/bureaus")
        assert answer.status_code == 200
        assert [b["id"] for b in answer.json()] == expected
    d1 = Api(world.d2.officer).get(f"/bureaus/{world.d1.bureau.pk}").json()
    assert d1 == {
        "id": world.d1.bureau.pk,
        "name_zh": "D1区市场监管局",
        "name_en": "Huangpu District Bureau",
        "name": "Huangpu District Bureau",
        "level": "district",
        "parent": world.city.pk,
        "address": "1 Huangpu Road",
        "phone": "021-12315",
        "email": "huangpu@bureau.test",
    }
    city = Api(world.d1.officer).get(f"/bureaus/{world.city.pk}").json()
    assert (city["level"], city["parent"]) == ("city", None)


def test_a_bureaus_name_is_in_the_readers_language(world):
    answer = Api(world.city_officer).get(
        f"/bureaus/{world.d1.bureau.pk}", headers={"Accept-Language": "zh-hans"}
    )
    assert answer.json()["name"] == "D1区市场监管局"


def test_bureaus_are_for_officers_only(world):
    for who in (world.d1.consumer, world.d1.staff):
        for path in ("/bureaus", f"/bureaus/{world.d1.bureau.pk}"):
            answer = Api(who).get(path)
            assert answer.status_code == 403, path
            assert "officers" in answer.json()["detail"]
    assert Api(None).get("/bureaus").status_code == 401


def test_an_unknown_bureau_is_not_found(world):
    assert Api(world.city_officer).get("/bureaus/999999").status_code == 404


def test_the_openapi_document_says_who_reads_the_bureaus():
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    listing = schema["paths"]["/api/v1/bureaus"]["get"]
    assert "Regulator officers only" in listing["description"]
    assert set(listing["responses"]) >= {200, 403}


# ------------------------------------------------------------------------------------------------ shops


def test_a_district_officer_sees_and_changes_its_own_shops_only(world):
    d1 = Api(world.d1.officer)
    assert ids(d1.get("/merchants")) == {world.d1.shop.pk}
    other = world.d2.shop.pk
    for path in (f"/merchants/{other}", f"/merchants/{other}/compliance", f"/merchants/{other}/coordinator"):
        assert d1.get(path).status_code == 404, path
    assert d1.patch(f"/merchants/{other}", {"name": "Renamed"}).status_code == 404
    assert d1.delete(f"/merchants/{other}").status_code == 404
    assert Merchant.objects.get(pk=other).name == "Xuhui Shop" and Merchant.objects.get(pk=other).is_active
    assert [e["merchant"] for e in d1.get("/merchants/compliance").json()["items"]] == [world.d1.shop.pk]
    assert d1.get(f"/merchants/{world.d1.shop.pk}").status_code == 200


def test_a_city_level_officer_sees_every_shop(world):
    city = Api(world.city_officer)
    assert ids(city.get("/merchants")) == {world.d1.shop.pk, world.d2.shop.pk}
    assert len(city.get("/merchants/compliance").json()["items"]) == 2
    assert city.get(f"/merchants/{world.d2.shop.pk}/compliance").status_code == 200


# ----------------------------------------------------------------------------------- alerts and filings


def test_a_district_officer_sees_and_handles_its_shops_alerts_only(world):
    d1 = Api(world.d1.officer)
    assert ids(d1.get("/alerts")) == {world.d1.alert.pk}
    other = world.d2.alert.pk
    assert d1.get(f"/alerts/{other}").status_code == 404
    for action in ("acknowledge", "close"):
        assert d1.post(f"/alerts/{other}/{action}", {"note": "mine now"}).status_code == 404
    assert Alert.objects.get(pk=other).state == AlertState.OPEN
    answer = d1.post(f"/alerts/{world.d1.alert.pk}/acknowledge", {"note": "Looking into it."})
    assert (answer.status_code, answer.json()["state"]) == (200, "acknowledged")
    assert ids(Api(world.city_officer).get("/alerts")) == {world.d1.alert.pk, other}


def test_an_alert_lists_only_the_complaints_the_officer_may_open(world):
    world.d1.alert.complaints.add(world.d1.complaint, world.transferred)
    listed = {a["id"]: a["complaints"] for a in Api(world.d1.officer).get("/alerts").json()["items"]}
    assert listed[world.d1.alert.pk] == [world.d1.complaint.reference]
    detail = Api(world.city_officer).get(f"/alerts/{world.d1.alert.pk}").json()
    assert sorted(detail["complaints"]) == sorted([world.d1.complaint.reference, world.transferred.reference])


def test_a_district_officer_sees_and_reviews_its_shops_filings_only(world):
    d1 = Api(world.d1.officer)
    assert ids(d1.get("/promotions")) == {world.d1.filing.pk}
    other = world.d2.filing.pk
    assert d1.get(f"/promotions/{other}").status_code == 404
    assert d1.post(f"/promotions/{other}/accept", {"comment": ""}).status_code == 404
    world.d2.filing.refresh_from_db()
    assert world.d2.filing.state == "submitted"
    assert ids(Api(world.rita).get("/promotions")) == {world.d1.filing.pk, other}


def test_a_district_officer_sees_its_shops_signatures_only(world):
    commitments = [{"number": n, "text_en": f"C{n}", "text_zh": f"承诺{n}"} for n in range(1, 9)]
    version = pledges.create_version(world.city_officer, "Pledge", commitments)
    pledges.publish(version.pk, world.city_officer)
    for district in (world.d1, world.d2):
        profile.designate_coordinator(district.shop.pk, world.city_officer, district.staff.pk, "021-5550000")
        pledges.sign(version.pk, district.staff, "127.0.0.1")
    signed = Api(world.d1.officer).get("/pledges/signatures").json()
    assert [s["merchant"] for s in signed] == [world.d1.shop.pk]
    assert len(Api(world.city_officer).get("/pledges/signatures").json()) == 2


# ------------------------------------------------------------------------------------------ statistics


def test_a_district_officers_statistics_are_its_shops(world):
    d1 = Api(world.d1.officer)
    assert d1.get("/stats/summary", YEAR).json()["count"] == 3
    assert Api(world.city_officer).get("/stats/summary", YEAR).json()["count"] == 5
    assert d1.get("/stats/summary", {**YEAR, "merchant": world.d2.shop.pk}).status_code == 404
    rows = d1.get("/stats/breakdown", {**YEAR, "by": "shop"}).json()["rows"]
    assert [r["key"] for r in rows] == [str(world.d1.shop.pk)]
    points = d1.get("/stats/series", {**YEAR, "interval": "month"}).json()["points"]
    assert sum(p["count"] for p in points) == 3
    download = d1.get("/stats/export", {**YEAR, "table": "breakdown", "by": "shop"})
    body = b"".join(download.streaming_content).decode()
    assert "Huangpu Shop" in body and "Xuhui Shop" not in body


def test_a_district_officers_centre_figures_are_its_bureaus(world):
    d1 = Api(world.d1.officer)
    own = d1.get("/stats/centre", YEAR).json()
    assert own["bureau"] == world.d1.bureau.pk
    assert own["received"]["complaint"] == 1
    assert (
        d1.get("/stats/centre", {**YEAR, "bureau": world.d1.bureau.pk}).json()["bureau"] == world.d1.bureau.pk
    )
    for other in (world.d2.bureau.pk, world.city.pk):
        assert d1.get("/stats/centre", {**YEAR, "bureau": other}).status_code == 404
        assert d1.get("/stats/export", {**YEAR, "table": "centre", "bureau": other}).status_code == 404
    assert [b["bureau"] for b in own["by_bureau"]] == [world.d1.bureau.pk]


def test_a_city_level_officer_sees_each_bureaus_centre_figures_side_by_side(world):
    every = Api(world.city_officer).get("/stats/centre", YEAR).json()
    assert every["bureau"] is None
    assert every["received"]["complaint"] == 3
    side_by_side = {b["bureau"]: b for b in every["by_bureau"]}
    assert list(side_by_side) == [world.city.pk, world.d1.bureau.pk, world.d2.bureau.pk]
    assert {k: b["received"]["complaint"] for k, b in side_by_side.items()} == {
        world.city.pk: 0,
        world.d1.bureau.pk: 1,
        world.d2.bureau.pk: 2,  # its own and the one transferred to it
    }
    assert side_by_side[world.d2.bureau.pk]["name"] == "Xuhui District Bureau"
    one = Api(world.rita).get("/stats/centre", {**YEAR, "bureau": world.d2.bureau.pk}).json()
    assert (one["bureau"], one["received"]["complaint"]) == (world.d2.bureau.pk, 2)
    assert [b["bureau"] for b in one["by_bureau"]] == [world.d2.bureau.pk]
    assert Api(world.rita).get("/stats/centre", {**YEAR, "bureau": 999999}).status_code == 404


# ------------------------------------------------------------------------------------ the bureau filter


def complaint_ids(officer, **params) -> set[int]:
    return ids(Api(officer).get("/complaints", params))


def test_a_city_level_officer_filters_the_complaints_by_bureau(world):
    d1 = {world.d1.complaint.pk, world.d1.escalated.pk}
    d2 = {world.d2.complaint.pk, world.d2.escalated.pk, world.transferred.pk}
    assert complaint_ids(world.city_officer) == d1 | d2
    assert complaint_ids(world.city_officer, bureau=world.d1.bureau.pk) == d1
    assert complaint_ids(world.city_officer, bureau=world.d2.bureau.pk) == d2
    assert complaint_ids(world.city_officer, bureau=world.city.pk) == set()
    assert complaint_ids(world.city_officer, bureau=999999) == set()
    assert complaint_ids(world.city_officer, bureau=world.d2.bureau.pk, q="parcel") == d2


def test_a_district_officer_sees_its_bureaus_complaints_and_another_bureaus_filter_is_empty(world):
    d1 = {world.d1.complaint.pk, world.d1.escalated.pk}
    assert complaint_ids(world.d1.officer) == complaint_ids(world.d1.officer, bureau=world.d1.bureau.pk) == d1
    assert complaint_ids(world.d1.officer, bureau=world.d2.bureau.pk) == set()
    for other in (world.d2.complaint, world.transferred):
        assert Api(world.d1.officer).get(f"/complaints/{other.pk}").status_code == 404


def test_a_bad_bureau_filter_is_refused_naming_it(world):
    answer = Api(world.city_officer).get("/complaints", {"bureau": "first"})
    assert answer.status_code == 422
    assert "bureau" in str(answer.json())
