"""The 12315 centre's procedure through the HTTP API (SPEC §7's added names): SPEC §10's four worked examples,
and every bad input of the centre's steps answered 4xx naming the field, changing nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre.models import Bureau, BureauLevel, CentreCase, Notice
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@pytest.fixture
def officer(people, api):
    return api(people.rita)


def _counter_filing(officer, people, when):
    """An officer files a caller's counter complaint for the centre to handle (a direct filing)."""
    body = factories.complaint_payload(
        people.acme.pk, channel="counter", for_centre=True, consumer_name="Wang", received_at=when.isoformat()
    )
    with time_machine.travel(when, tick=False):
        response = officer.post("/complaints", body)
    assert response.status_code == 201, response.content
    return response.json()


def _act(client, complaint_id, action, when, **body):
    with time_machine.travel(when, tick=False):
        return client.post(f"/complaints/{complaint_id}/{action}", body)


# ---------------------------------------------------------------------------- SPEC §10's worked examples


def test_the_worked_examples_of_a_complaint_through_the_api(people, officer):
    filed = _counter_filing(officer, people, at(2026, 9, 30, 17))
    assert filed["state"] == "escalated"
    assert instant(filed["acceptance_due"]) == at(2026, 10, 15, 18)
    assert (filed["mediation_due"], filed["termination_notice_due"]) == (None, None)
    assert filed["bureau"] == Bureau.city_centre().pk
    assert filed["rule_version"] == "SAMR Order No. 20 (2019, amended 2022)"
    assert filed["centre"]["via"] == "direct"

    accepted = _act(officer, filed["id"], "accept_case", at(2026, 10, 15, 10)).json()
    assert accepted["state"] == "in_mediation"
    assert instant(accepted["mediation_due"]) == at(2026, 12, 17, 18)
    assert accepted["acceptance_due"] is None  # met: no longer running
    assert instant(accepted["centre"]["accepted_at"]) == at(2026, 10, 15, 10)

    ended = _act(officer, filed["id"], "terminate_mediation", at(2026, 10, 15, 10, 30), ground=3,
                 message="The shop refused to take part").json()  # fmt: skip
    assert (ended["state"], ended["centre"]["outcome"], ended["centre"]["termination_ground"]) == (
        "terminated", "terminated", 3,
    )  # fmt: skip
    # The officer's termination sent both notices at once: the duty (due 10-26 18:00) is met, so not running.
    notice_duty = next(d for d in ended["deadlines"] if d["phase"] == "termination_notice")
    assert (instant(notice_duty["due_at"]), notice_duty["met_in_time"]) == (at(2026, 10, 26, 18), True)
    assert ended["termination_notice_due"] is None
    assert [e["action"] for e in ended["events"]] == ["submit", "accept_case", "terminate_mediation"]
    assert ended["events"][-1]["data"]["ground"] == 3


def test_the_worked_example_of_a_report_through_the_api(api):
    with time_machine.travel(at(2026, 9, 24, 11), tick=False):
        response = api(None).post("/reports", {"text": "Fake original prices", "web_address": "shop.example",
                                               "contact_phone": "13800000000"})  # fmt: skip
    assert response.status_code == 201, response.content
    assert instant(response.json()["decision_due"]) == at(2026, 10, 22, 18)


def test_a_termination_notice_the_worker_leaves_is_due_in_the_json_until_sent(people, officer, api):
    filed = _counter_filing(officer, people, at(2026, 9, 30, 17))
    _act(officer, filed["id"], "accept_case", at(2026, 10, 15, 10))
    assert sweep.sweep(at(2026, 12, 17, 18))["terminated"] == 1
    with time_machine.travel(at(2026, 12, 18, 9), tick=False):
        ended = officer.get(f"/complaints/{filed['id']}").json()
    assert (ended["state"], ended["centre"]["termination_ground"]) == ("terminated", 5)
    assert instant(ended["termination_notice_due"]) == at(2026, 12, 28, 18)
    sent = _act(officer, filed["id"], "send_termination_notice", at(2026, 12, 18, 10)).json()
    assert sent["termination_notice_due"] is None
    assert instant(sent["centre"]["termination_notice_sent_at"]) == at(2026, 12, 18, 10)


