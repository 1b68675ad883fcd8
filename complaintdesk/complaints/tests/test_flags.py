"""Repeat-complainant flags without HTTP (complaints.flags, SPEC §11): the many-shops rule at its thresholds
and just below them (complaints, shops, days), the same person behind several accounts, the repeat rule,
once per complaint and reason, a flag never refusing or changing a complaint, clearing with a note, and who
sees what."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from complaintdesk.accounts.models import Role, User
from complaintdesk.centre.models import Bureau, BureauLevel, Flag, FlagReason
from complaintdesk.complaints import flags, services
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import Merchant
from conftest import credit_code

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=SH)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thresholds(settings):
    """The defaults, whatever the environment of the test run says."""
    settings.REPEAT_COMPLAINANT_COMPLAINTS = 10
    settings.REPEAT_COMPLAINANT_SHOPS = 5
    settings.REPEAT_COMPLAINANT_DAYS = 30
    return settings


@pytest.fixture
def shops(people):
    """Acme, Bazaar and five more shops: seven in all."""
    more = [Merchant.objects.create(name=f"Shop {n}", credit_code=credit_code(100 + n)) for n in range(5)]
    return [people.acme, people.bazaar, *more]


def file(consumer, shop, at=None, **overrides):
    """A complaint of its own order and text (so that only the rule under test can match)."""
    n = Complaint.objects.count() + 1
    values = {"order_number": f"ORD-{n}", "description": f"Complaint number {n}: the {n}th problem."}
    with time_machine.travel(at or NOW, tick=False):
        return factories.complaint(consumer, shop, **{**values, **overrides})


def file_spread(consumer, shops, count: int, first_at: datetime) -> list[Complaint]:
    """`count` complaints, one an hour from `first_at`, going round `shops`."""
    return [file(consumer, shops[i % len(shops)], first_at + timedelta(hours=i)) for i in range(count)]


def reasons(complaint) -> set[str]:
    return set(complaint.flags.values_list("reason", flat=True))


def snapshot():
    return (
        sorted(Flag.objects.values_list("pk", "cleared_at", "cleared_by", "note")),
        ComplaintEvent.objects.count(),
        sorted(Complaint.objects.values_list("pk", "state", "updated_at")),
    )


# ------------------------------------------------------------------------------------------- many shops


@pytest.fixture(params=["latest", "database"])
def counted_by(request, monkeypatch):
    """The window counted from the account's latest complaints, or by the database when they do not hold
    it all (here: when more than 3 are read)."""
    if request.param == "database":
        monkeypatch.setattr(flags, "LATEST", 3)
    return request.param


def test_more_than_n_complaints_against_more_than_m_shops_in_d_days_raise_a_flag(people, shops, counted_by):
    earlier = file_spread(people.alice, shops[:6], 10, NOW - timedelta(days=20))

    eleventh = file(people.alice, shops[0])

    flag = eleventh.flags.get()
    assert flag.reason == FlagReason.MANY_SHOPS
    assert sorted(flag.evidence) == sorted(c.pk for c in earlier)
    assert flag.details["complaints"] == 11 and flag.details["shops"] == 6
    assert flag.details["days"] == 30 and flag.details["accounts"] == 1
    assert datetime.fromisoformat(flag.details["since"]) == NOW - timedelta(days=30)
    assert flag.raised_at == NOW and flag.cleared_at is None
    assert all(not reasons(c) for c in earlier)  # none of them was over the thresholds when filed


def test_exactly_n_complaints_raise_none(people, shops, counted_by):
    file_spread(people.alice, shops[:6], 9, NOW - timedelta(days=20))

    tenth = file(people.alice, shops[6])  # 10 complaints against 7 shops: not more than 10

    assert reasons(tenth) == set()


def test_exactly_m_shops_raise_none(people, shops, counted_by):
    file_spread(people.alice, shops[:5], 10, NOW - timedelta(days=20))

    eleventh = file(people.alice, shops[0])  # 11 complaints against 5 shops: not more than 5

    assert reasons(eleventh) == set()


def test_a_complaint_d_days_old_is_outside_the_window_and_one_a_second_younger_inside(
    people, shops, counted_by
):
    oldest = file(people.alice, shops[5], NOW - timedelta(days=30))
    file_spread(people.alice, shops[:5], 9, NOW - timedelta(days=10))

    assert reasons(file(people.alice, shops[0])) == set()  # the oldest is 30 days old: 10 in the window

    Complaint.objects.filter(pk=oldest.pk).update(received_at=NOW - timedelta(days=30) + timedelta(seconds=1))
    later = file(people.alice, shops[1])
    assert reasons(later) == {FlagReason.MANY_SHOPS}
    assert oldest.pk in later.flags.get().evidence


def test_the_thresholds_are_settings(people, shops, thresholds):
    thresholds.REPEAT_COMPLAINANT_COMPLAINTS = 2
    thresholds.REPEAT_COMPLAINANT_SHOPS = 1
    thresholds.REPEAT_COMPLAINANT_DAYS = 7
    file(people.alice, shops[0], NOW - timedelta(days=8))  # outside the 7 days
    file(people.alice, shops[1], NOW - timedelta(days=6))

    assert reasons(file(people.alice, shops[1])) == set()  # 2 complaints in the 7 days
    third = file(people.alice, shops[2])
    assert reasons(third) == {FlagReason.MANY_SHOPS}
    assert third.flags.get().details["thresholds"] == {"complaints": 2, "shops": 1}


def test_the_same_person_behind_several_accounts_is_counted_by_e_mail_or_phone(people, shops, thresholds):
    thresholds.REPEAT_COMPLAINANT_COMPLAINTS = 3
    thresholds.REPEAT_COMPLAINANT_SHOPS = 2
    people.alice.email, people.alice.phone = "Alice@Example.com ", "+86 138-0013-8000"
    people.alice.save()
    by_mail = User.objects.create(username="alice2", role=Role.CONSUMER, email="alice@example.com")
    by_phone = User.objects.create(username="alice3", role=Role.CONSUMER, phone="13800138000")
    stranger = User.objects.create(username="zoe", role=Role.CONSUMER, email="zoe@example.com", phone="139")
    officer = User.objects.create(username="ada", role=Role.REGULATOR, email="alice@example.com")
    assert sorted(flags.same_person(people.alice)) == sorted([by_mail.pk, by_phone.pk])
    assert flags.same_person(stranger) == []  # no e-mail match, and 3 digits name nobody
    assert officer.pk not in flags.same_person(by_mail)

    first = file(by_mail, shops[0], NOW - timedelta(days=3))
    second = file(by_phone, shops[1], NOW - timedelta(days=2))
    file(stranger, shops[2], NOW - timedelta(days=1))
    third = file(people.alice, shops[2])
    assert reasons(third) == set()  # 3 complaints: not more than 3

    fourth = file(people.alice, shops[3])
    flag = fourth.flags.get()
    assert flag.details["complaints"] == 4 and flag.details["shops"] == 4 and flag.details["accounts"] == 3
    assert sorted(flag.evidence) == sorted([first.pk, second.pk, third.pk])


def test_phone_and_text_keys():
    assert flags.phone_key("+86 138-0013-8000") == flags.phone_key("0086 13800138000") == "13800138000"
    assert flags.phone_key("(021) 6432-1234") == "02164321234"
    assert flags.phone_key("110") == ""
    assert flags.text_key("Ｔｈｅ  parcel,\nnever ARRIVED！") == flags.text_key("the parcel never arrived.")
    assert flags.text_key("快递 没有送到。") == flags.text_key("快递没有送到")


# ----------------------------------------------------------------------------------------------- repeat


def test_the_same_order_at_the_same_shop_again_is_a_repeat(people):
    first = file(people.alice, people.acme, NOW - timedelta(days=40), order_number="jd-1001")
    Complaint.objects.filter(pk=first.pk).update(state=State.CLOSED)

    again = file(people.alice, people.acme, order_number="JD-1001", description="Still broken, again.")

    flag = again.flags.get()
    assert flag.reason == FlagReason.REPEAT and flag.evidence == [first.pk]
    assert flag.details == {"same_order": first.pk, "order_number": "JD-1001", "same_text": []}


def test_the_same_order_is_found_beyond_the_latest_complaints_read(people, monkeypatch):
    monkeypatch.setattr(flags, "LATEST", 1)
    first = file(people.alice, people.acme, NOW - timedelta(days=2), order_number="JD-1")
    file(people.alice, people.bazaar, NOW - timedelta(days=1))  # the only one read: another shop

    again = file(people.alice, people.acme, order_number="jd-1")

    assert again.flags.get().evidence == [first.pk]


def test_the_same_order_at_another_shop_or_by_another_consumer_is_no_repeat(people):
    file(people.alice, people.acme, order_number="JD-1001")

    assert reasons(file(people.alice, people.bazaar, order_number="JD-1001")) == set()
    assert reasons(file(people.erin, people.acme, order_number="JD-1001")) == set()


def test_the_same_description_normalised_is_a_repeat_at_any_shop(people):
    first = file(people.alice, people.acme, description="收到的耳机左耳没有声音，申请更换。")
    file(people.alice, people.acme, description="收到的耳机右耳没有声音，申请更换。")  # not the same

    again = file(people.alice, people.bazaar, description="收到的耳机 左耳没有声音,申请更换!")

    flag = again.flags.get()
    assert flag.reason == FlagReason.REPEAT and flag.evidence == [first.pk]
    assert flag.details["same_text"] == [first.pk] and flag.details["same_order"] is None


def test_a_short_text_or_another_consumers_text_is_no_repeat(people):
    file(people.alice, people.acme, description="No refund.")
    file(people.alice, people.acme, description="The parcel never arrived at all.")

    assert reasons(file(people.alice, people.bazaar, description="no refund")) == set()  # 8 characters
    assert reasons(file(people.erin, people.acme, description="The parcel never arrived at all.")) == set()


def test_both_rules_raise_a_flag_each(people, shops, thresholds):
    thresholds.REPEAT_COMPLAINANT_COMPLAINTS = 1
    thresholds.REPEAT_COMPLAINANT_SHOPS = 1
    first = file(people.alice, shops[0], order_number="A-1")

    second = file(people.alice, shops[0], order_number="a-1")
    assert reasons(second) == {FlagReason.REPEAT}  # one shop only
    third = file(people.alice, shops[1], order_number="A-1", description=first.description)
    assert reasons(third) == {FlagReason.MANY_SHOPS, FlagReason.REPEAT}


# ------------------------------------------------------------------------------------------ what it is not


def test_a_flag_never_refuses_or_changes_the_complaint(people):
    unflagged = file(people.alice, people.acme, order_number="X-1")
    flagged = file(people.alice, people.acme, order_number="X-1")

    assert reasons(flagged) == {FlagReason.REPEAT} and reasons(unflagged) == set()
    for c in (unflagged, flagged):
        c.refresh_from_db()
        assert c.state == State.SUBMITTED
        assert sorted(c.deadlines.values_list("phase", flat=True)) == ["first_response", "resolution"]
        assert list(c.events.values_list("action", flat=True)) == [EventKind.SUBMIT]
    # … and every next step is open to it as to any other.
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.perform(flagged.pk, people.bob, "respond", "Looking into it.")
    assert Complaint.objects.get(pk=flagged.pk).state == State.RESPONDED


def test_a_flag_is_raised_once_per_complaint_and_reason(people):
    file(people.alice, people.acme, order_number="X-1")
    flagged = file(people.alice, people.acme, order_number="X-1")
    findings = flags.detect(
        people.alice, factories.new_complaint(people.acme, order_number="X-1"), NOW, complaint_id=flagged.pk
    )
    assert [f.reason for f in findings] == [FlagReason.REPEAT]

    flags.raise_flags(flagged, findings)

    assert flagged.flags.count() == 1


def test_back_office_filings_and_records_of_other_systems_raise_none(people):
    file(people.alice, people.acme, order_number="X-1")
    record = factories.new_complaint(people.acme, order_number="X-1", external_id="hotline-7")
    on_behalf = factories.new_complaint(people.acme, order_number="X-1", consumer_name="Alice")

    assert flags.detect(people.alice, record, NOW) == []
    assert services.file_complaint(people.rita, on_behalf).flags.count() == 0


# ------------------------------------------------------------------------------------------------ clearing


@pytest.fixture
def flagged(people):
    file(people.alice, people.acme, order_number="X-1")
    return file(people.alice, people.acme, order_number="X-1")


def test_an_officer_clears_a_flag_with_a_note_and_the_log_says_so(people, flagged):
    flag = flagged.flags.get()
    at = NOW + timedelta(hours=2)

    cleared = flags.clear(
        flagged, flag.pk, people.rita, "  Two orders with one number: the shop confirmed.  ", at=at
    )

    assert (cleared.cleared_at, cleared.cleared_by, cleared.note) == (
        at,
        people.rita,
        "Two orders with one number: the shop confirmed.",
    )
    event = flagged.events.get(action=EventKind.CLEAR_FLAG)
    assert (event.actor, event.from_state, event.to_state, event.message) == (
        people.rita,
        State.SUBMITTED,
        State.SUBMITTED,
        "",  # the note is no search text
    )
    assert event.data == {"flag": flag.pk, "reason": "repeat", "note": cleared.note}
    assert Complaint.objects.get(pk=flagged.pk).state == State.SUBMITTED


@pytest.mark.parametrize("note", ["", "   "])
def test_clearing_without_a_note_is_refused_and_changes_nothing(people, flagged, note):
    before = snapshot()
    with pytest.raises(FieldError) as refused:
        flags.clear(flagged, flagged.flags.get().pk, people.rita, note)
    assert refused.value.field == "note"
    assert snapshot() == before


def test_clearing_twice_is_a_conflict_and_changes_nothing(people, flagged):
    flag = flagged.flags.get()
    flags.clear(flagged, flag.pk, people.rita, "Reviewed.")
    before = snapshot()
    with pytest.raises(Conflict):
        flags.clear(flagged, flag.pk, people.rita, "Again.")
    assert snapshot() == before


def test_a_flag_of_another_complaint_is_not_found_and_nothing_changes(people, flagged):
    other = file(people.erin, people.bazaar)
    before = snapshot()
    with pytest.raises(Http404):
        flags.clear(other, flagged.flags.get().pk, people.rita, "Reviewed.")
    with pytest.raises(Http404):
        flags.clear(flagged, 987654, people.rita, "")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_officers_clear_flags(people, flagged, who):
    before = snapshot()
    with pytest.raises(ActionForbidden):
        flags.clear(flagged, flagged.flags.get().pk, getattr(people, who), "Not me.")
    assert snapshot() == before


# ------------------------------------------------------------------------------------------ who sees what


def test_consumers_and_shops_see_no_flag_and_no_clearing_in_the_log(people, flagged):
    flags.clear(flagged, flagged.flags.get().pk, people.rita, "Reviewed.")

    for who in (people.alice, people.bob, people.carol):
        assert flags.flags_of(flagged, who) == []
        assert EventKind.CLEAR_FLAG not in [e.action for e in flags.events_seen_by(flagged, who)]
        assert list(flags.open_flags(who)) == []
    assert [f.note for f in flags.flags_of(flagged, people.rita)] == ["Reviewed."]
    assert EventKind.CLEAR_FLAG in [e.action for e in flags.events_seen_by(flagged, people.rita)]


def test_a_district_officer_sees_its_bureaus_evidence_and_a_count_of_the_rest(people, thresholds):
    thresholds.REPEAT_COMPLAINANT_COMPLAINTS = 2
    thresholds.REPEAT_COMPLAINANT_SHOPS = 1
    mine = Bureau.objects.create(
        name_zh="徐汇", name_en="Xuhui", level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )
    people.acme.registered_address, people.acme.registered_district = "1 Road", mine
    people.acme.save()
    officer = User.objects.create(username="officer-x", role=Role.REGULATOR, bureau=mine)
    at_bazaar = file(people.alice, people.bazaar, NOW - timedelta(days=2))
    at_acme = file(people.alice, people.acme, NOW - timedelta(days=1))
    flagged = file(people.alice, people.acme)
    flag = flagged.flags.get()

    seen = flags.evidence_seen_by([flag], officer)[flag.pk]
    assert seen == flags.Evidence([{"id": at_acme.pk, "reference": at_acme.reference}], 1)
    everything = flags.evidence_seen_by([flag], people.rita)[flag.pk]
    assert everything.elsewhere == 0
    assert [c["id"] for c in everything.complaints] == [at_acme.pk, at_bazaar.pk]
    assert list(flags.open_flags(officer)) == [flag]

    other = Bureau.objects.create(name_zh="静安", name_en="Jing'an", level=BureauLevel.DISTRICT)
    stranger = User.objects.create(username="officer-y", role=Role.REGULATOR, bureau=other)
    assert list(flags.open_flags(stranger)) == []
    assert set(flags.open_flags(people.rita)) == set(Flag.objects.all())


def test_the_open_flags_are_counted_as_each_officer_lists_them_from_the_flags_side(people, thresholds):
    """`open_count` (the dashboard's "Flags to review") is how many `open_flags` the officer has, counted from
    the open flags' own rows (their copy of the complaint's bureau, `Flag.bureau`): no condition on the
    complaints, which let SQLite walk every complaint of a district's history in search of the flagged
    ones."""
    thresholds.REPEAT_COMPLAINANT_COMPLAINTS = 2
    thresholds.REPEAT_COMPLAINANT_SHOPS = 1
    mine = Bureau.objects.create(
        name_zh="徐汇", name_en="Xuhui", level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )
    people.acme.registered_address, people.acme.registered_district = "1 Road", mine
    people.acme.save()
    officer = User.objects.create(username="officer-x", role=Role.REGULATOR, bureau=mine)
    other = Bureau.objects.create(name_zh="静安", name_en="Jing'an", level=BureauLevel.DISTRICT)
    stranger = User.objects.create(username="officer-y", role=Role.REGULATOR, bureau=other)
    file(people.alice, people.bazaar, NOW - timedelta(days=2))
    file(people.alice, people.acme, NOW - timedelta(days=1))
    file(people.alice, people.acme)
    reviewed = file(people.alice, people.acme, NOW + timedelta(minutes=1))
    flags.clear(reviewed, reviewed.flags.get().pk, people.rita, "Reviewed.", at=NOW + timedelta(minutes=2))
    file(people.erin, people.bazaar, order_number="Y-1", description="The same text again, twice over.")
    file(people.erin, people.bazaar, order_number="Y-2", description="The same text again, twice over.")
    assert flags.open_count(officer) == 1

    for who in (officer, stranger, people.rita, people.alice, people.bob):
        with CaptureQueriesContext(connection) as captured:
            n = flags.open_count(who)
        assert n == flags.open_flags(who).count()
        assert all("complaints_complaint" not in q["sql"] for q in captured)
    assert flags.open_count(people.rita) == Flag.objects.filter(cleared_at__isnull=True).count()


# ---------------------------------------------------------------------------------------------- figures


def test_the_figures_count_flags_raised_and_cleared_in_the_period_of_a_bureau_or_all(people, thresholds):
    file(people.alice, people.acme, NOW - timedelta(days=3), order_number="X-1")
    earlier = file(people.alice, people.acme, NOW - timedelta(days=2), order_number="X-1")  # raised then
    flags.clear(earlier, earlier.flags.get().pk, people.rita, "Reviewed.", at=NOW)
    file(people.erin, people.bazaar, order_number="Y-1", description="The same text again, twice over.")
    file(people.erin, people.bazaar, order_number="Y-2", description="The same text again, twice over.")
    day = timedelta(days=1)

    assert flags.figures(NOW - day, NOW + day) == {
        "raised": 1,
        "raised_by_reason": {"many_shops": 0, "repeat": 1},
        "cleared": 1,
    }
    assert flags.figures(NOW - 3 * day, NOW + day)["raised"] == 2
    mine = Bureau.objects.create(name_zh="徐汇", name_en="Xuhui", level=BureauLevel.DISTRICT)
    people.acme.registered_address, people.acme.registered_district = "1 Road", mine
    people.acme.save()
    assert flags.figures(NOW - 3 * day, NOW + day, mine.pk) == {
        "raised": 1,
        "raised_by_reason": {"many_shops": 0, "repeat": 1},
        "cleared": 1,
    }
