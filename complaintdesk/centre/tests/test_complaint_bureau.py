"""Each complaint's bureau in charge, kept on its row (`Complaint.bureau`, issue 15): its centre case's bureau
once it reached the centre, else its shop's (`Merchant.jurisdiction`) — what SPEC §11 says a bureau holds,
and what `in_bureau` used to compute by joining the case and the shop. It stays so through filing,
routing, a transfer, a shop moved to another district or platform seat, a case deleted, and an import; the
migration fills it for the complaints stored before it; `in_bureau` is that one column. The search index's
row of each complaint names it too (`search.index.SCOPE`), and follows it through all of these."""

import csv
import importlib

import pytest
from django.db import connection

from complaintdesk.centre import jurisdiction
from complaintdesk.centre.models import CentreCase, PlatformSeat
from complaintdesk.centre.tests import bureaus
from complaintdesk.complaints import services
from complaintdesk.complaints.importing import import_file
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants.models import Platform
from complaintdesk.search.models import ComplaintText

pytestmark = pytest.mark.django_db

FILL = importlib.import_module("complaintdesk.complaints.migrations.0012_bureau_in_charge").FILL


def in_charge(complaint: Complaint) -> int | None:
    """The bureau in charge of `complaint` as SPEC §11 says, from its case and its shop."""
    case = CentreCase.objects.filter(complaint=complaint).first()
    if case is not None:
        return case.bureau_id
    return complaint.merchant.__class__.objects.get(pk=complaint.merchant_id).jurisdiction_id


def assert_in_step():
    scopes = dict(ComplaintText.objects.values_list("complaint_id", "scope"))
    for complaint in Complaint.objects.all():
        assert complaint.bureau_id == in_charge(complaint), complaint
        # Who may find it by its words: its shop, the bureau in charge (a district's officers), its consumer.
        named = [f"m{complaint.merchant_id}", f"b{complaint.bureau_id}"] + (
            [f"c{complaint.consumer_id}"] if complaint.consumer_id else []
        )
        assert scopes[complaint.pk].split() == named, complaint


@pytest.fixture
def city(people):
    return bureaus.build(people)


def escalate(city, complaint: Complaint) -> Complaint:
    services.perform(complaint.pk, city.rita, "escalate", "The caller asks the centre to help.")
    complaint.refresh_from_db()
    return complaint


def test_a_filed_complaint_is_in_its_shops_bureaus_charge_and_at_the_centre_in_its_cases(city):
    with_shop = factories.complaint(city.people.alice, city.acme)
    assert with_shop.bureau == city.huangpu
    platform_shop = factories.complaint(city.people.alice, city.bazaar)
    assert platform_shop.bureau == city.pudong  # no address: where its platform is seated
    no_district = factories.complaint(city.people.alice, city.corner)
    assert no_district.bureau == city.centre
    filed_with_the_centre = services.file_complaint(
        city.rita, factories.new_complaint(city.acme, for_centre=True)
    )
    filed_with_the_centre.refresh_from_db()
    assert filed_with_the_centre.bureau == city.huangpu == filed_with_the_centre.centre_case.bureau
    assert_in_step()


def test_a_transfer_moves_the_complaint_and_the_shop_moving_moves_only_those_still_with_it(city):
    with_shop = factories.complaint(city.people.alice, city.acme)
    at_centre = escalate(city, factories.complaint(city.people.alice, city.acme))
    assert at_centre.bureau == city.huangpu
    services.perform(at_centre.pk, city.rita, "transfer", "Pudong handles it.", details=_to(city.pudong))
    at_centre.refresh_from_db()
    assert at_centre.bureau == city.pudong
    assert_in_step()
    # Acme moves to Pudong's district, then back: the complaint still with it follows each time, the one
    # at the centre stays with the bureau holding its case.
    city.acme.registered_district = city.pudong
    city.acme.save(update_fields=["registered_district"])  # a partial save of what routing reads
    with_shop.refresh_from_db()
    assert with_shop.bureau == city.pudong
    city.acme.registered_district = city.huangpu
    city.acme.save()
    with_shop.refresh_from_db()
    at_centre.refresh_from_db()
    assert (with_shop.bureau, at_centre.bureau) == (city.huangpu, city.pudong)
    assert_in_step()