def test_a_complaint_before_the_centre_has_no_centre_fields_and_the_parties_see_them_after(
    people, officer, api
):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(people.alice, people.acme, "disputed")
        mine = api(people.alice).get(f"/complaints/{c.pk}").json()
    assert [mine[k] for k in ("bureau", "rule_version", "acceptance_due", "mediation_due", "centre")] == [
        None
    ] * 5
    _act(api(people.alice), c.pk, "escalate", at(2026, 9, 30, 17), message="Please help")
    with time_machine.travel(at(2026, 10, 1, 9), tick=False):
        for client in (api(people.alice), api(people.bob)):
            seen = client.get(f"/complaints/{c.pk}").json()
            assert instant(seen["acceptance_due"]) == at(2026, 10, 15, 18)
            assert seen["centre"]["via"] == "escalation"
        listed = officer.get("/complaints", {"state": "escalated"}).json()["items"]
    assert [(x["id"], instant(x["acceptance_due"])) for x in listed] == [(c.pk, at(2026, 10, 15, 18))]


def test_the_rating_window_is_rating_due_and_never_one_of_the_deadlines(people, officer, api):
    filed = _counter_filing(officer, people, at(2026, 9, 30, 17))
    assert filed["rating_due"] is None
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        c = factories.complaint(people.alice, people.acme, "disputed")
    _act(api(people.alice), c.pk, "escalate", at(2026, 10, 9, 10), message="Please help")
    _act(officer, c.pk, "accept_case", at(2026, 10, 12, 10))
    agreed = _act(
        officer, c.pk, "record_agreement", at(2026, 10, 20, 10), terms="Refund", amount_recovered="5"
    )
    assert agreed.status_code == 200, agreed.content
    # The rating window opened at the agreement (15 days): the complaint's `rating_due`, for every party.
    with time_machine.travel(at(2026, 10, 21, 9), tick=False):
        for client in (api(people.alice), api(people.bob), officer):
            seen = client.get(f"/complaints/{c.pk}").json()
            assert instant(seen["rating_due"]) == at(2026, 11, 4, 10)
            assert "rating" not in [d["phase"] for d in seen["deadlines"]]
            listed = client.get("/complaints", {"state": "agreed"}).json()["items"]
            mine = next(x for x in listed if x["id"] == c.pk)
            assert instant(mine["rating_due"]) == at(2026, 11, 4, 10)
            assert "rating" not in [d["phase"] for d in mine["deadlines"]]
    assert Deadline.objects.filter(complaint_id=c.pk, phase="rating").exists()


def test_a_transfer_names_its_bureau_and_an_agreement_its_money(people, officer):
    district = Bureau.objects.create(name_zh="东城区局", name_en="Dongcheng", level=BureauLevel.DISTRICT)
    filed = _counter_filing(officer, people, at(2026, 9, 30, 17))
    moved = _act(
        officer, filed["id"], "transfer", at(2026, 10, 9, 10), bureau=district.pk, message="Dongcheng's"
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["bureau"], instant(moved.json()["acceptance_due"])) == (
        district.pk,
        at(2026, 10, 19, 18),
    )
    _act(officer, filed["id"], "accept_case", at(2026, 10, 12, 10), case_bureau=district.pk)
    agreed = _act(officer, filed["id"], "record_agreement", at(2026, 10, 20, 10), terms="Refund in 7 days",
                  amount_recovered="99.00")  # fmt: skip
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["centre"]["amount_recovered"] == "99.00"
    assert agreed.json()["centre"]["agreement_terms"] == "Refund in 7 days"


# ----------------------------------------------------------------------------------------------- bad input


def _snapshot(complaint_id):
    c = Complaint.objects.get(pk=complaint_id)
    return (
        c.state,
        c.events.count(),
        CentreCase.objects.filter(complaint=c).values().first(),
        Notice.objects.count(),
        sorted(Deadline.objects.filter(complaint=c).values_list("phase", "status", "due_at", "met_at")),
    )


