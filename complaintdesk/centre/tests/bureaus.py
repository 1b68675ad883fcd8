"""The bureaus of the tests of routing, transfers and bureau calendars (SPEC §11), built inline on the city
centre the migrations seed: two districts and their officers, a shop registered in the first, a shop without
an address on a platform whose seat is in the second, and a shop that no district has (`build`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from complaintdesk.accounts.models import Role, User
from complaintdesk.centre.models import Bureau, BureauLevel, PlatformSeat
from complaintdesk.merchants.models import Merchant, Platform
from conftest import credit_code

SH = ZoneInfo("Asia/Shanghai")
# Monday to Saturday, 09:00–18:00: a district that also works on Saturdays.
MONDAY_TO_SATURDAY = {str(day): [["09:00", "18:00"]] for day in range(6)}
MORNINGS = {str(day): [["09:00", "12:00"]] for day in range(5)}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def district(name_en: str, name_zh: str, **fields) -> Bureau:
    return Bureau.objects.create(
        name_en=name_en, name_zh=name_zh, level=BureauLevel.DISTRICT, parent=Bureau.city_centre(), **fields
    )


def officer(username: str, bureau: Bureau | None) -> User:
    return User.objects.create(username=username, role=Role.REGULATOR, bureau=bureau)


class Map:
    pass


def build(people) -> Map:
    """`people` (conftest) plus the bureaus: Rita is a city-level officer; Dora works at Huangpu, Paul at
    Pudong. Acme is registered in Huangpu; Bazaar has no address and sells on JD, whose seat is in Pudong;
    Corner has no district and sells on its own site (no seat): the city centre's."""
    m = Map()
    m.people = people
    m.centre = Bureau.city_centre()
    m.huangpu = district("Huangpu District Bureau", "黄浦区市场监督管理局")
    m.pudong = district("Pudong New Area Bureau", "浦东新区市场监督管理局")
    people.rita.bureau = m.centre
    people.rita.save(update_fields=["bureau"])
    m.rita = people.rita
    m.dora = officer("dora", m.huangpu)
    m.paul = officer("paul", m.pudong)
    PlatformSeat.objects.create(platform=Platform.JD, operator="JD.com", bureau=m.pudong)
    m.acme, m.bazaar = people.acme, people.bazaar
    m.acme.registered_address = "1 Nanjing East Road, Huangpu"
    m.acme.registered_district = m.huangpu
    m.acme.save()
    m.bazaar.platform = Platform.JD
    m.bazaar.save()
    m.corner = Merchant.objects.create(
        name="Corner Shop", credit_code=credit_code(3), platform=Platform.OWN_SITE
    )
    return m
