"""Follow-up calls (回访, issue 13 item 5): officers record a call on a closed complaint or matter; the console's
sample of the week's closed ones is random but the same for the same week, and keeps its picks as more close."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre import duties
from complaintdesk.centre.models import Bureau, FollowUpCall, Matter, MatterKind, MatterState
from complaintdesk.complaints import followup, services
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.errors import Conflict, FieldError

SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 10, 12)  # ISO week 2026-W42
IN_WEEK = datetime(2026, 10, 14, 15, 0, tzinfo=SH)


def closed_complaint(people, n, when=IN_WEEK, consumer=None):
    with time_machine.travel(when - timedelta(days=1), tick=False):
        complaint = factories.complaint(consumer or people.alice, people.acme, order_number=f"F-{n}")
    with time_machine.travel(when, tick=False):
        services.perform(complaint.pk, complaint.consumer, "withdraw", "Sorted it out myself.")
    complaint.refresh_from_db()
    return complaint


def decided_matter(people, when=IN_WEEK, **fields):
    matter = Matter.objects.create(
        kind=MatterKind.ENQUIRY, bureau=Bureau.city_centre(), rule_version=duties.version_on(when.date()),
        received_at=when - timedelta(days=2), text="Is a 7-day return owed?", state=MatterState.ANSWERED,
        decided_at=when, reason="Yes.", **fields,
    )  # fmt: skip
    matter.reference = Matter.reference_for(matter.kind, matter.pk, 2026)
    matter.save(update_fields=["reference"])
    return matter


def test_weeks_are_written_and_read_as_iso_weeks():
    assert followup.parse_week("2026-W42") == MONDAY and followup.week_label(MONDAY) == "2026-W42"
    assert followup.last_full_week(date(2026, 10, 21)) == MONDAY
    for bad in ("2026-42", "W42", "2026-W54", "2026-W00", ""):
        with pytest.raises(FieldError) as refused:
            followup.parse_week(bad)
        assert refused.value.field == "week"


@pytest.mark.django_db
def test_the_weeks_closed_complaints_and_reachable_matters_are_the_candidates(people):
    inside = closed_complaint(people, 1)
    closed_complaint(people, 2, when=IN_WEEK + timedelta(days=7))  # the week after
    with time_machine.travel(IN_WEEK, tick=False):
        still_open = factories.complaint(people.alice, people.acme, order_number="F-3")
    answered = decided_matter(people, contact_phone="13800000000")
    decided_matter(people)  # nobody to call back: no account, no contacts
    found = {(c.kind, c.item.pk): c.closed_at for c in followup.closed_in(MONDAY)}
    assert found == {("complaint", inside.pk): IN_WEEK, ("matter", answered.pk): IN_WEEK}
    assert ("complaint", still_open.pk) not in found


@pytest.mark.django_db
def test_the_sample_is_the_same_for_the_same_week_and_keeps_its_picks_as_more_close(people, settings):
    settings.FOLLOW_UP_SAMPLE_SIZE = 3
    for n in range(8):
        closed_complaint(people, n, when=IN_WEEK + timedelta(minutes=n))
    first = [c.item.pk for c in followup.sample(MONDAY)]
    assert len(first) == 3 and first == [c.item.pk for c in followup.sample(MONDAY)]
    everyone = [c.item.pk for c in followup.sample(MONDAY, size=100)]
    assert len(everyone) == 8 and everyone[:3] == first
    for n in range(8, 12):
        closed_complaint(people, n, when=IN_WEEK + timedelta(hours=1, minutes=n))
    later = [c.item.pk for c in followup.sample(MONDAY, size=100)]
    assert [pk for pk in later if pk in everyone] == everyone  # the earlier ones keep their order


@pytest.mark.django_db
def test_another_week_draws_another_sample_from_the_same_candidates(people, monkeypatch):
    closed = [closed_complaint(people, n) for n in range(12)]
    this_week = [c.item.pk for c in followup.sample(MONDAY, size=12)]
    # The same closings ranked as the next week ranks its own: the week's label is the rank's seed.
    next_label = followup.week_label(MONDAY + timedelta(days=7))
    monkeypatch.setattr(followup, "week_label", lambda monday: next_label)
    next_week = [c.item.pk for c in followup.sample(MONDAY, size=12)]
    assert sorted(this_week) == sorted(next_week) == sorted(c.pk for c in closed)
    assert this_week != next_week


def test_every_closing_is_as_likely_to_be_drawn_whatever_the_ids_of_the_week():
    """The rank's hash is arithmetic (the database computes it); drawn for 600 weeks from 24 consecutive ids
    (a week's closings are often neighbours), each is in the sample of 4 about as often (100 times)."""
    drawn = dict.fromkeys(range(5000, 5024), 0)
    for week in range(600):
        monday = MONDAY + timedelta(days=7 * week)
        for pk in sorted(drawn, key=lambda pk: followup.rank(monday, "complaint", pk))[:4]:
            drawn[pk] += 1
    assert all(60 <= times <= 140 for times in drawn.values()), drawn
    # Another kind, another week: other coefficients.
    assert followup.coefficients(MONDAY, "complaint") != followup.coefficients(MONDAY, "matter")
    assert followup.coefficients(MONDAY, "complaint") != followup.coefficients(
        MONDAY + timedelta(days=7), "complaint"
    )


@pytest.mark.django_db
def test_an_officer_records_a_call_on_a_closed_complaint_and_a_matter(people):
    complaint = closed_complaint(people, 1)
    call = followup.record(people.rita, complaint=complaint, called_at=IN_WEEK + timedelta(days=1),
                           outcome="satisfied", note="  Happy with the refund. ", now=IN_WEEK + timedelta(days=1))  # fmt: skip
    assert (call.complaint, call.officer, call.note) == (complaint, people.rita, "Happy with the refund.")
    matter = decided_matter(people, contact_phone="13800000000")
    followup.record(people.rita, matter=matter, called_at=IN_WEEK, outcome="not_reached", now=IN_WEEK)
    assert FollowUpCall.objects.count() == 2
    assert [c.item.pk for c in followup.closed_in(MONDAY) if c.called] == [complaint.pk, matter.pk]
    assert list(followup.calls_in(MONDAY).values_list("outcome", flat=True)) == ["satisfied", "not_reached"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "delighted"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"called_at": IN_WEEK + timedelta(days=3)}, "called_at"),  # after `now`: in the future
        ({"called_at": IN_WEEK - timedelta(minutes=1)}, "called_at"),  # before the closing
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_call_is_refused_naming_the_field_and_nothing_is_written(people, change, field):
    complaint = closed_complaint(people, 1)
    values = {"called_at": IN_WEEK + timedelta(hours=1), "outcome": "partly", "note": "", **change}
    with pytest.raises(FieldError) as refused:
        followup.record(people.rita, complaint=complaint, now=IN_WEEK + timedelta(days=1), **values)
    assert refused.value.field == field and not FollowUpCall.objects.exists()


@pytest.mark.django_db
def test_no_call_is_recorded_on_an_open_complaint_or_an_undecided_matter(people):
    with time_machine.travel(IN_WEEK, tick=False):
        complaint = factories.complaint(people.alice, people.acme)
    matter = decided_matter(people, contact_phone="1")
    Matter.objects.filter(pk=matter.pk).update(state=MatterState.RECEIVED, decided_at=None)
    matter.refresh_from_db()
    for owner in ({"complaint": complaint}, {"matter": matter}):
        with pytest.raises(Conflict):
            followup.record(people.rita, **owner, called_at=IN_WEEK, outcome="satisfied", now=IN_WEEK)
    assert not FollowUpCall.objects.exists()