def _refused(response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    if field is None:
        assert isinstance(detail, str) and detail
    else:
        assert any(field in issue["loc"] for issue in detail), detail


@pytest.fixture
def received(people, officer):
    return _counter_filing(officer, people, at(2026, 9, 30, 17))["id"]


@pytest.fixture
def in_mediation(received, officer):
    _act(officer, received, "accept_case", at(2026, 10, 9, 10))
    return received


@pytest.mark.parametrize(
    "body",
    [
        {"message": "No"},
        {"message": "No", "ground": None},
        {"message": "No", "ground": 7},
        {"message": "No", "ground": 0},
        {"message": "No", "ground": "abc"},
        {"message": "No", "ground": 2.5},
        # Strict: lax parsing read these as ground 1 and refused on it.
        {"message": "No", "ground": True},
        {"message": "No", "ground": "1"},
        {"message": "No", "ground": 1.0},
    ],
)
def test_refusing_without_a_ground_or_with_an_unknown_one_is_refused(received, officer, body):
    before = _snapshot(received)
    _refused(_act(officer, received, "refuse_case", at(2026, 10, 9, 10), **body), 422, "ground")
    assert _snapshot(received) == before


@pytest.mark.parametrize("ground", [None, 8, -1, "five", "", True, "1", 1.5, 1.0])
def test_terminating_without_a_ground_or_with_an_unknown_one_is_refused(in_mediation, officer, ground):
    before = _snapshot(in_mediation)
    body = {"message": "No agreement"} | ({} if ground is None else {"ground": ground})
    _refused(_act(officer, in_mediation, "terminate_mediation", at(2026, 10, 20, 10), **body), 422, "ground")
    assert _snapshot(in_mediation) == before


@pytest.mark.parametrize(
    "amount", ["-0.01", -5, "abc", "1e400", "12.345", None, "NaN", [], "Infinity", True, "1,5", "¥5", 0.001]
)
def test_a_negative_or_non_numeric_amount_recovered_is_refused(in_mediation, officer, amount):
    before = _snapshot(in_mediation)
    body = {"terms": "Refund"} | ({} if amount is None else {"amount_recovered": amount})
    _refused(
        _act(officer, in_mediation, "record_agreement", at(2026, 10, 20, 10), **body), 422, "amount_recovered"
    )
    assert _snapshot(in_mediation) == before


@pytest.mark.parametrize("amount, stored", [(0, "0.00"), ("-0", "0.00"), ("12.5", "12.50"), (99.99, "99.99")])
def test_an_amount_recovered_is_yuan_and_fen(in_mediation, officer, amount, stored):
    response = _act(officer, in_mediation, "record_agreement", at(2026, 10, 20, 10), terms="Refund",
                    amount_recovered=amount)  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["centre"]["amount_recovered"] == stored
    assert str(CentreCase.objects.get(complaint_id=in_mediation).amount_recovered) == stored
    assert response.json()["events"][-1]["data"]["amount_recovered"] == stored  # the log's words too


@pytest.mark.parametrize("bureau", [True, "2"])
def test_a_bureau_is_a_json_integer(received, officer, bureau):
    Bureau.objects.create(name_zh="东城区局", name_en="Dongcheng", level=BureauLevel.DISTRICT)
    before = _snapshot(received)
    _refused(
        _act(officer, received, "transfer", at(2026, 10, 9, 10), bureau=bureau, message="Move"), 422, "bureau"
    )
    _refused(
        _act(officer, received, "accept_case", at(2026, 10, 9, 10), case_bureau=bureau), 422, "case_bureau"
    )
    assert _snapshot(received) == before


def test_an_agreement_without_terms_is_refused(in_mediation, officer):
    before = _snapshot(in_mediation)
    response = _act(officer, in_mediation, "record_agreement", at(2026, 10, 20, 10), amount_recovered="5")
    _refused(response, 422, "terms")
    assert _snapshot(in_mediation) == before


@pytest.mark.parametrize("bureau", [None, 999999, 0, "x", "same"])
def test_a_transfer_to_no_bureau_an_unknown_one_or_the_same_is_refused(received, officer, bureau):
    before = _snapshot(received)
    if bureau == "same":
        bureau = Bureau.city_centre().pk
    body = {"message": "Move"} | ({} if bureau is None else {"bureau": bureau})
    _refused(_act(officer, received, "transfer", at(2026, 10, 9, 10), **body), 422, "bureau")
    assert _snapshot(received) == before


def test_accepting_a_refused_complaint_is_refused(received, officer):
    _act(officer, received, "refuse_case", at(2026, 10, 9, 10), ground=4, message="Over three years")
    before = _snapshot(received)
    _refused(_act(officer, received, "accept_case", at(2026, 10, 9, 11)), 409)
    assert _snapshot(received) == before


def test_accepting_a_complaint_transferred_away_is_refused(received, officer):
    city = Bureau.city_centre().pk
    district = Bureau.objects.create(name_zh="西城区局", name_en="Xicheng", level=BureauLevel.DISTRICT)
    _act(officer, received, "transfer", at(2026, 10, 9, 10), bureau=district.pk, message="Xicheng's")
    before = _snapshot(received)
    response = _act(officer, received, "accept_case", at(2026, 10, 9, 11), case_bureau=city)
    _refused(response, 409)
    assert "transferred to Xicheng" in response.json()["detail"]
    assert _snapshot(received) == before


def test_accepting_an_accepted_complaint_is_refused(in_mediation, officer):
    before = _snapshot(in_mediation)
    for action in ("accept_case", "start_mediation"):
        _refused(_act(officer, in_mediation, action, at(2026, 10, 9, 11)), 409)
    assert _snapshot(in_mediation) == before


def test_resuming_a_clock_that_is_not_paused_is_refused(in_mediation, officer):
    before = _snapshot(in_mediation)
    response = _act(officer, in_mediation, "resume_after_testing", at(2026, 10, 9, 11))
    _refused(response, 409)
    assert "resume after testing" in response.json()["detail"]
    assert _snapshot(in_mediation) == before


def test_only_an_officer_files_for_the_centre_or_takes_its_steps(people, api, received):
    consumer = api(people.alice)
    with time_machine.travel(at(2026, 9, 30, 17), tick=False):
        filing = consumer.post("/complaints", factories.complaint_payload(people.acme.pk, for_centre=True))
    _refused(filing, 422, "for_centre")
    assert not Complaint.objects.filter(consumer=people.alice).exists()
    before = _snapshot(received)
    # The shop sees the complaint, but the centre's decisions are not its to take.
    _refused(_act(api(people.bob), received, "refuse_case", at(2026, 10, 9, 10), ground=1, message="x"), 403)
    assert _snapshot(received) == before


def test_the_centres_figures_count_each_path_of_the_walk(people, officer):
    refused, agreed, ended, timed_out = (
        _counter_filing(officer, people, at(2026, 9, 30, 17))["id"] for _ in range(4)
    )
    _act(officer, refused, "refuse_case", at(2026, 10, 9, 10), ground=4, message="Over three years")
    for accepted in (agreed, ended, timed_out):
        _act(officer, accepted, "accept_case", at(2026, 10, 15, 10))
    _act(officer, agreed, "record_agreement", at(2026, 11, 2, 10), terms="Refund", amount_recovered="99.50")
    _act(
        officer, ended, "terminate_mediation", at(2026, 11, 2, 11), ground=4, message="No agreement possible"
    )
    sweep.sweep(at(2026, 12, 17, 18))
    with time_machine.travel(at(2026, 12, 18, 9), tick=False):
        figures = officer.get("/stats/centre", {"start": "2026-09-01", "end": "2026-12-31"}).json()
    assert (figures["accepted"], figures["refused"], figures["agreed"], figures["terminated"]) == (3, 1, 1, 2)
    assert figures["refused_by_ground"]["4"] == 1
    assert (figures["terminated_by_ground"]["4"], figures["terminated_by_ground"]["5"]) == (1, 1)
    assert figures["amount_recovered"] == "99.50"
    # The period the worker ended at its limit was met in time (a lawful time-out is no mediation missed);
    # its termination notice is still the officers' to send.
    mediation, notice = figures["duties"]["mediation"], figures["duties"]["termination_notice"]
    assert (mediation["met_in_time"], mediation["met_late"], mediation["missed"]) == (3, 0, 0)
    assert (notice["met_in_time"], notice["running"]) == (1, 1)
