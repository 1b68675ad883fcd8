"""Reports and enquiries (issue 13 item 3): filed by anyone (a report may be anonymous), received under the rule
version in force on the local day of receipt, with their duty; decided or answered once by an officer, which
meets the duty and writes the letter to whoever can be reached. Every bad input names its field and changes
nothing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from complaintdesk.accounts import ratelimit
from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import (
    Matter,
    MatterChannel,
    MatterKind,
    MatterState,
    Notice,
    NoticeKind,
    Recipient,
    RuleVersion,
)
from complaintdesk.deadlines.models import Deadline, DeadlineStatus, Phase, PolicyRule
from complaintdesk.lib import cursor
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.notify.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# SPEC §10's worked example: a report received the day before the Mid-Autumn holiday.
RECEIVED = at("2026-09-24 11:00")
DECISION_DUE = at("2026-10-22 18:00")


def report(by=None, when=RECEIVED, **fields) -> Matter:
    values = {"kind": MatterKind.REPORT, "text": "They sell fake chargers.", **fields}
    if "merchant" not in values:
        values.setdefault("web_address", "https://chargers.example.com/")
    if by is None and not values.get("anonymous") and "contact_phone" not in values:
        values.setdefault("contact_email", "tip@example.test")
    with time_machine.travel(when, tick=False):
        return matters.file(by, Filing(**values))


def enquiry(by=None, when=RECEIVED, **fields) -> Matter:
    values = {"kind": MatterKind.ENQUIRY, "text": "How long may a shop take to refund?", **fields}
    with time_machine.travel(when, tick=False):
        return matters.file(by, Filing(**values))


def nothing_stored():
    return (
        Matter.objects.count(),
        Deadline.objects.filter(matter__isnull=False).count(),
        Notice.objects.count(),
    )


def refused(by, filing: Filing, when=RECEIVED) -> FieldError:
    before = nothing_stored()
    with time_machine.travel(when, tick=False), pytest.raises(FieldError) as caught:
        matters.file(by, filing)
    assert nothing_stored() == before
    return caught.value


def fields_named(error: FieldError) -> list[str]:
    return [error.field, *(field for field, _reason in error.also)]


def add_version(effective_from: date, mediation_days=60, decision_days=15) -> RuleVersion:
    version = RuleVersion.objects.create(
        name=f"Order No. 121 ({effective_from})", effective_from=effective_from, law="SAMR Order No. 121"
    )
    for rule in PolicyRule.objects.filter(version=RuleVersion.objects.get(effective_from=date(2020, 1, 1))):
        days = {"mediation": mediation_days, "report_decision": decision_days}.get(rule.phase, rule.days)
        PolicyRule.objects.create(
            version=version, phase=rule.phase, clock=rule.clock, days=days, duration=rule.duration,
            priority=rule.priority, label=rule.label, citation="SAMR Order No. 121",
        )  # fmt: skip
    return version


# ------------------------------------------------------------------------------------------------ filing


def test_an_anonymous_report_keeps_no_trace_of_who_made_it_and_its_decision_is_due_in_15_working_days(people):
    matter = report(anonymous=True)
    assert matter.reference == f"JB-2026-{matter.pk:07d}"
    assert (matter.kind, matter.state, matter.channel) == (MatterKind.REPORT, MatterState.RECEIVED, "web")
    assert matter.anonymous and matter.user is None and not matter.reachable
    assert (matter.contact_name, matter.contact_phone, matter.contact_email) == ("", "", "")
    assert matter.rule_version.effective_from == date(2020, 1, 1)
    duty = matters.duty_of(matter)
    assert (duty.phase, duty.due_at, duty.status) == (
        Phase.REPORT_DECISION,
        DECISION_DUE,
        DeadlineStatus.OPEN,
    )
    assert duty.next_check_at is not None  # reminded at 75 % and breached like every duty
    assert "SAMR Order No. 20 art. 31" in duty.rule_label


def test_a_signed_in_reporter_is_kept_for_the_officers_and_an_anonymous_one_is_not(people):
    named = report(people.alice, merchant=people.acme.pk)
    assert named.user == people.alice and named.reachable and named.merchant == people.acme
    hidden = report(people.alice, merchant=people.acme.pk, anonymous=True)
    assert hidden.user is None and not hidden.reachable


def test_a_report_may_name_a_web_address_written_without_its_scheme(people):
    matter = report(web_address="fake-shop.example.com/item/9")
    assert matter.web_address == "https://fake-shop.example.com/item/9" and matter.merchant is None


def test_an_officer_records_a_hotline_report_received_earlier_for_the_caller(people):
    matter = report(
        people.rita, when=at("2026-09-28 10:00"), channel=MatterChannel.HOTLINE, received_at=RECEIVED,
        contact_name="Ms Wang", contact_phone="138 0013 8000", merchant=people.bazaar.pk,
    )  # fmt: skip
    # The officer is not the reporter; the duty counts from the call, not from when it was entered.
    assert matter.user is None and matter.contact_phone == "138 0013 8000" and matter.reachable
    assert matter.channel == MatterChannel.HOTLINE and matter.received_at == RECEIVED
    assert matters.duty_of(matter).due_at == DECISION_DUE


def test_an_enquiry_is_answered_within_7_working_days(people):
    matter = enquiry(people.alice)
    assert matter.reference == f"ZX-2026-{matter.pk:07d}" and matter.user == people.alice
    duty = matters.duty_of(matter)
    # 7 working days after Thursday 2026-09-24: 28, 29, 30 September, 8, 9, 10 (an adjusted Saturday) and 12
    # October; Mid-Autumn (25 September) and the National Day week are off.
    assert (duty.phase, duty.due_at) == (Phase.ENQUIRY_ANSWER, at("2026-10-12 18:00"))


def test_the_letter_language_is_the_one_written_in_else_the_accounts(people):
    people.alice.language = "en"
    people.alice.save()
    assert report(people.alice, language="zh-hans").language == "zh-hans"
    assert report(people.alice).language == "en"
    assert report(language="zh-CN").language == "zh-hans"
    assert report().language == "zh-hans"  # the centre's own


def test_a_matter_follows_the_version_in_force_on_the_local_day_it_was_received(people):
    new = add_version(date(2026, 10, 1), decision_days=10)
    before = report(when=at("2026-09-30 23:59"))
    # 16:30 UTC on 30 September is already 1 October in Shanghai: the new version's day.
    after = report(when=datetime(2026, 9, 30, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert before.rule_version.effective_from == date(2020, 1, 1) and after.rule_version == new
    assert "Order No. 121" in matters.duty_of(after).rule_label
    # A version added later changes neither the matter's version nor its running duty.
    due = matters.duty_of(before).due_at
    add_version(date(2026, 10, 20))
    before.refresh_from_db()
    assert before.rule_version.effective_from == date(2020, 1, 1) and matters.duty_of(before).due_at == due


def test_with_no_version_in_force_nothing_is_received(people):
    RuleVersion.objects.update(effective_from=date(2030, 1, 1))
    before = nothing_stored()
    with pytest.raises(Conflict, match="No rule version"):
        report()
    assert nothing_stored() == before


# ------------------------------------------------------------------------------------------- bad input


def test_a_report_about_nothing_names_the_shop_and_the_address(people):
    error = refused(None, Filing(MatterKind.REPORT, "Something is wrong.", contact_email="a@example.test"))
    assert fields_named(error) == ["merchant", "web_address"]
    assert "choose the shop, or give the web address" in error.reason


def test_an_anonymous_report_with_contacts_names_each_contact(people):
    error = refused(
        None,
        Filing(MatterKind.REPORT, "Fake goods.", merchant=people.acme.pk, anonymous=True,
               contact_name="Wang", contact_phone="13800138000", contact_email="w@example.test"),
    )  # fmt: skip
    assert fields_named(error) == ["contact_name", "contact_phone", "contact_email"]
    assert "An anonymous report leaves no contact" in error.reason


def test_an_unknown_shop_is_named(people):
    error = refused(people.alice, Filing(MatterKind.REPORT, "Fake goods.", merchant=987654))
    assert fields_named(error) == ["merchant"] and "987654" in error.reason


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_text_is_named(people, text):
    error = refused(people.alice, Filing(MatterKind.REPORT, text, merchant=people.acme.pk))
    assert fields_named(error) == ["text"]
    assert fields_named(refused(people.alice, Filing(MatterKind.ENQUIRY, text))) == ["text"]


def test_every_refused_field_is_named_at_once(people):
    error = refused(None, Filing(MatterKind.REPORT, " ", web_address="not an address", contact_phone="12"))
    assert fields_named(error) == ["text", "web_address", "contact_phone"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"web_address": "ftp://files.example.com/x"}, "web_address"),
        ({"web_address": "https://" + "x" * 500 + ".com"}, "web_address"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_phone": "+86 1380013800012345678"}, "contact_phone"),
        ({"contact_email": "wang@"}, "contact_email"),
        ({"contact_name": "W" * 101, "contact_email": "w@example.test"}, "contact_name"),
        ({"text": "x" * 10001}, "text"),
    ],
)
def test_malformed_values_are_named(people, fields, field):
    values = {"text": "Fake goods.", "merchant": people.acme.pk, **fields}
    assert field in fields_named(refused(people.alice, Filing(MatterKind.REPORT, **values)))


def test_without_an_account_a_reporter_is_anonymous_or_leaves_a_contact(people):
    error = refused(None, Filing(MatterKind.REPORT, "Fake goods.", merchant=people.acme.pk))
    assert fields_named(error) == ["contact_phone"] and "or report anonymously" in error.reason
    assert report(merchant=people.acme.pk, anonymous=True).pk
    assert report(merchant=people.acme.pk, contact_phone="13800138000").reachable


def test_an_enquiry_cannot_be_anonymous_and_needs_a_way_to_answer(people):
    assert "anonymous" in fields_named(
        refused(people.alice, Filing(MatterKind.ENQUIRY, "How?", anonymous=True))
    )
    assert fields_named(refused(None, Filing(MatterKind.ENQUIRY, "How?"))) == ["contact_phone"]
    assert fields_named(refused(people.rita, Filing(MatterKind.ENQUIRY, "How?"))) == ["contact_phone"]


def test_only_an_officer_sets_the_channel_or_the_time_of_receipt(people):
    base = {"text": "Fake goods.", "merchant": people.acme.pk}
    hotline = refused(people.alice, Filing(MatterKind.REPORT, channel=MatterChannel.HOTLINE, **base))
    assert fields_named(hotline) == ["channel"]
    earlier = refused(people.bob, Filing(MatterKind.REPORT, received_at=RECEIVED - timedelta(days=1), **base))
    assert fields_named(earlier) == ["received_at"]
    future = Filing(
        MatterKind.REPORT, received_at=RECEIVED + timedelta(hours=1), contact_phone="13800138000", **base
    )
    assert fields_named(refused(people.rita, future)) == ["received_at"]
    unknown = refused(
        people.rita, Filing(MatterKind.REPORT, channel="fax", contact_phone="13800138000", **base)
    )
    assert fields_named(unknown) == ["channel"]


# -------------------------------------------------------------------------------------------- decisions


def test_opening_a_case_meets_the_duty_and_tells_the_reporter(people):
    matter = report(people.alice, merchant=people.acme.pk, language="en")
    with time_machine.travel(at("2026-10-20 15:00"), tick=False):
        decided = matters.decide_report(matter.pk, people.rita, "open_case", "  Test purchases confirm it. ")
    assert (decided.state, decided.reason, decided.decided_by) == (
        MatterState.CASE_OPENED, "Test purchases confirm it.", people.rita,
    )  # fmt: skip
    assert decided.decided_at == at("2026-10-20 15:00")
    duty = matters.duty_of(matter)
    assert (duty.status, duty.met_at, duty.was_met_in_time) == (DeadlineStatus.MET, decided.decided_at, True)
    (letter,) = Notice.objects.filter(matter=matter)
    assert (letter.kind, letter.recipient) == (NoticeKind.REPORT_DECISION, Recipient.REPORTER)
    assert "open a case" in letter.body and "Test purchases confirm it." in letter.body
    # Sent to the reporter's account only: never to the shop the report is about.
    assert list(OutboxMessage.objects.values_list("kind", "target")) == [("user", str(people.alice.pk))]


def test_no_case_decided_after_the_due_time_is_met_late_and_an_anonymous_reporter_gets_no_letter(people):
    matter = report(anonymous=True, merchant=people.acme.pk)
    with time_machine.travel(DECISION_DUE + timedelta(days=1), tick=False):
        matters.decide_report(matter.pk, people.rita, "no_case", "Not enough facts to investigate.")
    matter.refresh_from_db()
    assert matter.state == MatterState.NO_CASE
    assert matters.duty_of(matter).was_met_in_time is False
    assert not Notice.objects.filter(matter=matter).exists()


def test_deciding_twice_is_refused_and_changes_nothing(people):
    matter = report(people.alice, merchant=people.acme.pk)
    with time_machine.travel(at("2026-10-20 15:00"), tick=False):
        matters.decide_report(matter.pk, people.rita, "no_case", "First decision.")
    stored = (
        Matter.objects.filter(pk=matter.pk).values().get(),
        Notice.objects.count(),
        OutboxMessage.objects.count(),
    )
    with pytest.raises(Conflict, match="decided already"):
        matters.decide_report(matter.pk, people.rita, "open_case", "Second thoughts.")
    assert (Matter.objects.filter(pk=matter.pk).values().get(), Notice.objects.count(),
            OutboxMessage.objects.count()) == stored  # fmt: skip


@pytest.mark.parametrize(
    ("decision", "reason", "field"),
    [("open_case", "", "reason"), ("open_case", "   ", "reason"), ("close", "Because.", "decision"),
     ("no_case", "x" * 5001, "reason")],
)  # fmt: skip
def test_a_decision_without_a_reason_or_of_an_unknown_kind_is_named(people, decision, reason, field):
    matter = report(people.alice, merchant=people.acme.pk)
    with pytest.raises(FieldError) as caught:
        matters.decide_report(matter.pk, people.rita, decision, reason)
    assert caught.value.field == field
    matter.refresh_from_db()
    assert matter.state == MatterState.RECEIVED and matters.duty_of(matter).met_at is None


def test_only_an_officer_decides_and_a_report_is_not_an_enquiry(people):
    matter = report(people.alice, merchant=people.acme.pk)
    for someone in (people.alice, people.bob, None):
        with pytest.raises(PermissionDenied):
            matters.decide_report(matter.pk, someone, "open_case", "Mine.")
    with pytest.raises(Matter.DoesNotExist):
        matters.answer_enquiry(matter.pk, people.rita, "An answer.")
    assert Matter.objects.get(pk=matter.pk).state == MatterState.RECEIVED


def test_an_answer_meets_the_enquiry_and_goes_to_the_enquirer_once(people):
    matter = enquiry(None, contact_email="ask@example.test", language="en")
    with time_machine.travel(at("2026-09-25 10:00"), tick=False):
        matters.answer_enquiry(matter.pk, people.rita, "Within 7 working days of receipt.")
    matter.refresh_from_db()
    assert (matter.state, matter.reason) == (MatterState.ANSWERED, "Within 7 working days of receipt.")
    assert matters.duty_of(matter).was_met_in_time is True
    (letter,) = Notice.objects.filter(matter=matter)
    assert (
        letter.recipient == Recipient.ENQUIRER and "Answer: Within 7 working days of receipt." in letter.body
    )
    assert list(OutboxMessage.objects.values_list("kind", "target")) == [("email", "ask@example.test")]
    with pytest.raises(Conflict, match="answered already"):
        matters.answer_enquiry(matter.pk, people.rita, "Again.")
    with pytest.raises(FieldError) as caught:
        matters.answer_enquiry(enquiry(people.alice).pk, people.rita, " ")
    assert caught.value.field == "answer"


# ---------------------------------------------------------------------------------------- lists and rate


def test_only_officers_see_matters_and_the_late_ones_are_found(people):
    late = report(people.alice, merchant=people.acme.pk)
    in_time = report(people.alice, merchant=people.acme.pk, when=at("2026-10-20 09:00"))
    decided = report(people.alice, merchant=people.acme.pk)
    with time_machine.travel(at("2026-10-20 10:00"), tick=False):
        matters.decide_report(decided.pk, people.rita, "no_case", "No.")
    assert set(matters.visible_matters(people.rita)) == {late, in_time, decided}
    for user in (people.alice, people.bob, people.carol, None):
        assert not matters.visible_matters(user).exists()
    with time_machine.travel(DECISION_DUE + timedelta(minutes=1), tick=False):
        assert list(matters.overdue(Matter.objects.all())) == [late]
    ordered = cursor.chained(matters.listed(Matter.objects.all()), None, 10).rows
    assert ordered == [late, in_time, decided]


def test_filing_is_limited_per_address_and_account_but_not_for_officers(people, settings):
    settings.COMPLAINT_RATE_PER_ACCOUNT, settings.COMPLAINT_RATE_PER_ADDRESS = 2, 3
    matters.check_filing_rate(people.alice, "10.0.0.1")
    matters.check_filing_rate(people.alice, "10.0.0.1")
    with pytest.raises(ratelimit.RateLimited, match="this account"):
        matters.check_filing_rate(people.alice, "10.0.0.1")
    matters.check_filing_rate(None, "10.0.0.1")
    with pytest.raises(ratelimit.RateLimited, match="this network address"):
        matters.check_filing_rate(None, "10.0.0.1")
    matters.check_filing_rate(None, "10.0.0.2")
    for _ in range(5):
        matters.check_filing_rate(people.rita, "10.0.0.1")
