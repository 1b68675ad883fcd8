"""The bureaus of `seed_demo` (issue 14 item 6, SPEC §7 and §11): the city centre the migrations seed and two
district bureaus of the demo city (Shanghai, by the demo shops' credit codes), their officers, the demo shops'
registrations, a platform's seat and a transferred complaint.

1. `load`, before any demo complaint reaches the centre (so that routing sends each to its bureau):
   - the districts "黄浦区市场监督管理局" (Huangpu) and "浦东新区市场监督管理局" (Pudong New Area) under the city
     centre, with their addresses and contacts (the letters' headings);
   - the officers `officer-d1` (Huangpu) and `officer-d2` (Pudong), password `demo`; `regulator` works at the
     city centre (city level: it sees every bureau);
   - the demo shops split between the two districts by their registered addresses, but shop 3 (Xiaoman Home,
     on Pinduoduo), which publishes no address: it goes where Pinduoduo is registered, whose seat the demo
     puts in Huangpu.
2. `transfer`, once the demo's complaints are in: Huangpu's officer transfers one complaint awaiting the
   decision to accept from Huangpu to Pudong, with the reason; Pudong's seven working days start then.

Idempotent: bureaus are known by their English names, officers by username, the seat by its platform; a shop's
registration is written only where it has none (an edit in the back office stays); the transfer is made once
(known by its reason), and only where a complaint waits at Huangpu (a database seeded before bureaus has none).
"""

from django.db import transaction
from django.utils import timezone

from complaintdesk.accounts.models import Role
from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, PlatformSeat, Transfer
from complaintdesk.complaints import centre, services
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.merchants.models import Platform

DISTRICTS = [
    {
        "name_zh": "黄浦区市场监督管理局",
        "name_en": "Huangpu District Market Supervision Bureau",
        "address": "黄浦区示例路 100 号 / 100 Demo Road, Huangpu District (demo address)",
        "phone": "021-12315-01",
        "email": "huangpu@12315.demo.local",
    },
    {
        "name_zh": "浦东新区市场监督管理局",
        "name_en": "Pudong New Area Market Supervision Bureau",
        "address": "浦东新区示例大道 200 号 / 200 Demo Avenue, Pudong New Area (demo address)",
        "phone": "021-12315-02",
        "email": "pudong@12315.demo.local",
    },
]
OFFICERS = {"officer-d1": 0, "officer-d2": 1}  # username: the district (index in DISTRICTS)
# Each demo shop's registered address and district (index in DISTRICTS); None: no published address.
REGISTRATIONS = [
    ("黄浦区南京东路 1 号 / 1 Nanjing Road East, Huangpu (demo)", 0),
    ("浦东新区世纪大道 2 号 / 2 Century Avenue, Pudong (demo)", 1),
    None,
    ("黄浦区淮海中路 4 号 / 4 Huaihai Road Middle, Huangpu (demo)", 0),
    ("浦东新区张江路 5 号 / 5 Zhangjiang Road, Pudong (demo)", 1),
]
SEAT = {"platform": Platform.PINDUODUO, "operator": "拼多多 (demo operator)", "district": 0}
TRANSFER_REASON = (
    "商家实际经营地和发货仓库在浦东新区，转浦东新区市场监督管理局处理。/ The shop operates and ships from Pudong New "
    "Area: passed to the Pudong bureau."
)


def load(make_user, regulator, shops) -> list[Bureau]:
    """Step 1 of the module docstring. `make_user(username, role, **fields)`: seed_demo's own (password demo)."""
    city = Bureau.city_centre()
    with transaction.atomic():
        districts = [
            Bureau.objects.get_or_create(
                name_en=d["name_en"], defaults={**d, "level": BureauLevel.DISTRICT, "parent": city}
            )[0]
            for d in DISTRICTS
        ]
        if regulator.bureau_id is None:
            regulator.bureau = city
            regulator.save(update_fields=["bureau"])
        for username, district in OFFICERS.items():
            make_user(username, Role.REGULATOR, first_name="Officer", bureau=districts[district])
        PlatformSeat.objects.get_or_create(
            platform=SEAT["platform"],
            defaults={"operator": SEAT["operator"], "bureau": districts[SEAT["district"]]},
        )
        for (shop, _staff), registration in zip(shops, REGISTRATIONS, strict=True):
            if registration is None or shop.registered_district_id is not None:
                continue
            shop.registered_address, shop.registered_district = registration[0], districts[registration[1]]
            shop.save()  # the bureau in charge follows (centre.signals)
    return districts


def transfer(districts: list[Bureau], make_user) -> bool:
    """Step 2 of the module docstring; whether the transfer was made now."""
    if Transfer.objects.filter(reason=TRANSFER_REASON).exists():
        return False
    waiting = (
        CentreCase.objects.filter(
            bureau=districts[0], complaint__state=State.ESCALATED, accepted_at__isnull=True, outcome=""
        )
        .exclude(complaint__external_id="")
        .order_by("complaint__external_id")
        .first()
    )
    if waiting is None:
        return False
    officer = make_user("officer-d1", Role.REGULATOR)
    services.perform(
        waiting.complaint_id, officer, Action.TRANSFER, TRANSFER_REASON, None, at=timezone.now(),
        details=centre.Details(bureau=districts[1].pk, case_bureau=districts[0].pk),
    )  # fmt: skip
    return True
