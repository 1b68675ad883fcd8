"""Transfers between bureaus (SPEC §11, issue 14 item 2): an officer moves a complaint at the centre to any
other bureau — another district, or up to the city centre — with the reason. The receiving bureau's 7 working
days of acceptance start when it receives it, on its own calendar; the transfer and its reason are an event
and a row of their own, shown to officers after the routing line, and count in the centre's figures as one
transfer out of the sending bureau and one into the receiving one. SPEC §10's worked example: received by
the city centre on Wednesday 2026-09-30 at 17:00, acceptance due 2026-10-15 18:00."""

from datetime import date

import pytest
import time_machine

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import CentreCase, Transfer
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import MONDAY_TO_SATURDAY, at
from complaintdesk.complaints import centre, services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.stats import centre as centre_figures
from complaintdesk.stats import rollups
from complaintdesk.stats.periods import Period

pytestmark = pytest.mark.django_db

RECEIVED = at(2026, 9, 30, 17)
MOVED = at(2026, 10, 12, 10)
OCTOBER = Period.parse(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def city(people):
    return bureaus.build(people)


def act(complaint, actor, action, when, message="", **details):
    with time_machine.travel(when, tick=False):
        return services.perform(
            complaint.pk, actor, action, message, None, at=when,
            details=centre.Details(**details) if details else None,
        )  # fmt: skip


def at_city_centre(city):
    """Corner has no district and no platform seat: its complaint reaches the city centre."""
    with time_machine.travel(RECEIVED, tick=False):
        return services.file_complaint(city.rita, factories.new_complaint(city.corner, for_centre=True))


def acceptance(complaint) -> Deadline:
    return Deadline.objects.get(complaint=complaint, phase=Phase.ACCEPTANCE)


def test_the_receiving_bureau_has_seven_working_days_from_its_receipt(city):
    c = at_city_centre(city)
    assert acceptance(c).due_at == at(2026, 10, 15, 18)
    act(c, city.rita, "transfer", MOVED, "The shop's warehouse is in Huangpu", bureau=city.huangpu.pk)
    case = CentreCase.objects.get(complaint=c)
    assert (case.bureau, case.received_at, case.routing) == (city.huangpu, MOVED, "city")
    duty = acceptance(c)
    assert (duty.starts_at, duty.due_at, duty.status) == (MOVED, at(2026, 10, 21, 18), "open")


def test_the_receiving_bureaus_own_calendar_counts(city):
    city.huangpu.service_hours = MONDAY_TO_SATURDAY
    city.huangpu.save()
    c = at_city_centre(city)
    act(c, city.rita, "transfer", MOVED, "Huangpu's", bureau=city.huangpu.pk)
    assert acceptance(c).due_at == at(2026, 10, 20, 18)  # Saturday the 17th is a working day at Huangpu


def test_the_transfer_and_its_reason_are_an_event_and_a_row(city):
    c = at_city_centre(city)
    act(c, city.rita, "transfer", MOVED, "The shop's warehouse is in Huangpu", bureau=city.huangpu.pk)
    event = c.events.order_by("-id").first()
    assert (event.action, event.actor, event.message) == (
        "transfer",
        city.rita,
        "The shop's warehouse is in Huangpu",
    )
    assert event.data == {"bureau": city.huangpu.pk, "from_bureau": city.centre.pk}
    row = Transfer.objects.get()
    assert (row.complaint, row.from_bureau, row.to_bureau, row.by, row.at, row.received_before) == (
        c,
        city.centre,
        city.huangpu,
        city.rita,
        MOVED,
        RECEIVED,
    )
    assert row.reason == "The shop's warehouse is in Huangpu"


def test_the_officers_page_says_where_it_was_routed_and_where_it_went(city):
    c = at_city_centre(city)
    act(c, city.rita, "transfer", MOVED, "Huangpu's", bureau=city.huangpu.pk)
    case = CentreCase.objects.get(complaint=c)
    assert case.routing_line().startswith(
        "Routed to City Consumer Protection Centre (12315): the city centre"
    )
    assert [(t.from_bureau, t.to_bureau, t.reason) for t in case.transfer_list()] == [
        (city.centre, city.huangpu, "Huangpu's")
    ]


def test_a_district_sends_a_complaint_to_another_district_or_up_to_the_city(city):
    with time_machine.travel(RECEIVED, tick=False):
        c = services.file_complaint(city.rita, factories.new_complaint(city.acme, for_centre=True))
    assert c.centre_case.bureau == city.huangpu
    act(c, city.dora, "transfer", MOVED, "Pudong's", bureau=city.pudong.pk)
    act(c, city.paul, "transfer", at(2026, 10, 13, 10), "Needs the city", bureau=city.centre.pk)
    assert CentreCase.objects.get(complaint=c).bureau == city.centre
    assert list(Transfer.objects.values_list("from_bureau", "to_bureau")) == [
        (city.huangpu.pk, city.pudong.pk),
        (city.pudong.pk, city.centre.pk),
    ]


def test_transfers_are_in_the_figures_out_of_one_bureau_and_into_the_other(city):
    c = at_city_centre(city)
    act(c, city.rita, "transfer", MOVED, "Huangpu's", bureau=city.huangpu.pk)
    figures = {b: centre_figures.figures(OCTOBER, b.pk) for b in (city.centre, city.huangpu, city.pudong)}
    moves = {b: (f["transfers_out"], f["transfers_in"]) for b, f in figures.items()}
    assert moves == {city.centre: (1, 0), city.huangpu: (0, 1), city.pudong: (0, 0)}
    every = centre_figures.figures(OCTOBER)
    assert (every["transfers_out"], every["transfers_in"]) == (1, 1)
    # The complaint counts at the bureau that has it, from its receipt there.
    assert (
        figures[city.huangpu]["received"]["complaint"],
        figures[city.centre]["received"]["complaint"],
    ) == (1, 0)
    september = centre_figures.figures(Period.parse(date(2026, 9, 1), date(2026, 9, 30)))
    assert (september["transfers_out"], september["received"]["complaint"]) == (0, 0)
    rows = {r.code: r.value for r in centre_figures.rows(figures[city.huangpu])}
    assert (rows["transfers_in"], rows["transfers_out"]) == (1, 0)
    assert rollups.differences() == []  # the rollups equal what the raw rows say


def test_a_report_transferred_is_in_the_figures_too(city):
    with time_machine.travel(RECEIVED, tick=False):
        report = matters.file(
            None,
            Filing(kind="report", text="Fake chargers.", merchant=city.acme.pk, contact_phone="12345678"),
        )
    matters.transfer(report.pk, city.dora, city.pudong.pk, "Pudong's", at=MOVED)
    assert (centre_figures.figures(OCTOBER, city.pudong.pk)["transfers_in"]) == 1
    assert (centre_figures.figures(OCTOBER, city.huangpu.pk)["transfers_out"]) == 1
    assert rollups.differences() == []


def test_a_district_officer_cannot_transfer_another_bureaus_complaint(city, api):
    with time_machine.travel(RECEIVED, tick=False):
        at_pudong = services.file_complaint(city.rita, factories.new_complaint(city.bazaar, for_centre=True))
    assert at_pudong.centre_case.bureau == city.pudong
    before = (acceptance(at_pudong).due_at, at_pudong.events.count(), Transfer.objects.count())
    body = {"bureau": city.huangpu.pk, "message": "Mine now"}
    with time_machine.travel(MOVED, tick=False):
        response = api(city.dora).post(f"/complaints/{at_pudong.pk}/transfer", body)
        missing = api(city.dora).post("/complaints/987654/transfer", body)
    assert response.status_code == 404
    assert response.json() == missing.json()
    assert CentreCase.objects.get(complaint=at_pudong).bureau == city.pudong
    assert (acceptance(at_pudong).due_at, at_pudong.events.count(), Transfer.objects.count()) == before
