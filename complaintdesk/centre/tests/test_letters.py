"""The centre's letters (issue 13 item 4): one per party concerned, in the reader's language, with the bureau,
reference, date, decision, ground with its article and what to do next; sent through the outbox; kept once."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.centre import duties, letters
from complaintdesk.centre.models import (
    Bureau,
    CentreCase,
    Matter,
    MatterKind,
    MatterState,
    Notice,
    NoticeKind,
    Recipient,
)
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.lib.errors import FieldError
from complaintdesk.notify.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 15, 10, 0, tzinfo=SH)  # a Thursday in working time


def at_centre(complaint, **fields):
    """The complaint as it reaches the centre (what C1's escalation writes), received 2026-09-30 17:00."""
    received = datetime(2026, 9, 30, 17, 0, tzinfo=SH)
    return CentreCase.objects.create(
        complaint=complaint, bureau=Bureau.city_centre(), rule_version=duties.version_on(received.date()),
        via="escalation", received_at=received, **fields,
    )  # fmt: skip


@pytest.fixture
def case(people):
    people.alice.language = "en"
    people.alice.email = "alice@example.test"
    people.alice.save()
    with time_machine.travel(datetime(2026, 9, 28, 10, 0, tzinfo=SH), tick=False):
        complaint = factories.complaint(people.alice, people.acme, "escalated")
    OutboxMessage.objects.all().delete()
    at_centre(complaint)
    return complaint


def issue(kind, **kw):
    with time_machine.travel(NOW, tick=False):
        return letters.issue(kind, at=NOW, **kw)


@pytest.mark.django_db
def test_an_acceptance_writes_one_letter_to_the_consumer_and_one_to_the_shop(case, people):
    consumer, shop = issue(NoticeKind.ACCEPTANCE, complaint=case, by=people.rita)
    assert (consumer.recipient, consumer.language) == (Recipient.CONSUMER, "en")
    assert (shop.recipient, shop.language) == (Recipient.SHOP, "zh-hans,en")
    assert consumer.title == "Notice of acceptance" and shop.title == "受理告知书 / Notice of acceptance"
    assert consumer.issued_by == people.rita and consumer.bureau == Bureau.city_centre()
    body = consumer.body
    for line in (f"Reference: {case.reference}", "Date: 2026-10-15", "To: alice",
                 f"The centre has accepted your complaint {case.reference} against Acme Online",
                 # 45 working days from acceptance (SPEC §10's worked example)
                 "mediation ends on 2026-12-17 18:00",
                 "Legal basis: SAMR Order No. 20 (2019, amended 2022); Consumer Rights Protection Law art. 46",
                 "City Consumer Protection Centre (12315)"):  # fmt: skip
        assert line in body, line
    assert "市消费者权益保护中心" in shop.body and "City Consumer Protection Centre" in shop.body
    assert "What the shop is asked to do: Take part in the mediation" in shop.body


@pytest.mark.django_db
def test_letters_are_sent_in_the_decisions_transaction_to_the_consumer_and_the_shops_fan_out(case):
    consumer, shop = issue(NoticeKind.ACCEPTANCE, complaint=case)
    to_consumer = OutboxMessage.objects.get(kind="user")
    assert to_consumer.target == str(case.consumer_id) and to_consumer.event == "centre_acceptance"
    assert to_consumer.link == f"/letters/{consumer.pk}/" and to_consumer.subject == "Notice of acceptance"
    assert to_consumer.body == consumer.body
    to_shop = OutboxMessage.objects.get(kind="shop")
    assert to_shop.target == str(case.merchant_id) and to_shop.link == f"/letters/{shop.pk}/"
    assert to_shop.payload["recipient"] == "shop" and to_shop.payload["reference"] == case.reference


@pytest.mark.django_db
def test_a_refusal_goes_to_the_consumer_alone_with_its_ground_article_reasons_and_next_steps(case):
    (refusal,) = issue(
        NoticeKind.REFUSAL, complaint=case, ground=5, reason="No order number or address given."
    )
    assert refusal.recipient == Recipient.CONSUMER and refusal.ground == 5
    assert refusal.legal_basis.startswith("SAMR Order No. 20 (2019, amended 2022), art. 15(5); ")
    body = refusal.body
    assert "decided not to accept your complaint" in body
    assert "Ground: (5) Required details missing" in body
    assert "The centre's reasons: No order number or address given." in body
    assert "You may complain again with the missing details." in body
    assert "people's court" in body and "arbitration" in body
    assert not OutboxMessage.objects.filter(kind="shop").exists()


@pytest.mark.django_db
def test_a_termination_names_its_art_21_ground_and_the_notice_rules_citation(case):
    CentreCase.objects.filter(complaint=case).update(ended_at=datetime(2026, 10, 14, 16, 0, tzinfo=SH))
    case.refresh_from_db()
    consumer, shop = issue(
        NoticeKind.TERMINATION, complaint=case, ground=4, reason="The shop refuses any refund."
    )
    assert consumer.legal_basis == (
        "SAMR Order No. 20 (2019, amended 2022), art. 21(4); SAMR Order No. 20 art. 22"
    )
    assert "ended without agreement on 2026-10-14" in consumer.body
    assert "Ground: (4) A party declared that no agreement is possible" in consumer.body
    assert "（四）" in shop.body or "(4)" in shop.body


@pytest.mark.django_db
def test_a_notice_of_the_workers_automatic_termination_quotes_the_stored_ground(case):
    CentreCase.objects.filter(complaint=case).update(termination_ground=5, outcome="terminated")
    case.refresh_from_db()
    consumer, _shop = issue(NoticeKind.TERMINATION, complaint=case)
    assert consumer.ground == 5 and "art. 21(5)" in consumer.legal_basis
    assert "(5) The mediation period passed without agreement" in consumer.body


@pytest.mark.django_db
def test_an_agreement_quotes_its_terms_and_the_money_recovered(case):
    CentreCase.objects.filter(complaint=case).update(agreement_terms="Full refund within 3 days.",
                                                     amount_recovered=Decimal("99.50"))  # fmt: skip
    case.refresh_from_db()
    consumer, shop = issue(NoticeKind.AGREEMENT, complaint=case)
    assert "Terms of the agreement: Full refund within 3 days." in consumer.body
    assert "Money recovered for the consumer: 99.50 yuan" in consumer.body
    assert "Carry out the terms" in shop.body


@pytest.mark.django_db
def test_an_agreements_legal_basis_is_the_versions_article_on_agreements_never_the_time_out(case):
    """The mediation rule's citation is art. 21(5), the time-out ground: no basis for an agreement."""
    version = CentreCase.objects.get(complaint=case).rule_version
    assert version.agreement_article == ""  # the default version's: not entered until checked
    consumer, shop = issue(NoticeKind.AGREEMENT, complaint=case)
    assert consumer.legal_basis == shop.legal_basis == f"{version.name}; {version.law}"
    for letter in (consumer, shop):
        assert "21(5)" not in letter.legal_basis and "21(5)" not in letter.body
        assert f"Legal basis: {version.name}; {version.law}" in letter.body
    Notice.objects.all().delete()
    version.agreement_article = "art. 22"
    version.save()
    case.refresh_from_db()
    consumer, _shop = issue(NoticeKind.AGREEMENT, complaint=case)
    assert consumer.legal_basis == f"{version.name}, art. 22"


@pytest.mark.django_db
def test_a_chinese_consumers_letter_is_in_chinese(case, people):
    people.alice.language = "zh-hans"
    people.alice.save()
    case.refresh_from_db()
    (refusal,) = issue(NoticeKind.REFUSAL, complaint=case, ground=4, reason="超过三年")
    assert refusal.language == "zh-hans" and refusal.title == "不予受理告知书"
    assert "（四）" in refusal.body and "市消费者权益保护中心（12315投诉举报中心）" in refusal.body


@pytest.mark.django_db
def test_a_caller_without_an_account_gets_a_chinese_letter_to_print_and_nothing_is_sent_to_nobody(people):
    with time_machine.travel(NOW, tick=False):
        complaint = services.file_complaint(people.rita, factories.new_complaint(people.acme, consumer_name="王女士",
                                                                                 channel="hotline_12315"))  # fmt: skip
    at_centre(complaint)
    OutboxMessage.objects.all().delete()
    consumer, _shop = issue(NoticeKind.ACCEPTANCE, complaint=complaint)
    assert consumer.language == "zh-hans" and "王女士" in consumer.body
    assert not OutboxMessage.objects.filter(kind="user").exists()


@pytest.mark.django_db
def test_issuing_a_decisions_letters_twice_writes_and_sends_nothing_new(case):
    first = issue(NoticeKind.ACCEPTANCE, complaint=case)
    again = issue(NoticeKind.ACCEPTANCE, complaint=case)
    assert [n.pk for n in again] == [n.pk for n in first]
    assert Notice.objects.count() == 2 and OutboxMessage.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "ground", "field"),
    [
        (NoticeKind.REFUSAL, None, "ground"),
        (NoticeKind.REFUSAL, 7, "ground"),
        (NoticeKind.TERMINATION, 0, "ground"),
        (NoticeKind.TERMINATION, 8, "ground"),
        ("apology", None, "kind"),
        (NoticeKind.ENQUIRY_ANSWER, None, "kind"),
    ],
)
def test_a_letter_without_a_known_ground_or_of_the_wrong_kind_is_refused_and_nothing_written(case, kind, ground,
                                                                                           field):  # fmt: skip
    with pytest.raises(FieldError) as refused:
        issue(kind, complaint=case, ground=ground)
    assert refused.value.field == field
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_long_ago_decisions_letters_are_kept_but_not_sent(case):
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False):
        written = letters.issue(NoticeKind.ACCEPTANCE, complaint=case, at=NOW)
    assert len(written) == 2 and not OutboxMessage.objects.exists()