def test_a_platform_seat_moving_moves_the_complaints_of_its_shops_still_with_them(city):
    bazaar_s = factories.complaint(city.people.alice, city.bazaar)
    at_centre = escalate(city, factories.complaint(city.people.alice, city.bazaar))
    PlatformSeat.objects.filter(platform=Platform.JD).update(bureau=city.huangpu)  # no signal: not yet moved
    seat = PlatformSeat.objects.get(platform=Platform.JD)
    seat.save()
    bazaar_s.refresh_from_db()
    at_centre.refresh_from_db()
    assert (bazaar_s.bureau, at_centre.bureau) == (city.huangpu, city.pudong)
    seat.delete()  # no seat: the city centre's
    bazaar_s.refresh_from_db()
    assert bazaar_s.bureau == city.centre
    assert_in_step()


def test_a_deleted_case_gives_the_complaint_back_to_its_shops_bureau(city):
    complaint = escalate(city, factories.complaint(city.people.alice, city.acme))
    services.perform(complaint.pk, city.rita, "transfer", "Pudong handles it.", details=_to(city.pudong))
    CentreCase.objects.get(complaint=complaint).delete()
    complaint.refresh_from_db()
    assert complaint.bureau == city.huangpu
    assert_in_step()


def test_imported_complaints_are_in_their_shops_bureaus_charge(city, tmp_path):
    path = tmp_path / "hotline.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["external_id", "received_at", "merchant", "category", "channel", "wanted_outcome", "description"],
            ["H-1", "2026-11-28T09:30:00+08:00", city.acme.credit_code, "delivery", "hotline_12315", "refund", "包裹丢失"],
            ["H-2", "2026-11-28T10:30:00+08:00", city.bazaar.credit_code, "delivery", "hotline_12315", "refund", "少发货"],
        ])  # fmt: skip
    assert import_file(path).imported == 2
    imported = Complaint.objects.filter(external_id__in=["H-1", "H-2"]).order_by("external_id")
    assert [c.bureau for c in imported] == [city.huangpu, city.pudong]
    assert_in_step()


def test_the_migration_fills_the_complaints_stored_before_it(city):
    factories.complaint(city.people.alice, city.acme)
    factories.complaint(city.people.alice, city.corner)
    escalate(city, factories.complaint(city.people.alice, city.bazaar))
    moved = escalate(city, factories.complaint(city.people.alice, city.acme))
    services.perform(moved.pk, city.rita, "transfer", "Pudong handles it.", details=_to(city.pudong))
    Complaint.objects.update(bureau=None)
    with connection.cursor() as cursor:
        cursor.execute(FILL)
    assert Complaint.objects.filter(bureau__isnull=False).count() == 4
    assert_in_step()


def test_in_bureau_is_the_one_column(city):
    with_shop = factories.complaint(city.people.alice, city.acme)
    moved = escalate(city, factories.complaint(city.people.alice, city.acme))
    services.perform(moved.pk, city.rita, "transfer", "Pudong handles it.", details=_to(city.pudong))
    huangpu = Complaint.objects.filter(jurisdiction.in_bureau(city.huangpu.pk))
    pudong = Complaint.objects.filter(jurisdiction.in_bureau(city.pudong.pk))
    assert list(huangpu) == [with_shop] and list(pudong) == [moved]
    assert " JOIN " not in str(huangpu.query)  # neither the case nor the shop


def _to(bureau):
    from complaintdesk.complaints.centre import Details  # noqa: PLC0415 - the step's fields

    return Details(bureau=bureau.pk)
