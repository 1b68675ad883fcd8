"""Bureaus, platforms' seats and shops' registrations in the back office (SPEC §11, issue 14): a bureau's
level, parent, address, contacts and working hours; where each platform is registered; a shop's registered
address, district and reachability with the bureau in charge derived from them (read-only); transfers read
only. A district's parent must be a city bureau, a shop's district a district bureau; hours the calendar
cannot count are refused at their field; new hours move the bureau's running duties at once."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from complaintdesk.centre.models import Bureau, PlatformSeat, Transfer
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import at
from complaintdesk.complaints import services
from complaintdesk.complaints.centre import Details
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.merchants.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(people):
    return bureaus.build(people)


@pytest.fixture
def office(city):
    """Rita in the back office, as every officer is (accounts.backends)."""
    city.rita.is_staff = True
    city.rita.save()
    client = Client()
    client.force_login(city.rita)
    return client


def bureau_form(**fields) -> dict:
    return {
        "name_zh": "静安区市场监督管理局", "name_en": "Jing'an District Bureau", "level": "district",
        "parent": Bureau.city_centre().pk, "address": "1 Changde Road", "phone": "021-12315",
        "email": "jingan@12315.test", "service_hours": "{}", **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    "model",
    ["centre/bureau", "centre/platformseat", "centre/transfer", "merchants/merchant", "centre/matter"],
)
def test_every_list_opens(office, model):
    assert office.get(f"/admin/{model}/").status_code == 200


def test_the_bureau_list_shows_level_parent_address_contacts_and_hours(office, city):
    city.pudong.service_hours = bureaus.MONDAY_TO_SATURDAY
    city.pudong.address = "2 Century Avenue"
    city.pudong.save()
    html = office.get("/admin/centre/bureau/").content.decode()
    for text in (
        "Pudong New Area Bureau",
        "2 Century Avenue",
        "District bureau",
        "&quot;5&quot;",
        "the centre",
    ):
        assert text in html


def test_a_district_bureau_is_added_under_the_city_centre(office, city):
    response = office.post(reverse("admin:centre_bureau_add"), bureau_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Bureau.objects.get(name_en="Jing'an District Bureau")
    assert (added.level, added.parent, added.service_hours) == ("district", Bureau.city_centre(), {})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"parent": ""}, "parent"),
        ({"parent": "huangpu"}, "parent"),
        ({"level": "city", "parent": "centre"}, "parent"),
        ({"service_hours": '{"0": [["18:00", "09:00"]]}'}, "service_hours"),
        ({"service_hours": '{"8": [["09:00", "18:00"]]}'}, "service_hours"),
        ({"service_hours": '["09:00"]'}, "service_hours"),
    ],
)
def test_a_bureau_out_of_place_or_with_hours_that_cannot_count_is_refused_at_its_field(
    office, city, fields, field
):
    ids = {"huangpu": city.huangpu.pk, "centre": city.centre.pk}
    data = bureau_form(**{k: ids.get(v, v) for k, v in fields.items()})
    before = Bureau.objects.count()
    response = office.post(reverse("admin:centre_bureau_add"), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Bureau.objects.count() == before


def test_new_working_hours_move_the_bureaus_running_duties_at_once(office, city):
    with time_machine.travel(at(2026, 10, 12, 10), tick=False):
        c = services.file_complaint(city.rita, factories.new_complaint(city.bazaar, for_centre=True))
    assert Deadline.objects.get(complaint=c, phase=Phase.ACCEPTANCE).due_at == at(2026, 10, 21, 18)
    data = bureau_form(
        name_zh=city.pudong.name_zh, name_en=city.pudong.name_en, address="", phone="", email="",
        service_hours='{"0": [["09:00", "18:00"]], "1": [["09:00", "18:00"]], "2": [["09:00", "18:00"]], '
        '"3": [["09:00", "18:00"]], "4": [["09:00", "18:00"]], "5": [["09:00", "18:00"]]}',
    )  # fmt: skip
    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        response = office.post(
            reverse("admin:centre_bureau_change", args=[city.pudong.pk]), data, follow=True
        )
    assert "1 complaint or matter moved" in response.content.decode()
    assert Deadline.objects.get(complaint=c, phase=Phase.ACCEPTANCE).due_at == at(2026, 10, 20, 18)
    assert c.events.filter(action="recompute_deadlines").count() == 1


def test_a_platform_seat_added_routes_the_platforms_shops_without_an_address(office, city):
    response = office.post(
        reverse("admin:centre_platformseat_add"),
        {"platform": "douyin", "operator": "Douyin", "bureau": city.huangpu.pk},
    )
    assert response.status_code == 302
    shop = Merchant.objects.create(
        name="Live Stream Shop", credit_code=bureaus.credit_code(9), platform="douyin"
    )
    assert shop.jurisdiction == city.huangpu
    assert PlatformSeat.objects.get(platform="douyin").bureau == city.huangpu


def test_a_shops_page_shows_its_registration_and_the_bureau_in_charge_read_only(office, city):
    html = office.get(reverse("admin:merchants_merchant_change", args=[city.acme.pk])).content.decode()
    assert 'name="registered_address"' in html and "1 Nanjing East Road, Huangpu" in html
    assert 'name="registered_district"' in html and 'name="address_unreachable"' in html
    assert 'name="jurisdiction"' not in html  # derived: shown, never edited
    readonly = html.split("field-jurisdiction", 1)[1][:800]
    assert "Huangpu District Bureau" in readonly
    # The district list offers districts only.
    district = html.split('name="registered_district"', 1)[1].split("</select>", 1)[0]
    assert "Huangpu District Bureau" in district and "City Consumer Protection Centre" not in district
    listed = office.get("/admin/merchants/merchant/").content.decode()
    assert "Pudong New Area Bureau" in listed  # Bazaar's, through JD's seat


def test_a_shop_registered_in_the_city_centre_is_refused_at_its_field(city):
    city.corner.registered_address = "9 People's Square"
    city.corner.registered_district = city.centre
    with pytest.raises(ValidationError) as refused:
        city.corner.full_clean()
    assert list(refused.value.message_dict) == ["registered_district"]


def test_transfers_are_read_only(office, city):
    with time_machine.travel(at(2026, 10, 12, 10), tick=False):
        c = services.file_complaint(city.rita, factories.new_complaint(city.acme, for_centre=True))
        services.perform(
            c.pk, city.dora, "transfer", "Pudong's", None, details=Details(bureau=city.pudong.pk)
        )
    moved = Transfer.objects.get()
    assert office.get(reverse("admin:centre_transfer_change", args=[moved.pk])).status_code == 200
    assert (
        office.post(reverse("admin:centre_transfer_delete", args=[moved.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Transfer.objects.filter(pk=moved.pk).exists()