def a_matter(people, kind, **fields):
    received = datetime(2026, 9, 24, 11, 0, tzinfo=SH)
    matter = Matter.objects.create(
        kind=kind, bureau=Bureau.city_centre(), rule_version=duties.version_on(received.date()),
        received_at=received, text="They sell fake batteries.", **fields,
    )  # fmt: skip
    matter.reference = Matter.reference_for(kind, matter.pk, 2026)
    matter.save(update_fields=["reference"])
    return matter


@pytest.mark.django_db
def test_a_report_decision_goes_to_a_reachable_reporter_by_e_mail_and_never_to_the_shop(people):
    matter = a_matter(people, MatterKind.REPORT, merchant=people.acme, contact_name="Zhang",
                      contact_email="zhang@example.test", language="en", state=MatterState.NO_CASE)  # fmt: skip
    (letter,) = issue(NoticeKind.REPORT_DECISION, matter=matter, reason="No breach of the law found.")
    assert letter.recipient == Recipient.REPORTER and letter.language == "en"
    assert f"not to open a case on your report {matter.reference} about Acme Online" in letter.body
    assert "To: Zhang" in letter.body and "No breach of the law found." in letter.body
    assert "SAMR Order No. 20 art. 31" in letter.legal_basis
    sent = OutboxMessage.objects.get()
    assert (sent.kind, sent.target) == ("email", "zhang@example.test")
    assert not OutboxMessage.objects.filter(kind="shop").exists()


