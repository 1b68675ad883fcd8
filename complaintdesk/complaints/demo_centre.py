"""The 12315 centre's demo data for `seed_demo` (issue 13 item 7): every state of every kind of matter, in both
languages, before and after a second rule version's effective date.

- A demo rule version, "SAMR Order No. 121 (2026) — figures to be confirmed", in force from 2026-04-15 with
  Order No. 20's figures except mediation (60 working days, as reported and not confirmed: its note says
  so). Matters received from that day follow it; those received before keep Order No. 20.
- The centre's steps on the demo's complaints (`STEPS`: the fields `seed_demo` passes with each step).
- Complaints filed with the centre directly (hotline, counter) and stories on fixed days around the new
  version's date: an agreement, a refusal, a termination by an officer, a mediation paused for testing and
  resumed, a mediation the worker ended on ground (5) whose notice an officer sent, and one whose notice
  still waits.
- Reports (anonymous and named, with and without a case decision) and enquiries (open and answered), in
  Chinese and English, by web, hotline, counter and letter.
- Ratings of the closed complaints and follow-up calls of last week's sample.

Idempotent: a complaint is known by its `external_id`, a report or enquiry by its text; what exists is left.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from complaintdesk.accounts.models import User
from complaintdesk.centre import duties, matters, ratings, versions
from complaintdesk.centre.grounds import RefusalGround, TerminationGround
from complaintdesk.centre.models import FollowUpCall, Matter, MatterChannel, RuleVersion
from complaintdesk.complaints import centre, followup, services
from complaintdesk.complaints.choices import TERMINAL_STATES, Channel, Kind, WantedOutcome
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import Deadline, Phase, PolicyRule

ZONE = ZoneInfo(settings.COMPLAINTDESK_TIME_ZONE)

# ------------------------------------------------------------------------------------- the rule version

ORDER_121 = {
    "name": "SAMR Order No. 121 (2026) — figures to be confirmed",
    "effective_from": date(2026, 4, 15),
    "law": "Consumer Rights Protection Law art. 46; SAMR Order No. 121 of 2026 (demo: articles to be confirmed)",
    "refusal_article": "art. 15",
    "termination_article": "art. 21",
    "note": (
        "Demo data, not the law: Order No. 121 took effect on 2026-04-15. Its mediation period is reported as "
        "60 working days (Order No. 20: 45); this figure and every article here are unconfirmed until checked "
        "against the official text (docs/centre.md says how to enter a version)."
    ),
}
UNCONFIRMED = "SAMR Order No. 121 of 2026 (demo; article to be confirmed against the official text)"
ORDER_121_DAYS = {Phase.MEDIATION: 60}
ORDER_121_LABELS = {Phase.MEDIATION: "Mediation ends without agreement 60 working days after acceptance"}


def rule_version(say) -> RuleVersion | None:
    """The demo's second rule version with its rules (Order No. 20's figures but mediation's), once. Not
    added where matters already follow another version on its days (`centre.versions`): `say` tells why."""
    found = RuleVersion.objects.filter(name=ORDER_121["name"]).first()
    if found is not None:
        return found
    version = RuleVersion(**ORDER_121)
    try:
        versions.check_effective_date(version, version.effective_from)
    except ValidationError as refused:
        say(f"Demo rule version not added: {' '.join(refused.messages)}")
        return None
    current = RuleVersion.in_force_on(version.effective_from - timedelta(days=1))
    with transaction.atomic():
        version.save()
        PolicyRule.objects.bulk_create(
            [
                PolicyRule(
                    version=version, phase=rule.phase, priority=rule.priority, clock=rule.clock,
                    received_in=rule.received_in, duration=rule.duration,
                    days=ORDER_121_DAYS.get(rule.phase, rule.days),
                    label=ORDER_121_LABELS.get(rule.phase, rule.label), citation=UNCONFIRMED,
                )
                for rule in current.rules.all()
            ]
        )  # fmt: skip
    return version


# ------------------------------------------------------------------------- the centre's steps' fields

STEP_MESSAGES = {
    Action.ACCEPT_CASE: "12315 中心受理您的投诉，将组织调解。/ The 12315 centre accepts the complaint and will mediate.",
    Action.PAUSE_FOR_TESTING: "商品送检，检测期间调解期限中止。/ The item is sent for testing; the mediation period waits.",
    Action.RESUME_AFTER_TESTING: "检测报告已出，继续调解。/ The test report is in; mediation goes on.",
    Action.REFUSE_CASE: "经核查，该投诉不符合受理条件。/ On checking, the complaint cannot be accepted.",
    Action.RECORD_AGREEMENT: "双方达成调解协议。/ The parties agreed in mediation.",
    Action.TERMINATE_MEDIATION: "双方分歧较大，调解终止。/ The parties remain far apart; mediation ends.",
    Action.SEND_TERMINATION_NOTICE: "",
}
# Officers' terminations: any ground but (5), which is the worker's when the period passes.
OFFICER_TERMINATION_GROUNDS = [g for g in TerminationGround.values if g != TerminationGround.TIME_LIMIT]
AGREEMENTS = [
    "商家退还货款并承担退货运费。/ The shop refunds the price and pays the return postage.",
    "商家更换新品并补偿 50 元优惠券。/ The shop replaces the item and adds a 50-yuan voucher.",
    "商家退款 80%，消费者保留商品。/ The shop refunds 80 %; the consumer keeps the item.",
]


def details(action: str, complaint, position: int, rng: random.Random) -> centre.Details | None:
    """The fields of a centre step of the `position`-th demo complaint (grounds taken in turn, so that the
    demo shows each of them)."""
    if action == Action.REFUSE_CASE:
        return centre.Details(ground=RefusalGround.values[position % len(RefusalGround.values)])
    if action == Action.TERMINATE_MEDIATION:
        return centre.Details(ground=OFFICER_TERMINATION_GROUNDS[position % len(OFFICER_TERMINATION_GROUNDS)])
    if action == Action.RECORD_AGREEMENT:
        share = Decimal(rng.choice([100, 100, 80, 50, 0])) / 100
        return centre.Details(
            terms=AGREEMENTS[position % len(AGREEMENTS)],
            amount_recovered=(complaint.amount * share).quantize(Decimal("0.01")),
        )
    return None


# ------------------------------------------------------------------------------ the centre's own stories


@dataclass
class Story:
    """A complaint at the centre on fixed days: filed by a consumer who escalates after a dispute, or by an
    officer for the centre (hotline, counter); then the centre's steps, each (days after receipt, action,
    details); `timed_out`: the worker ends its mediation when the period passes."""

    key: str
    received: datetime | None  # None: a few days before now (see `_recent`)
    shop: int
    category: str
    description: str
    channel: str = Channel.WEB
    caller: str = ""  # a caller without an account (an officer's filing for the centre)
    steps: list = field(default_factory=list)
    timed_out: bool = False
    notice_after_days: float | None = None  # the officer sends the termination notice this long after


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), ZONE)


STORIES = [
    # Before Order No. 121: a counter filing agreed in mediation (Order No. 20's 45 days).
    Story(
        "demo-centre-1", _at("2026-03-02"), 1, "after_sales_repair",
        "柜台来访：笔记本电脑屏幕出现坏点，商家拒绝换货。", Channel.COUNTER, caller="李先生",
        steps=[
            (2, Action.ACCEPT_CASE, None),
            (14, Action.RECORD_AGREEMENT, centre.Details(
                terms="商家为消费者更换新机。/ The shop replaces the laptop.", amount_recovered="4299.00")),
        ],
    ),
    # The day before Order No. 121: escalated, accepted after it, terminated by an officer — Order No. 20 still.
    Story(
        "demo-centre-2", _at("2026-04-14", 17), 2, "returns_refunds",
        "The coat's colour is nothing like the photos; the shop refuses a return because the tag was cut.",
        steps=[
            (2, Action.ACCEPT_CASE, None),
            (30, Action.TERMINATE_MEDIATION, centre.Details(ground=TerminationGround.NO_AGREEMENT_POSSIBLE)),
        ],
    ),
    # On Order No. 121's first day: a hotline filing refused (not a market-regulation matter).
    Story(
        "demo-centre-3", _at("2026-04-15", 9), 3, "other", "来电：小区物业费上涨，要求 12315 处理。",
        Channel.HOTLINE, caller="张女士",
        steps=[(1, Action.REFUSE_CASE, centre.Details(ground=RefusalGround.NOT_OURS))],
    ),
    # Order No. 121: accepted, paused for testing, resumed, agreed.
    Story(
        "demo-centre-4", _at("2026-06-01"), 4, "delivery", "收到的车厘子大面积腐烂，怀疑冷链断链。",
        steps=[
            (2, Action.ACCEPT_CASE, None),
            (5, Action.PAUSE_FOR_TESTING, None),
            (16, Action.RESUME_AFTER_TESTING, None),
            (20, Action.RECORD_AGREEMENT, centre.Details(
                terms="商家全额退款。/ The shop refunds in full.", amount_recovered="268.00")),
        ],
    ),
    # Order No. 121: the mediation period (60 working days) passes; the worker ends it; the notice goes late.
    Story(
        "demo-centre-5", _at("2026-04-20"), 5, "quality",
        "Allergic reaction to a face cream; the shop stopped answering after the first message.",
        steps=[(2, Action.ACCEPT_CASE, None)], timed_out=True, notice_after_days=12,
    ),
    # Recent: the worker ended the mediation days ago, and the termination notice still waits for an officer.
    Story(
        "demo-centre-6", None, 1, "after_sales_repair", "扫地机器人三个月内坏了两次，商家只肯维修。",
        steps=[(2, Action.ACCEPT_CASE, None)], timed_out=True,
    ),
    # Today's hotline filing for the centre, its acceptance decision running.
    Story(
        "demo-centre-7", None, 2, "false_promotion", "来电：直播间购买的羽绒服含绒量不达标。",
        Channel.HOTLINE, caller="赵女士",
    ),
    # This week's counter filing, accepted, mediation running.
    Story(
        "demo-centre-8", None, 3, "delivery",
        "Counter visit: a sofa delivered with a broken leg; the shop offers only a 20-yuan voucher.",
        Channel.COUNTER, caller="Mr Chen", steps=[(1, Action.ACCEPT_CASE, None)],
    ),
]  # fmt: skip
# How long before now the recent stories reached the centre.
RECENT = {"demo-centre-7": timedelta(hours=3), "demo-centre-8": timedelta(days=3)}


def load_stories(regulator, shops, consumers, now: datetime) -> int:
    created = 0
    for position, story in enumerate(STORIES):
        if Complaint.objects.filter(external_id=story.key).exists():
            continue
        received = story.received or _recent(story, now)
        if received is None or received > now - timedelta(hours=1):
            continue  # the clock stands before the story's days (a test's frozen time)
        shop, (agent, _coordinator) = shops[story.shop - 1]
        consumer = None if story.caller else consumers[position * 3 % len(consumers)]
        with transaction.atomic():
            complaint = _reach(story, received, shop, agent, consumer, regulator)
            _steps(complaint, story, received, now, regulator)
        created += 1
    return created


def _recent(story: Story, now: datetime) -> datetime | None:
    if story.key in RECENT:
        return now - RECENT[story.key]
    return _received_to_time_out_before(now)


def _received_to_time_out_before(now: datetime) -> datetime | None:
    """When a complaint accepted two days after receipt must have reached the centre for its mediation
    period to have ended a few hours ago, by the rules of the version in force then (found by trying days)."""
    for days in range(40, 200):
        received = datetime.combine((now - timedelta(days=days)).astimezone(ZONE).date(), time(10), ZONE)
        version = duties.version_on(received.date())
        due = duties.due(version, Phase.MEDIATION, received + timedelta(days=2))
        if due is not None and due.due_at < now - timedelta(hours=2):
            return received
    return None


def _reach(story: Story, received: datetime, shop, agent, consumer, regulator) -> Complaint:
    category = Category.objects.get(code=story.category)
    new = services.NewComplaint(
        merchant=shop, category=category, kind=category.complaint_kind, channel=story.channel,
        sector="online_shopping", order_number=f"C{story.key[-1]}{shop.pk:02d}{received:%m%d}",
        amount=Decimal("299.00"), order_date=(received - timedelta(days=12)).date(),
        wanted_outcome=WantedOutcome.REFUND, description=story.description, external_id=story.key,
    )  # fmt: skip
    if consumer is None:  # an officer takes the caller's complaint for the centre to handle
        new.consumer_name, new.for_centre, new.received_at = story.caller, True, received
        return services.file_complaint(regulator, new)
    new.received_at = received - timedelta(days=3)
    complaint = services.file_complaint(consumer, new)
    answer = Action.REPLY if complaint.kind == Kind.QUALITY_ISSUE else Action.RESPOND  # as the page offers
    for hours, actor, action, message in [
        (2, agent, answer, "已收到，正在核实。/ Received; we are checking."),
        (26, agent, Action.PROPOSE_RESOLUTION, "可提供 20 元优惠券。/ We can offer a 20-yuan voucher."),
        (50, consumer, Action.DISPUTE, "优惠券不能解决问题。/ A voucher does not solve it."),
    ]:
        resolution = {"type": "voucher", "details": message} if action == Action.PROPOSE_RESOLUTION else None
        services.perform(
            complaint.pk, actor, action, message, resolution, at=new.received_at + timedelta(hours=hours)
        )
    services.perform(complaint.pk, consumer, Action.ESCALATE, "请 12315 调解。/ Please mediate.", at=received)
    return complaint


def _steps(complaint, story: Story, received: datetime, now: datetime, regulator) -> None:
    for days, action, fields in story.steps:
        at = received + timedelta(days=days)
        services.perform(complaint.pk, regulator, action, STEP_MESSAGES[action], at=at, details=fields)
    if not story.timed_out:
        return
    period = Deadline.objects.get(complaint=complaint, phase=Phase.MEDIATION)
    ended = period.due_at + timedelta(minutes=1)
    sweep.handle(period.pk, now=ended)  # the worker's own step, as it ran when the period passed
    if story.notice_after_days is not None:
        sent = ended + timedelta(days=story.notice_after_days)
        if sent < now:
            services.perform(complaint.pk, regulator, Action.SEND_TERMINATION_NOTICE, "", at=sent)


# -------------------------------------------------------------------------------- reports and enquiries


@dataclass
class DemoMatter:
    kind: str
    text: str
    language: str
    received: datetime | timedelta  # a day, or how long before now
    by: str = (
        ""  # a consumer's username (filed on the web); "" with a channel other than web: an officer's record
    )
    channel: str = MatterChannel.WEB
    shop: int | None = None
    web_address: str = ""
    anonymous: bool = False
    contacts: dict = field(default_factory=dict)
    decision: str = ""  # a report's open_case / no_case; an enquiry's "answer"
    reason: str = ""
    decided_after: timedelta = timedelta(days=3)


MATTERS = [
    DemoMatter("report", "商品吊牌与实物不符，疑似假冒品牌服装。", "zh-hans", timedelta(days=2), shop=2, anonymous=True),
    DemoMatter("report", "Yunfan Beauty sells creams past their expiry date; the dates on the boxes were "
               "relabelled.", "en", _at("2026-03-20"), by="consumer3", shop=5, decision="open_case",
               reason="A case is opened: the inspectors will visit the shop's warehouse.",
               decided_after=timedelta(days=9)),
    DemoMatter("report", "来电举报：某网站低价销售手机，付款后不发货，客服失联。", "zh-hans", _at("2026-05-06"),
               channel=MatterChannel.HOTLINE, web_address="https://cheap-phones.example.net",
               contacts={"contact_name": "周先生", "contact_phone": "13912345678"}, decision="open_case",
               reason="已立案调查，并将网站线索移送网信部门。", decided_after=timedelta(days=10)),
    DemoMatter("report", "By letter: the shop's 'original price' was never charged before the sale.", "en",
               timedelta(days=10), channel=MatterChannel.LETTER, shop=1,
               contacts={"contact_name": "Ms Lin", "contact_email": "lin@example.cn"}),
    DemoMatter("report", "生鲜商品没有检疫证明，怀疑来源不明。", "zh-hans", _at("2026-04-10"), by="consumer7", shop=4,
               decision="no_case", reason="经核查，商家已提供完整的检疫证明，不予立案。",
               decided_after=timedelta(days=6)),
    DemoMatter("report", "Fake luxury bags sold as genuine on a discount site.", "en", timedelta(days=26),
               web_address="https://discount-lux.example.com", anonymous=True),
    DemoMatter("enquiry", "七天无理由退货的运费由谁承担？", "zh-hans", timedelta(days=1), by="consumer2"),
    DemoMatter("enquiry", "网购商品出现质量问题，三包期限从哪天算起？", "zh-hans", _at("2026-04-13"),
               channel=MatterChannel.HOTLINE, contacts={"contact_phone": "13700001111"}, decision="answer",
               reason="三包有效期自开具发票之日起计算；没有发票的，以购货凭证上的日期为准。",
               decided_after=timedelta(days=2)),
    DemoMatter("enquiry", "Can I get my deposit back for a pre-sale item the shop never delivered?", "en",
               _at("2026-06-02"), contacts={"contact_email": "presale@example.com"}, decision="answer",
               reason="Yes: a shop that does not deliver must return the deposit. File a complaint if it refuses.",
               decided_after=timedelta(days=3)),
    DemoMatter("enquiry", "How do I file a complaint against a live-stream seller?", "en", timedelta(days=3),
               channel=MatterChannel.COUNTER, contacts={"contact_name": "Mr Wu", "contact_phone": "13600002222"}),
    DemoMatter("enquiry", "商家不开发票可以投诉吗？", "zh-hans", timedelta(days=12), by="consumer5"),
]  # fmt: skip


def load_matters(regulator, shops, now: datetime) -> int:
    created = 0
    for item in MATTERS:
        if Matter.objects.filter(kind=item.kind, text=item.text).exists():
            continue
        received = now - item.received if isinstance(item.received, timedelta) else item.received
        if received > now:
            continue
        by = regulator if item.channel != MatterChannel.WEB else _user(item.by)
        filing = matters.Filing(
            kind=item.kind, text=item.text, merchant=shops[item.shop - 1][0].pk if item.shop else None,
            web_address=item.web_address, anonymous=item.anonymous, channel=item.channel, language=item.language,
            received_at=received if by is regulator else None, **item.contacts,
        )  # fmt: skip
        # A web filing is received when it is sent: the demo sends it at its day.
        matter = matters.file(by, filing, now=now if by is regulator else received)
        decided = received + item.decided_after
        if item.decision == "answer" and decided < now:
            matters.answer_enquiry(matter.pk, regulator, item.reason, at=decided)
        elif item.decision and decided < now:
            matters.decide_report(matter.pk, regulator, item.decision, item.reason, at=decided)
        created += 1
    return created


def _user(username: str) -> User | None:
    return User.objects.get(username=username) if username else None


# ------------------------------------------------------------------------- ratings and follow-up calls

COMMENTS = {
    5: ["处理很及时，谢谢！", "Quick and fair, thank you."],
    4: ["结果满意，就是过程有点长。", "Good result, a bit slow."],
    3: ["问题解决了，但沟通不太顺畅。", "Solved, but I had to chase them."],
    2: ["只解决了一部分。", "Only partly solved."],
    1: ["商家一直拖延，很失望。", "The shop stalled throughout."],
}
SCORES = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]


def load_ratings(now: datetime) -> int:
    """Most consumers rate their closed complaints within the window; a few recent ones are left to rate."""
    rated = 0
    closed = Complaint.objects.filter(
        external_id__startswith="demo-",
        state__in=TERMINAL_STATES,
        consumer__isnull=False,
        rating__isnull=True,
    ).select_related("consumer")
    for complaint in closed:
        window = ratings.window(complaint)
        rng = random.Random(f"rating:{complaint.external_id}")
        if window is None or rng.random() < 0.35:
            continue
        at = window.starts_at + timedelta(days=rng.uniform(0.1, 10))
        if at > now or at > window.due_at:
            continue  # the consumer may still rate it: the demo leaves the form to try
        score = rng.choice(SCORES)
        ratings.rate(complaint, complaint.consumer, score=score, comment=rng.choice(COMMENTS[score]), at=at)
        rated += 1
    return rated


CALL_NOTES = [
    ("satisfied", "消费者表示已收到退款，对处理结果满意。"),
    ("partly", "Refund received; the consumer still waits for the postage."),
    ("dissatisfied", "消费者认为商家补偿过低。"),
    ("not_reached", "电话无人接听，次日再拨。"),
]


def load_follow_up_calls(regulator, now: datetime) -> int:
    """Calls on half of last week's sample (the rest wait on the follow-up page) and on older closings."""
    today = now.astimezone(ZONE).date()
    monday = followup.last_full_week(today)
    candidates = followup.sample(monday)
    older = followup.sample(monday - timedelta(days=7)) + followup.sample(monday - timedelta(days=14))
    calls = 0
    for position, candidate in enumerate(candidates[: len(candidates) // 2] + older):
        owner = (
            {"complaint": candidate.item}
            if candidate.kind == followup.COMPLAINT
            else {"matter": candidate.item}
        )
        if FollowUpCall.objects.filter(**owner).exists():
            continue
        called_at = min(candidate.closed_at + timedelta(days=2, hours=position % 5), now - timedelta(hours=1))
        if called_at < candidate.closed_at:
            continue
        outcome, note = CALL_NOTES[position % len(CALL_NOTES)]
        followup.record(regulator, **owner, called_at=called_at, outcome=outcome, note=note, now=now)
        calls += 1
    return calls


def load(regulator, shops, consumers, now: datetime | None = None) -> dict[str, int]:
    """The centre's stories, reports and enquiries, ratings and follow-up calls (after the demo's other
    complaints, which `seed_demo` walks with `details`)."""
    now = now or timezone.now()
    return {
        "complaints": load_stories(regulator, shops, consumers, now),
        "matters": load_matters(regulator, shops, now),
        "ratings": load_ratings(now),
        "calls": load_follow_up_calls(regulator, now),
    }
