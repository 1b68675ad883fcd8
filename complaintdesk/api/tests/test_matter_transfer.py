"""POST /api/v1/reports/{id}/transfer and /enquiries/{id}/transfer (SPEC §11, issue 14 item 2): an officer moves
a report or an enquiry that awaits its duty to another bureau with the reason; the receiving bureau's duty
starts when it receives it. Bad input answers 422 naming the field and changes nothing; another bureau's
matter is not found for a district officer (404), whoever else asks is refused (403), a decided one 409."""

import pytest
import time_machine

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Matter, MatterKind, Transfer
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import at
from complaintdesk.deadlines.models import Deadline

pytestmark = pytest.mark.django_db

RECEIVED = at(2026, 9, 24, 11)  # SPEC §10's worked example: the decision is due 2026-10-22 18:00
MOVED = at(2026, 10, 12, 10)


@pytest.fixture
def city(people):
    return bureaus.build(people)


def filed(kind: str, shop) -> Matter:
    text = "Fake chargers." if kind == MatterKind.REPORT else "May this shop refuse a refund?"
    with time_machine.travel(RECEIVED, tick=False):
        return matters.file(None, Filing(kind=kind, text=text, merchant=shop.pk, contact_phone="12345678"))


COLLECTION = {MatterKind.REPORT: "reports", MatterKind.ENQUIRY: "enquiries"}


def path(matter: Matter) -> str:
    return f"/{COLLECTION[matter.kind]}/{matter.pk}/transfer"


def transfer(api, user, matter, body):
    with time_machine.travel(MOVED, tick=False):
        return api(user).post(path(matter), body)


def stored(matter: Matter):
    duty = Deadline.objects.get(matter=matter)
    row = Matter.objects.get(pk=matter.pk)
    return row.bureau_id, row.received_at, duty.starts_at, duty.due_at, Transfer.objects.count()


@pytest.mark.parametrize("kind", [MatterKind.REPORT, MatterKind.ENQUIRY])
def test_a_transfer_moves_the_matter_and_restarts_its_duty_at_the_receiving_bureau(city, api, kind):
    matter = filed(kind, city.acme)
    assert matter.bureau == city.huangpu
    response = transfer(
        api, city.dora, matter, {"bureau": city.pudong.pk, "message": "The warehouse is in Pudong"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["bureau"], body["bureau_name"], body["routing"]) == (
        city.pudong.pk,
        "Pudong New Area Bureau",
        "district",
    )
    assert body["transfers"] == [
        {
            "from_bureau": city.huangpu.pk,
            "to_bureau": city.pudong.pk,
            "reason": "The warehouse is in Pudong",
            "by": "dora",
            "at": "2026-10-12T02:00:00Z",
        }
    ]
    due = body["decision_due" if kind == MatterKind.REPORT else "answer_due"]
    if kind == MatterKind.REPORT:
        # 15 working days from its receipt at Pudong on Monday 2026-10-12, not from 2026-09-24.
        assert due == "2026-11-02T10:00:00Z"
    else:
        assert due is not None and Deadline.objects.get(matter=matter).starts_at == MOVED
    assert (body["received_at"], body["state"]) == ("2026-10-12T02:00:00Z", "received")
    moved = Transfer.objects.get()
    assert (moved.matter_id, moved.received_before, moved.by) == (matter.pk, RECEIVED, city.dora)


def test_the_receiving_bureau_sees_it_and_the_sending_district_no_longer_does(city, api):
    report = filed(MatterKind.REPORT, city.acme)
    transfer(api, city.dora, report, {"bureau": city.pudong.pk, "message": "Pudong's"})
    assert api(city.dora).get(f"/reports/{report.pk}").status_code == 404
    assert [r["id"] for r in api(city.dora).get("/reports").json()["items"]] == []
    assert api(city.paul).get(f"/reports/{report.pk}").json()["bureau"] == city.pudong.pk
    assert api(city.rita).get(f"/reports/{report.pk}").status_code == 200


def test_a_district_sends_a_matter_up_to_the_city_centre_and_the_city_anywhere(city, api):
    report = filed(MatterKind.REPORT, city.acme)
    assert (
        transfer(api, city.dora, report, {"bureau": city.centre.pk, "message": "Two districts"}).status_code
        == 200
    )
    response = transfer(api, city.rita, report, {"bureau": city.pudong.pk, "message": "Pudong's after all"})
    assert response.status_code == 200
    assert [(t["from_bureau"], t["to_bureau"]) for t in response.json()["transfers"]] == [
        (city.huangpu.pk, city.centre.pk),
        (city.centre.pk, city.pudong.pk),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bureau": "same", "message": "Move"}, "bureau"),
        ({"bureau": 987654, "message": "Move"}, "bureau"),
        ({"bureau": "x", "message": "Move"}, "bureau"),
        ({"bureau": "2", "message": "Move"}, "bureau"),
        ({"bureau": True, "message": "Move"}, "bureau"),
        ({"bureau": 1.5, "message": "Move"}, "bureau"),
        ({"bureau": 0, "message": "Move"}, "bureau"),
        ({"message": "Move"}, "bureau"),
        ({"bureau": "other"}, "message"),
        ({"bureau": "other", "message": "   "}, "message"),
        ({"bureau": "other", "message": "x" * 5001}, "message"),
    ],
)
@pytest.mark.parametrize("kind", [MatterKind.REPORT, MatterKind.ENQUIRY])
def test_bad_input_is_refused_on_its_field_and_changes_nothing(city, api, kind, body, field):
    matter = filed(kind, city.acme)
    ids = {"same": city.huangpu.pk, "other": city.pudong.pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = stored(matter)
    response = transfer(api, city.rita, matter, body)
    assert response.status_code == 422, response.content
    assert [issue["loc"][-1] for issue in response.json()["detail"]][0] == field
    assert stored(matter) == before


def test_a_district_officer_cannot_transfer_another_bureaus_matter(city, api):
    at_pudong = filed(MatterKind.REPORT, city.bazaar)
    before = stored(at_pudong)
    response = transfer(api, city.dora, at_pudong, {"bureau": city.huangpu.pk, "message": "Mine now"})
    assert response.status_code == 404
    assert stored(at_pudong) == before
    missing = api(city.dora).post(
        "/reports/987654/transfer", {"bureau": city.huangpu.pk, "message": "Mine now"}
    )
    assert missing.json() == response.json()


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_no_one_but_an_officer_transfers(city, api, who):
    report = filed(MatterKind.REPORT, city.acme)
    before = stored(report)
    response = transfer(api, getattr(city.people, who), report, {"bureau": city.pudong.pk, "message": "Move"})
    assert response.status_code == 403
    assert stored(report) == before


def test_a_decided_report_stays_where_it_was_decided(city, api):
    report = filed(MatterKind.REPORT, city.acme)
    matters.decide_report(report.pk, city.dora, "no_case", "Nothing unlawful found.", at=at(2026, 10, 9, 10))
    before = stored(report)
    response = transfer(api, city.rita, report, {"bureau": city.pudong.pk, "message": "Move"})
    assert response.status_code == 409
    assert "decided already" in response.json()["detail"]
    assert stored(report) == before
