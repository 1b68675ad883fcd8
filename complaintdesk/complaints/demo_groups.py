"""The group complaint of `seed_demo` (issue 14 item 6): an open group at the first demo shop with members and
the shop's answer, built through `complaints.groups` as an officer, the shop and consumers would.

Four consumers complain about the same earbuds within a few hours; the city officer (`regulator`) opens a
group of their complaints; the shop answers the group (a reply: it is checking the batch); a fifth consumer
joins and gets that standing answer at once; the shop then proposes a replacement to every member in one
answer, and the centre posts a statement; one member accepts, another disputes. A quality issue's first answer
is a reply, as in the rest of the demo. The steps lie more than an hour back (`notices.HISTORY`), so no step
is notified (new complaints whose deadlines still run are, as any).

Idempotent: the group is known by its shop and product, its first members by their `external_id`.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from complaintdesk.complaints import groups, services
from complaintdesk.complaints.choices import Channel, Sector, WantedOutcome
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.complaints.models import Category, Complaint, ComplaintGroup

PRODUCT = "京华 X3 无线耳机 / Jinghua X3 wireless earbuds"
PROBLEM = (
    "左耳机充满电后仍无法连接，同一批次多名消费者反映。/ The left earbud does not pair even when fully "
    "charged; many buyers of the same batch report it."
)
FIRST_ANSWER = (
    "已收到大家的反馈，正在检测该批次耳机，两天内答复。/ We have your reports and are testing this batch; we "
    "answer within two days."
)
ANSWER = (
    "我们已确认该批次左耳机固件问题，为每位消费者免费更换新耳机。/ We found a firmware fault in this batch's "
    "left earbuds and replace every buyer's pair free of charge."
)
RESOLUTION = "三个工作日内寄出新耳机，旧耳机到付寄回。/ A new pair ships within 3 working days; send the old one back at our cost."
STATEMENT = (
    "12315中心已就该批次耳机问题约谈商家，将跟进更换进度。/ The 12315 centre has met the shop about this "
    "batch and follows the replacements."
)


@dataclass(frozen=True)
class Member:
    consumer: int  # consumerN
    order: str
    hours_ago: float  # when the complaint was filed
    words: str = ""  # the consumer's own words; the group's problem when empty


# The first four file on their own (the mass incident); the fifth joins the group after the shop's first answer.
FIRST = [
    Member(3, "JH20261101003", 7.5, "左耳机连不上手机，重置也没用。"),
    Member(7, "JH20261101017", 7.0, "Left earbud never pairs; the right one works."),
    Member(11, "JH20261101042", 6.5, "左耳完全没有声音，客服说等通知。"),
    Member(15, "JH20261101058", 6.0),
]
JOINER = Member(19, "JH20261102011", 4.5, "我的也是同一批次，左耳无法配对。")
OPENED_HOURS_AGO, FIRST_ANSWER_HOURS_AGO, ANSWERED_HOURS_AGO, STATEMENT_HOURS_AGO = 5.5, 5.0, 3.0, 2.5
ACCEPTED_BY, DISPUTED_BY = 3, 7  # consumerN: one member accepts the replacement, another disputes it
COMPLAINTS = len(FIRST) + 1


def load(regulator, shops, consumers) -> ComplaintGroup:
    """The demo's group (made once) at the first shop: `shops` are (shop, (agent, coordinator)) as
    `seed_demo` makes them, `consumers` consumer1… in order."""
    shop, (agent, _coordinator) = shops[0]
    found = ComplaintGroup.objects.filter(merchant=shop, product=PRODUCT).first()
    if found is not None:
        return found
    now = timezone.now()

    def ago(hours: float):
        return now - timedelta(hours=hours)

    category = Category.objects.get(code="quality")
    with transaction.atomic():
        members = [_filed(shop, category, consumers[m.consumer - 1], m, ago(m.hours_ago)) for m in FIRST]
        group = groups.open_group(
            regulator, product=PRODUCT, problem=PROBLEM, complaints=members, now=ago(OPENED_HOURS_AGO)
        )
        groups.answer(group, agent, message=FIRST_ANSWER, now=ago(FIRST_ANSWER_HOURS_AGO))
        groups.join(
            group, consumers[JOINER.consumer - 1], order_number=JOINER.order, amount=Decimal("299.00"),
            order_date=ago(JOINER.hours_ago + 200).date(), description=JOINER.words,
            wanted_outcome=WantedOutcome.REPLACEMENT, now=ago(JOINER.hours_ago),
        )  # fmt: skip
        groups.answer(
            group, agent, message=ANSWER, resolution_type="replacement", resolution_text=RESOLUTION,
            now=ago(ANSWERED_HOURS_AGO),
        )  # fmt: skip
        groups.post_statement(group, regulator, message=STATEMENT, now=ago(STATEMENT_HOURS_AGO))
        by_consumer = {c.consumer_id: c for c in group.members.all()}
        accepted = by_consumer[consumers[ACCEPTED_BY - 1].pk]
        disputed = by_consumer[consumers[DISPUTED_BY - 1].pk]
        services.perform(accepted.pk, accepted.consumer, Action.ACCEPT, at=ago(2.0))
        services.perform(
            disputed.pk, disputed.consumer, Action.DISPUTE, "我要退款，不要换货。/ I want a refund, not a new pair.",
            at=ago(1.5),
        )  # fmt: skip
    return group


def _filed(shop, category, consumer, member: Member, received_at) -> Complaint:
    external_id = f"demo-group-{member.consumer}"
    existing = Complaint.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing
    return services.file_complaint(
        consumer,
        services.NewComplaint(
            merchant=shop,
            category=category,
            kind=category.complaint_kind,
            channel=Channel.WEB,
            sector=Sector.ONLINE_SHOPPING,
            order_number=member.order,
            amount=Decimal("299.00"),
            order_date=(received_at - timedelta(days=8)).date(),
            wanted_outcome=WantedOutcome.REPLACEMENT,
            description=member.words or PROBLEM,
            product=PRODUCT,
            publish_consent=True,
            received_at=received_at,
            external_id=external_id,
        ),
    )
