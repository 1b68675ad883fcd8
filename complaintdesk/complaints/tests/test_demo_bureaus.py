"""The bureaus of seed_demo (issue 14 item 6, SPEC §7): the city centre and two districts, officer-d1 and
officer-d2 (password demo) at the districts and `regulator` at the city centre, the demo shops registered in
both districts, one shop without an address sent where its platform is registered, and a complaint
transferred from one district to the other with the reason. Loaded once."""

import pytest
from django.core.management import call_command

from complaintdesk.accounts.models import User
from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, PlatformSeat, Transfer
from complaintdesk.complaints import demo_bureaus
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.merchants.models import Merchant

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_districts_their_officers_shops_in_both_and_a_transfer(api):
    call_command("seed_demo")
    city = Bureau.city_centre()
    huangpu, pudong = (Bureau.objects.get(name_en=d["name_en"]) for d in demo_bureaus.DISTRICTS)
    assert (huangpu.level, huangpu.parent, pudong.level, pudong.parent) == (
        BureauLevel.DISTRICT, city, BureauLevel.DISTRICT, city,
    )  # fmt: skip
    assert (huangpu.name_zh, pudong.name_zh) == ("黄浦区市场监督管理局", "浦东新区市场监督管理局")
    officers = {
        u.username: u.bureau
        for u in User.objects.filter(username__in=["regulator", "officer-d1", "officer-d2"])
    }
    assert officers == {"regulator": city, "officer-d1": huangpu, "officer-d2": pudong}
    for username in officers:
        assert api(None).post("/auth/token", {"username": username, "password": "demo"}).status_code == 200

    shops = {m.name.split()[0]: m for m in Merchant.objects.order_by("pk")}
    in_charge = {name: m.jurisdiction for name, m in shops.items()}
    assert set(in_charge.values()) == {huangpu, pudong}
    no_address = [m for m in shops.values() if not m.registered_address]
    assert len(no_address) == 1 and no_address[0].platform == PlatformSeat.objects.get().platform
    assert no_address[0].jurisdiction == PlatformSeat.objects.get().bureau

    moved = Transfer.objects.get(reason=demo_bureaus.TRANSFER_REASON)
    assert (moved.from_bureau, moved.to_bureau, moved.by.username) == (huangpu, pudong, "officer-d1")
    case = CentreCase.objects.get(complaint=moved.complaint)
    assert (case.bureau, case.received_at, case.routing) == (pudong, moved.at, "district")
    assert Deadline.objects.get(complaint=moved.complaint, phase=Phase.ACCEPTANCE).starts_at == moved.at
    event = moved.complaint.events.get(action="transfer")
    assert (event.message, event.data["from_bureau"], event.data["bureau"]) == (
        moved.reason,
        huangpu.pk,
        pudong.pk,
    )
    # Pudong's officer has it; Huangpu's no longer sees it.
    assert (
        api(User.objects.get(username="officer-d2")).get(f"/complaints/{moved.complaint_id}").status_code
        == 200
    )
    assert (
        api(User.objects.get(username="officer-d1")).get(f"/complaints/{moved.complaint_id}").status_code
        == 404
    )
    # Complaints at the centre went to the bureau of their shop.
    at_districts = CentreCase.objects.filter(bureau__in=[huangpu, pudong]).count()
    assert at_districts > 10

    counts = (
        Bureau.objects.count(),
        User.objects.count(),
        Transfer.objects.count(),
        PlatformSeat.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Bureau.objects.count(),
        User.objects.count(),
        Transfer.objects.count(),
        PlatformSeat.objects.count(),
    ) == counts
