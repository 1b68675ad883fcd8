"""Deadlines as complaints get them: the default policy at intake, met by the shop's actions, paused while
the shop waits for the consumer, recomputed when the regulator changes a rule or the calendar, and counted
in the shop's hours as they were when the complaint was received."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.queries import overdue_filter
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import services as deadline_services
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import (
    SHOP_PHASES,
    SHOP_RUNNING,
    CalendarOverride,
    Clock,
    DeadlineStatus,
    Phase,
    PolicyRule,
)
from complaintdesk.deadlines.recompute import recompute_open_deadlines
from complaintdesk.stats import queries as stats
from complaintdesk.stats import rollups
from complaintdesk.stats.periods import Period

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def dues(complaint):
    return {d.phase: d.due_at for d in complaint.deadlines.all()}


# (received, kind, expected first response, reply, resolution) under the default policy, Shanghai time.
TABLE = [
    # SPEC worked examples.
    (at(2026, 9, 30, 17), "quality_issue", at(2026, 9, 30, 19), at(2026, 10, 8, 12), at(2026, 10, 15, 18)),
    (at(2026, 10, 1, 10), "complaint", at(2026, 10, 1, 22), None, at(2026, 10, 15, 18)),
    # Edges of working time.
    (
        at(2026, 6, 3, 8, 59, 59),
        "quality_issue",
        at(2026, 6, 3, 20, 59, 59),
        at(2026, 6, 3, 13),
        at(2026, 6, 12, 18),
    ),
    (at(2026, 6, 3, 9), "quality_issue", at(2026, 6, 3, 11), at(2026, 6, 3, 13), at(2026, 6, 12, 18)),
    (at(2026, 6, 3, 17, 59, 59), "complaint", at(2026, 6, 3, 19, 59, 59), None, at(2026, 6, 12, 18)),
    (at(2026, 6, 3, 18), "quality_issue", at(2026, 6, 4, 6), at(2026, 6, 4, 13), at(2026, 6, 12, 18)),
    # Spring Festival 2026 (Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are adjusted working days).
    (at(2026, 2, 13, 16), "quality_issue", at(2026, 2, 13, 18), at(2026, 2, 14, 11), at(2026, 3, 2, 18)),
    # Labour Day 2026 (May 1–5 off; Sat May 9 works).
    (at(2026, 4, 30, 17), "quality_issue", at(2026, 4, 30, 19), at(2026, 5, 6, 12), at(2026, 5, 13, 18)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("received", "kind", "first", "reply", "resolution"), TABLE)
def test_default_policy_at_intake(people, received, kind, first, reply, resolution):
    with time_machine.travel(received, tick=False):
        c = factories.complaint(people.alice, people.acme, kind=kind)
    expected = {"first_response": first, "resolution": resolution} | ({"reply": reply} if reply else {})
    assert dues(c) == expected


@pytest.mark.django_db
def test_each_deadline_names_its_rule_and_a_reminder_at_75_percent(people):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue")
    rows = {d.phase: d for d in c.deadlines.all()}
    assert rows["first_response"].rule_label == "Received in working time: first response within 2 hours"
    assert rows["first_response"].remind_at == at(2026, 9, 30, 11, 30)
    # 4 working hours from 10:00 end at 14:00; 3 of them have passed at 13:00.
    assert rows["reply"].remind_at == at(2026, 9, 30, 13)
    assert rows["reply"].clock == Clock.BUSINESS


@pytest.mark.django_db
def test_a_human_response_meets_the_first_response_and_says_whether_in_time(people):
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue")
    with time_machine.travel(at(2026, 9, 30, 12, 30), tick=False):
        services.perform(c.pk, people.bob, "respond", "Looking into it")
    rows = {d.phase: d for d in c.deadlines.all()}
    assert rows["first_response"].met_at == at(2026, 9, 30, 12, 30)
    assert rows["first_response"].was_met_in_time is False
    assert rows["reply"].met_at is None, "an acknowledgement is not a reply to a quality issue"
    with time_machine.travel(at(2026, 9, 30, 13), tick=False):
        services.perform(c.pk, people.bob, "reply", "The batch was faulty; we replace it.")
    assert c.deadlines.get(phase="reply").was_met_in_time is True


@pytest.mark.django_db
def test_waiting_for_the_consumer_pauses_the_resolution_clock(people):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(people.alice, people.acme)
    assert dues(c)["resolution"] == at(2026, 6, 12, 18)
    with time_machine.travel(at(2026, 6, 4, 10), tick=False):
        services.perform(c.pk, people.bob, "request_info", "Photo please")
    assert c.deadlines.get(phase="resolution").status == DeadlineStatus.PAUSED
    # The consumer answers two working days later: the deadline moves by those 18 working hours.
    with time_machine.travel(at(2026, 6, 8, 10), tick=False):
        services.perform(c.pk, people.alice, "provide_info", "Here")
    resolution = c.deadlines.get(phase="resolution")
    assert resolution.status == DeadlineStatus.OPEN
    assert resolution.due_at == at(2026, 6, 16, 18)
    assert resolution.paused_total == timedelta(hours=18)
    assert "resolution clock resumed" in str(c.events.last().data)


@pytest.mark.django_db
def test_a_policy_change_recomputes_open_deadlines_and_logs_it(people):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(people.alice, people.acme)
        done = factories.complaint(people.alice, people.acme, "withdrawn")
    policy, _ = deadline_services.active_policy()
    rule = PolicyRule.objects.get(policy=policy, phase=Phase.RESOLUTION)
    rule.clock, rule.days, rule.duration = Clock.WALL, None, timedelta(days=15)
    rule.label = "Resolution within 15 calendar days"
    rule.save()
    with time_machine.travel(at(2026, 6, 3, 11), tick=False):
        moved = recompute_open_deadlines(people.rita, reason="policy changed")
    assert moved == 1
    assert dues(c)["resolution"] == at(2026, 6, 18, 10)
    assert c.events.last().action == "recompute_deadlines"
    assert done.deadlines.get(phase="resolution").due_at == at(2026, 6, 12, 18)


@pytest.mark.django_db
def test_a_regulator_calendar_override_recomputes_and_drives_new_deadlines(people):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(people.alice, people.acme)
    CalendarOverride.objects.create(date=date(2026, 6, 5), is_day_off=True, note="Extra day off")
    with time_machine.travel(at(2026, 6, 3, 11), tick=False):
        assert recompute_open_deadlines(people.rita, reason="calendar changed") == 1
    assert dues(c)["resolution"] == at(2026, 6, 15, 18)


@pytest.mark.django_db
def test_a_rule_on_channel_and_category_is_data_not_code(people):
    policy, _ = deadline_services.active_policy()

    PolicyRule.objects.create(
        policy=policy, phase=Phase.RESOLUTION, priority=1, clock=Clock.WORKING_DAYS, days=15,
        channel="hotline_12315", category=Category.objects.get(code="contract_fees"),
        label="Hotline contract disputes: 15 working days",
    )  # fmt: skip
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        hotline = factories.complaint(
            people.alice, people.acme, channel="hotline_12315", category="contract_fees"
        )
        web = factories.complaint(people.alice, people.acme, category="contract_fees")
    assert dues(hotline)["resolution"] == at(2026, 6, 25, 18)  # Dragon Boat Festival, 19 June, is off
    assert dues(web)["resolution"] == at(2026, 6, 12, 18)


@pytest.mark.django_db
def test_the_calendar_api_previews_deadlines_with_their_rules(people, api):
    response = api(None).get(
        "/calendar/deadlines",
        {"merchant": people.acme.pk, "received_at": "2026-09-30T17:00:00+08:00", "kind": "quality_issue"},
    )
    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["reply_due"]) == at(2026, 10, 8, 12)
    assert body["received_in_working_time"] is True
    rules = {d["phase"]: d["rule"] for d in body["deadlines"]}
    assert rules["reply"] == "Quality problem: reply within 4 working hours"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status"),
    [({"received_at": "2026-09-30T17:00:00"}, 422), ({"merchant": 9999}, 404), ({"kind": "rant"}, 422)],
)
def test_the_calendar_api_refuses_bad_questions(people, api, params, status):
    query = {"merchant": people.acme.pk, "received_at": "2026-09-30T17:00:00+08:00", **params}
    assert api(None).get("/calendar/deadlines", query).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "due", "said"),
    [
        # The default: New Year's Day 2027 is off by the `holidays` package's estimate.
        ("estimate", at(2027, 1, 7, 18), "the usual statutory holidays and weekends assumed"),
        ("weekends", at(2027, 1, 6, 18), "weekends assumed"),
    ],
)
def test_a_deadline_in_a_year_no_source_covers_is_guessed_with_a_visible_warning(
    people, settings, mode, due, said
):
    settings.DEADLINE_UNCOVERED_YEARS = mode
    # chinesecalendar 1.11 stops at 2026: a December complaint's resolution falls in January 2027.
    with time_machine.travel(at(2026, 12, 28, 10), tick=False):
        c = factories.complaint(people.alice, people.acme)
    resolution = c.deadlines.get(phase="resolution")
    assert resolution.warning.startswith("No statutory calendar covers 2027-01-01")
    assert resolution.warning.endswith(
        f": {said}" + ("." if mode == "weekends" else ", without adjusted working days.")
    )
    assert resolution.due_at == due


# Monday to Friday mornings: what a shop might publish to slow its working-hours clocks down.
MORNINGS = {str(d): [["09:00", "13:00"]] for d in range(5)}


def _publish_mornings(people, api, when):
    with time_machine.travel(when, tick=False):
        response = api(people.rita).patch(f"/merchants/{people.acme.pk}", {"service_hours": MORNINGS})
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_new_service_hours_leave_the_shops_open_deadlines_where_they_are(people, api):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        acme = factories.complaint(people.alice, people.acme, kind="quality_issue")
    before = dues(acme)
    _publish_mornings(people, api, at(2026, 6, 3, 10, 30))
    assert dues(acme) == before
    assert not acme.events.filter(action="recompute_deadlines").exists()


@pytest.mark.django_db
def test_a_question_after_new_hours_is_counted_in_the_hours_the_complaint_was_received_in(people, api):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        c = factories.complaint(people.alice, people.acme)
    _publish_mornings(people, api, at(2026, 6, 3, 12))
    with time_machine.travel(at(2026, 6, 4, 10), tick=False):
        services.perform(c.pk, people.bob, "request_info", "Photo please")
    # The answer window: 7 working days of 09:00–18:00 (in the new hours it would end at 13:00).
    assert c.deadlines.get(phase="resolution").next_check_at == at(2026, 6, 15, 18)
    with time_machine.travel(at(2026, 6, 8, 10), tick=False):
        services.perform(c.pk, people.alice, "provide_info", "Here")
    resolution = c.deadlines.get(phase="resolution")
    # As without new hours (test_waiting_for_the_consumer_pauses_the_resolution_clock); in them the
    # 8 hours waited and 27 left would have put it at 16 June 13:00.
    assert (resolution.due_at, resolution.paused_total) == (at(2026, 6, 16, 18), timedelta(hours=18))


@pytest.mark.django_db
def test_a_calendar_recomputation_counts_each_complaint_in_the_hours_it_was_received_in(people, api):
    with time_machine.travel(at(2026, 6, 3, 10), tick=False):
        before = factories.complaint(people.alice, people.acme)
    _publish_mornings(people, api, at(2026, 6, 3, 10, 30))
    with time_machine.travel(at(2026, 6, 3, 11), tick=False):
        after = factories.complaint(people.alice, people.acme)
    CalendarOverride.objects.create(date=date(2026, 6, 5), is_day_off=True, note="Extra day off")
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        assert recompute_open_deadlines(people.rita, reason="calendar changed") == 2
    assert dues(before)["resolution"] == at(2026, 6, 15, 18)
    assert dues(after)["resolution"] == at(2026, 6, 15, 13)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["kind", "channel"])
def test_a_misspelt_kind_or_channel_is_refused_instead_of_silently_matching_nothing(field):
    policy, _ = deadline_services.active_policy()
    rule = PolicyRule(policy=policy, phase=Phase.REPLY, clock=Clock.WALL, duration=timedelta(hours=4))
    setattr(rule, field, "qualty_issue" if field == "kind" else "hotline")
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert list(refused.value.message_dict) == [field]
    setattr(rule, field, "quality_issue" if field == "kind" else "hotline_12315")
    rule.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "action"), [("alice", "withdraw"), ("rita", "close")])
def test_an_ended_complaints_breached_duties_are_missed_not_running(people, actor, action):
    """Its end cancels the duties still on time and makes the breached ones missed: none runs (none is
    overdue, none is in the late duties' index), and the figures count the missed ones as they counted them
    breached."""
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        c = factories.complaint(people.alice, people.acme, kind="quality_issue")
    with time_machine.travel(at(2026, 9, 30, 13), tick=False):
        sweep.sweep()  # the first response (due 12:00) breaches and escalates; the reply (14:00) runs on
    assert c.deadlines.get(phase="first_response").status == DeadlineStatus.BREACHED
    period = Period(date(2026, 9, 1), date(2026, 9, 30))
    before = stats.compliance(period, people.acme.pk, now=at(2026, 9, 30, 13, 30))["phases"]
    with time_machine.travel(at(2026, 9, 30, 13, 30), tick=False):
        services.perform(c.pk, getattr(people, actor), action, "Settled")
    statuses = dict(c.deadlines.filter(phase__in=sorted(SHOP_PHASES)).values_list("phase", "status"))
    assert statuses == {
        "first_response": DeadlineStatus.MISSED,
        "reply": DeadlineStatus.CANCELLED,
        "resolution": DeadlineStatus.CANCELLED,
    }
    assert not c.deadlines.filter(SHOP_RUNNING).exists()
    assert not Complaint.objects.filter(overdue_filter(True, at(2026, 9, 30, 14))).exists()
    after = stats.compliance(period, people.acme.pk, now=at(2026, 9, 30, 13, 30))["phases"]
    assert after["first_response"] == before["first_response"]
    assert after["first_response"]["missed"] == 1
    assert rollups.differences() == []
