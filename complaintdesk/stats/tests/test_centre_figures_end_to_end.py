"""The centre's figures follow its real steps: complaints taken through the API's centre actions (SPEC §7) and
the worker, then GET /api/v1/stats/centre. Whatever writes the rows (the lifecycle's saves and bulk UPDATEs,
the worker's automatic termination, the letters, the rating invitation), the rollups equal the raw rows.

Timeline (Asia/Shanghai), every complaint escalated by an officer on Monday 2026-11-02 10:00:
  agreed      accepted 11-03, agreement 11-05 with ¥88.80 recovered, rated 4
  refused     refused on ground (2) 11-04
  terminated  accepted 11-03, paused for testing 11-04, resumed 11-09, terminated on ground (4) 11-10
  timed out   accepted 11-03; the worker ends its mediation on ground (5) when its 45 working days pass
              (in January 2027); an officer sends the notices on 2027-01-20, late
  waiting     never decided: its acceptance is missed
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre.models import CentreCase
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.stats import rollups

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=SH)


class Officer:
    def __init__(self, api, people):
        self.api, self.user = api, people.rita

    def act(self, complaint, action, when, **fields):
        with time_machine.travel(when, tick=False):  # a token of the day: tokens last 30 days
            response = self.api(self.user).post(
                f"/complaints/{complaint.pk}/{action}", {"message": "By the centre", **fields}
            )
        assert response.status_code == 200, (action, response.content)
        return response.json()


@pytest.fixture
def walked(people, api):
    officer = Officer(api, people)
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        complaints = {name: factories.complaint(people.alice, people.acme) for name in (
            "agreed", "refused", "terminated", "timed_out", "waiting")}  # fmt: skip
    for c in complaints.values():
        officer.act(c, "escalate", at(2026, 11, 2, 10))
    for name in ("agreed", "terminated", "timed_out"):
        officer.act(complaints[name], "accept_case", at(2026, 11, 3, 10))
    officer.act(
        complaints["agreed"],
        "record_agreement",
        at(2026, 11, 5, 10),
        terms="Refund",
        amount_recovered="88.80",
    )
    with time_machine.travel(at(2026, 11, 6, 10), tick=False):
        rated = api(people.alice).post(
            f"/complaints/{complaints['agreed'].pk}/rating", {"score": 4, "comment": "OK"}
        )
    assert rated.status_code in (200, 201), rated.content
    officer.act(complaints["refused"], "refuse_case", at(2026, 11, 4, 10), ground=2)
    officer.act(complaints["terminated"], "pause_for_testing", at(2026, 11, 4, 10))
    officer.act(complaints["terminated"], "resume_after_testing", at(2026, 11, 9, 10))
    officer.act(complaints["terminated"], "terminate_mediation", at(2026, 11, 10, 10), ground=4)
    # The worker, after the waiting one's acceptance and then after the mediation period's end.
    period_end = Deadline.objects.get(complaint=complaints["timed_out"], phase=Phase.MEDIATION).due_at
    for when in (at(2026, 11, 20, 9), period_end + timedelta(minutes=1)):
        with time_machine.travel(when, tick=False):
            sweep.sweep(when)
    officer.act(complaints["timed_out"], "send_termination_notice", at(2027, 1, 20, 10))
    return complaints


def test_the_figures_follow_the_centres_real_steps(walked, people, api):
    with time_machine.travel(at(2027, 1, 21, 10), tick=False):
        body = api(people.rita).get("/stats/centre", NOVEMBER).json()
    assert body["received"]["complaint"] == 5
    assert (body["accepted"], body["refused"], body["pending"]) == (3, 1, 1)
    assert body["refused_by_ground"]["2"] == 1
    assert (body["agreed"], body["terminated"]) == (1, 2)
    assert (body["terminated_by_ground"]["4"], body["terminated_by_ground"]["5"]) == (1, 1)
    assert body["mediation_success_rate"] == 0.3333
    assert body["amount_recovered"] == "88.80"
    acceptance, mediation, notice = (
        body["duties"][p] for p in ("acceptance", "mediation", "termination_notice")
    )
    assert (acceptance["met_in_time"], acceptance["missed"]) == (4, 1)
    # The worker ended the timed-out one at its limit (a minute after, on its cadence): met in time, not missed.
    assert (mediation["met_in_time"], mediation["met_late"], mediation["missed"]) == (3, 0, 0)
    assert (notice["met_in_time"], notice["met_late"]) == (1, 1)
    assert body["working_days"]["to_acceptance"] == {"count": 3, "median": 1, "p90": 1}
    assert body["satisfaction"]["count"] == 1 and body["satisfaction"]["distribution"]["4"] == 1
    assert CentreCase.objects.get(complaint=walked["timed_out"]).termination_ground == 5
    assert rollups.differences() == []
