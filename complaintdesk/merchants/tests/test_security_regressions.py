"""As the outside security probe ran it: a shop pushed back its own running deadlines by publishing one
minute of service hours a week. Such hours are refused now (422 naming the field, nothing changed), and
valid new hours apply to complaints received after the change only."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant, ServiceInfoRevision

SH = ZoneInfo("Asia/Shanghai")
# Monday 30 November 2026, 10:00: the probe's open complaints were due a resolution on 9 December 18:00.
RECEIVED = datetime(2026, 11, 30, 10, tzinfo=SH)
CHANGED = datetime(2026, 12, 1, 10, tzinfo=SH)
ONE_MINUTE_ON_SUNDAY_NIGHT = {"6": [["23:58", "23:59"]]}
MORNINGS = {str(day): [["09:00", "13:00"]] for day in range(5)}  # 5 days of 4 hours: just enough


def publish(people, api, hours):
    return api(people.carol).patch(f"/merchants/{people.acme.pk}/service-info", {"service_hours": hours})


def regulate(people, api, hours):
    return api(people.rita).patch(f"/merchants/{people.acme.pk}", {"service_hours": hours})


@pytest.fixture
def open_complaint(people, api):
    with time_machine.travel(RECEIVED, tick=False):
        profile.publish_service_info(people.acme.pk, people.carol, {"service_phone": "400-820-8820"})
        response = api(people.alice).post("/complaints", factories.complaint_payload(people.acme.pk))
    assert response.status_code == 201, response.content
    assert datetime.fromisoformat(response.json()["resolution_due"]) == datetime(2026, 12, 9, 18, tzinfo=SH)
    return response.json()["id"]


def _state():
    shops = list(Merchant.objects.order_by("pk").values_list("service_hours", "working_time_since"))
    deadlines = list(Deadline.objects.order_by("pk").values_list("due_at", "remind_at", "next_check_at"))
    return shops, deadlines, ServiceInfoRevision.objects.count()


def _file_quality_issue(people, api) -> dict:
    payload = factories.complaint_payload(people.acme.pk, kind="quality_issue", order_date="2026-11-28")
    response = api(people.alice).post("/complaints", payload)
    assert response.status_code == 201, response.content
    return {k: datetime.fromisoformat(response.json()[k]) for k in ("reply_due", "resolution_due")}


@pytest.mark.django_db
@pytest.mark.parametrize("change", [publish, regulate], ids=["shop-service-info", "regulator"])
def test_one_minute_of_hours_a_week_is_refused_naming_the_field_and_changes_nothing(
    people, api, open_complaint, change
):
    before = _state()
    with time_machine.travel(CHANGED, tick=False):
        response = change(people, api, ONE_MINUTE_ON_SUNDAY_NIGHT)
        assert response.status_code == 422, response.content
        (issue,) = response.json()["detail"]
        assert issue["loc"] == ["body", "service_hours"]
        assert issue["msg"] == (
            "Customer-service hours must cover at least 5 days a week with at least 4 hours each; "
            "these cover 0."
        )
        assert _state() == before
        # A new quality issue is answered within 4 working hours of the default hours, not in 2031.
        assert _file_quality_issue(people, api)["reply_due"] == datetime(2026, 12, 1, 14, tzinfo=SH)


@pytest.mark.django_db
@pytest.mark.parametrize("change", [publish, regulate], ids=["shop-service-info", "regulator"])
def test_new_hours_leave_open_deadlines_alone_and_count_for_complaints_received_after(
    people, api, open_complaint, change
):
    with time_machine.travel(CHANGED, tick=False):
        assert change(people, api, MORNINGS).status_code == 200
    with time_machine.travel(datetime(2026, 12, 1, 11, tzinfo=SH), tick=False):
        after = _file_quality_issue(people, api)
    opened = api(people.alice).get(f"/complaints/{open_complaint}").json()
    assert datetime.fromisoformat(opened["resolution_due"]) == datetime(2026, 12, 9, 18, tzinfo=SH)
    assert not ComplaintEvent.objects.filter(action="recompute_deadlines").exists()
    # 11:00–13:00 on Tuesday and 09:00–11:00 on Wednesday; the 7th working day after ends at 13:00.
    assert after == {
        "reply_due": datetime(2026, 12, 2, 11, tzinfo=SH),
        "resolution_due": datetime(2026, 12, 10, 13, tzinfo=SH),
    }
