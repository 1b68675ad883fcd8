"""The console's pages of routing and transfer (SPEC §11): a report's or an enquiry's page says where it was
routed and why, lists its transfers and offers the transfer to any other bureau (asked about once, then
made); a complaint's centre panel says the same to officers only. Bad input is shown at its field and
changes nothing; another bureau's matter is not found for a district officer."""

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind, Transfer
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import at
from complaintdesk.complaints import centre, services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline

pytestmark = pytest.mark.django_db

RECEIVED = at(2026, 9, 24, 11)
NOW = at(2026, 10, 12, 10)


@pytest.fixture
def city(people):
    return bureaus.build(people)


@pytest.fixture
def report(city):
    with time_machine.travel(RECEIVED, tick=False):
        return matters.file(
            None,
            Filing(
                kind=MatterKind.REPORT, text="Fake chargers.", merchant=city.acme.pk, contact_phone="12345678"
            ),
        )


def page(client, matter) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("web:matter", args=[matter.pk]))
    return response.status_code, response.content.decode()


def post(client, matter, data, confirm=True):
    body = {f"transfer-{k}": v for k, v in data.items()} | ({"confirm": "1"} if confirm else {})
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("web:transfer_matter", args=[matter.pk]), body)


def unchanged(matter):
    row = Matter.objects.get(pk=matter.pk)
    return (
        row.bureau_id,
        row.received_at,
        Deadline.objects.get(matter=matter).due_at,
        Transfer.objects.count(),
    )


def test_the_matter_page_says_where_it_was_routed_and_offers_the_other_bureaus(city, report, browser_of):
    status, html = page(browser_of(city.dora), report)
    assert status == 200
    assert "Routed to Huangpu District Bureau: the shop&#x27;s registered district" in html
    form = html.split('id="h-transfer"', 1)[1].split("</form>", 1)[0]
    assert "Pudong New Area Bureau" in form and "City Consumer Protection Centre (12315)" in form
    assert "Huangpu District Bureau" not in form  # not to the bureau that holds it


def test_a_transfer_asks_first_then_moves_the_matter(city, report, browser_of):
    client = browser_of(city.dora)
    before = unchanged(report)
    asked = post(
        client, report, {"bureau": city.pudong.pk, "message": "The warehouse is in Pudong"}, confirm=False
    )
    assert asked.status_code == 200 and "Transfer JB-" in asked.content.decode()
    assert unchanged(report) == before
    done = post(client, report, {"bureau": city.pudong.pk, "message": "The warehouse is in Pudong"})
    # Dora no longer sees it: back to her list.
    assert (done.status_code, done["Location"]) == (302, reverse("web:matters"))
    assert Matter.objects.get(pk=report.pk).bureau == city.pudong
    status, html = page(browser_of(city.paul), report)
    assert status == 200
    transfers = html.split('id="matter-transfers"', 1)[1].split("</ol>", 1)[0]
    assert "from Huangpu District Bureau to Pudong New Area Bureau" in transfers
    assert "The warehouse is in Pudong" in transfers and "dora" in transfers
    assert page(client, report)[0] == 404


def test_a_city_officer_stays_on_the_matters_page(city, report, browser_of):
    done = post(browser_of(city.rita), report, {"bureau": city.pudong.pk, "message": "Pudong's"})
    assert (done.status_code, done["Location"]) == (302, reverse("web:matter", args=[report.pk]))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bureau": "same", "message": "Move"}, "bureau"),
        ({"bureau": 987654, "message": "Move"}, "bureau"),
        ({"bureau": "x", "message": "Move"}, "bureau"),
        ({"bureau": "", "message": "Move"}, "bureau"),
        ({"bureau": "other", "message": ""}, "message"),
        ({"bureau": "other", "message": "x" * 5001}, "message"),
    ],
)
def test_bad_input_is_shown_at_its_field_and_changes_nothing(city, report, browser_of, data, field):
    ids = {"same": city.huangpu.pk, "other": city.pudong.pk}
    data = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    before = unchanged(report)
    response = post(browser_of(city.dora), report, data)
    assert response.status_code == 422
    assert f'id="id_transfer-{field}_error"' in response.content.decode()
    assert unchanged(report) == before


def test_a_district_officer_cannot_open_or_transfer_another_bureaus_matter(city, report, browser_of):
    client = browser_of(city.paul)
    before = unchanged(report)
    assert page(client, report)[0] == 404
    assert post(client, report, {"bureau": city.pudong.pk, "message": "Mine"}).status_code == 404
    assert unchanged(report) == before


def test_a_decided_matter_offers_no_transfer(city, report, browser_of):
    matters.decide_report(report.pk, city.dora, "no_case", "Nothing unlawful.", at=at(2026, 10, 9, 10))
    assert 'id="h-transfer"' not in page(browser_of(city.dora), report)[1]


def test_the_complaint_panel_says_where_it_was_routed_and_moved_to_officers_only(city, browser_of):
    c = factories.complaint(city.people.alice, city.acme, state="disputed")
    with time_machine.travel(RECEIVED, tick=False):
        services.perform(c.pk, city.people.alice, "escalate", "Please mediate.", None)
    with time_machine.travel(NOW, tick=False):
        services.perform(
            c.pk,
            city.dora,
            "transfer",
            "Pudong's warehouse",
            None,
            details=centre.Details(bureau=city.pudong.pk),
        )
    url = reverse("web:complaint", args=[c.pk])
    with time_machine.travel(NOW, tick=False):
        officer = browser_of(city.paul).get(url).content.decode()
        consumer = browser_of(city.people.alice).get(url).content.decode()
        shop = browser_of(city.people.bob).get(url).content.decode()
    assert "Routed to Huangpu District Bureau: the shop&#x27;s registered district" in officer
    moves = officer.split('id="centre-transfers"', 1)[1].split("</ol>", 1)[0]
    assert (
        "from Huangpu District Bureau to Pudong New Area Bureau" in moves
        and "Pudong&#x27;s warehouse" in moves
    )
    for page_of_a_party in (consumer, shop):
        assert 'id="centre-case"' in page_of_a_party
        assert "Routed to" not in page_of_a_party and 'id="centre-transfers"' not in page_of_a_party