@pytest.mark.django_db
def test_an_anonymous_reporter_gets_no_letter(people):
    matter = a_matter(people, MatterKind.REPORT, web_address="https://fake.example", anonymous=True,
                      state=MatterState.CASE_OPENED)  # fmt: skip
    assert issue(NoticeKind.REPORT_DECISION, matter=matter) == []
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_an_enquiry_answer_quotes_the_answer_to_the_enquirers_account(people):
    matter = a_matter(people, MatterKind.ENQUIRY, user=people.erin, language="zh-hans",
                      state=MatterState.ANSWERED, reason="七日无理由退货适用于网购商品。")  # fmt: skip
    (letter,) = issue(NoticeKind.ENQUIRY_ANSWER, matter=matter)
    assert letter.recipient == Recipient.ENQUIRER and letter.language == "zh-hans"
    assert "七日无理由退货适用于网购商品。" in letter.body
    sent = OutboxMessage.objects.get()
    assert (sent.kind, sent.target) == ("user", str(people.erin.pk))


@pytest.mark.django_db
def test_each_party_sees_its_own_letters_only(case, people):
    consumer, shop = issue(NoticeKind.ACCEPTANCE, complaint=case)
    visible = {u: set(letters.visible_letters(u).values_list("pk", flat=True))
               for u in (people.alice, people.erin, people.bob, people.dave, people.rita)}  # fmt: skip
    assert visible[people.alice] == {consumer.pk}
    assert visible[people.bob] == {shop.pk}
    assert visible[people.erin] == set() and visible[people.dave] == set()
    assert visible[people.rita] == {consumer.pk, shop.pk}
