"""Routing (SPEC §11, issue 14 item 2): a complaint that reaches the centre (escalated or filed with it) and a
report about a shop go to the bureau in charge of the shop — its registered district when it has a reachable
address, else the bureau where its platform is registered (SAMR Order No. 121), else the city centre, which
routes it by hand. An enquiry, or a report about a web address, goes to the city centre. Why is recorded
with the matter (and a complaint's event) and shown to officers."""

import pytest
import time_machine
from django.utils import translation

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import CentreCase, MatterKind, Routing
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import at
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.django_db

RECEIVED = at(2026, 9, 30, 17)


@pytest.fixture
def city(people):
    return bureaus.build(people)


def escalated(city, shop):
    """A complaint against `shop` that the consumer disputes and takes to the centre."""
    c = factories.complaint(city.people.alice, shop, state="disputed")
    with time_machine.travel(RECEIVED, tick=False):
        return services.perform(c.pk, city.people.alice, "escalate", "Please mediate.", None, at=RECEIVED)


def filed_with_the_centre(city, shop):
    with time_machine.travel(RECEIVED, tick=False):
        return services.file_complaint(city.rita, factories.new_complaint(shop, for_centre=True))


def reported(shop=None, kind=MatterKind.REPORT, **fields):
    values = {"kind": kind, "text": "They sell fake chargers.", "contact_phone": "12345678", **fields}
    if shop is not None:
        values["merchant"] = shop.pk
    with time_machine.travel(RECEIVED, tick=False):
        return matters.file(None, Filing(**values))


def shop_of(city, which: str):
    return {"district": city.acme, "platform": city.bazaar, "city": city.corner}[which]


def bureau_of(city, which: str):
    return {"district": city.huangpu, "platform": city.pudong, "city": city.centre}[which]


CASES = ["district", "platform", "city"]


@pytest.mark.parametrize("which", CASES)
def test_an_escalated_complaint_goes_to_the_bureau_in_charge_of_the_shop(city, which):
    c = escalated(city, shop_of(city, which))
    case = CentreCase.objects.get(complaint=c)
    assert (case.bureau, case.routing) == (bureau_of(city, which), which)
    event = c.events.get(action="escalate")
    assert (event.data["bureau"], event.data["routing"]) == (bureau_of(city, which).pk, which)


@pytest.mark.parametrize("which", CASES)
def test_a_complaint_filed_with_the_centre_goes_to_the_bureau_in_charge_of_the_shop(city, which):
    c = filed_with_the_centre(city, shop_of(city, which))
    assert (c.centre_case.bureau, c.centre_case.routing) == (bureau_of(city, which), which)


@pytest.mark.parametrize("which", CASES)
def test_a_report_about_a_shop_goes_to_the_bureau_in_charge_of_it(city, which):
    report = reported(shop_of(city, which))
    assert (report.bureau, report.routing) == (bureau_of(city, which), which)


def test_an_unreachable_address_sends_the_shop_where_its_platform_is(city):
    city.acme.platform = "jd"
    city.acme.address_unreachable = True
    city.acme.save()
    report = reported(city.acme)
    assert (report.bureau, report.routing) == (city.pudong, Routing.PLATFORM)


def test_a_district_without_an_address_is_no_reachable_address(city):
    city.corner.registered_district = city.huangpu  # a district, but no address to reach the shop at
    city.corner.save()
    report = reported(city.corner)
    assert (report.bureau, report.routing) == (city.centre, Routing.CITY)


def test_an_enquiry_or_a_report_about_a_web_address_goes_to_the_city_centre(city):
    enquiry = reported(kind=MatterKind.ENQUIRY, text="How long may a refund take?")
    report = reported(web_address="https://chargers.example.com/")
    for matter in (enquiry, report):
        assert (matter.bureau, matter.routing) == (city.centre, Routing.NO_SHOP)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_routing_line_names_the_bureau_in_the_readers_language_and_why(city, language):
    c = escalated(city, city.acme)
    with translation.override(language):
        line = c.centre_case.routing_line()
    name = "Huangpu District Bureau" if language == "en" else "黄浦区市场监督管理局"
    assert name in line
    if language == "en":
        assert line == "Routed to Huangpu District Bureau: the shop's registered district"


def test_a_case_from_before_routing_says_nothing_of_it(city):
    c = escalated(city, city.acme)
    CentreCase.objects.filter(complaint=c).update(routing="")
    assert CentreCase.objects.get(complaint=c).routing_line() == ""
