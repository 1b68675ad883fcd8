"""Demo data: five shops with staff, twenty consumers, a regulator, two hundred complaints in every state
(at the shop and at the 12315 centre), the centre's reports and enquiries, ratings and follow-up calls
(`complaints.demo_centre`), two district bureaus with their officers and a transferred complaint
(`complaints.demo_bureaus`). Idempotent."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints import demo_bureaus, demo_centre, demo_flags, demo_groups, services
from complaintdesk.complaints.choices import TERMINAL_STATES, Channel, Kind, State, WantedOutcome
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.deadlines.services import ensure_default_policy
from complaintdesk.merchants import demo as demo_obligations
from complaintdesk.merchants.models import Merchant, Platform
from complaintdesk.merchants.uscc import check_character
from complaintdesk.notify import render

PASSWORD = "demo"
SHOPS = [
    ("Jinghua Digital 京华数码旗舰店", Platform.JD, "https://jinghua-digital.example.cn"),
    ("Lanting Apparel 兰亭服饰", Platform.TAOBAO, "https://lanting.example.cn"),
    ("Xiaoman Home 小满家居", Platform.PINDUODUO, "https://xiaoman-home.example.cn"),
    ("Chuncheng Fresh 春城生鲜", Platform.OWN_SITE, "https://chuncheng-fresh.example.cn"),
    ("Yunfan Beauty 云帆美妆", Platform.DOUYIN, "https://yunfan-beauty.example.cn"),
]
STORIES = {
    "quality": ["收到的耳机左耳没有声音，申请更换。", "The blender's motor burnt out after two uses."],
    "returns_refunds": [
        "七天无理由退货，商家拒绝退款。",
        "Returned the coat two weeks ago, still no refund.",
    ],
    "delivery": ["订单显示已签收，但我没有收到包裹。", "Parcel arrived crushed and late by ten days."],
    "false_promotion": ["宣传买一送一，实际只发了一件。", "Advertised 'genuine leather' but it is PU."],
    "price_information": ["结算价格比页面标价高了30元。", "Price doubled between cart and checkout."],
    "invoices_receipts": ["申请开具发票一个月未处理。", "The shop refuses to issue an invoice."],
    "after_sales_repair": ["保修期内维修被收取费用。", "Repair has taken six weeks with no news."],
    "contract_fees": ["会员自动续费未提前告知。", "Charged a cancellation fee not in the terms."],
    "other": ["客服电话一直无人接听。", "Customer service never answers the chat."],
}
# How many of the complaints end in each state; open ones are recent so their deadlines still run. With the
# centre's own stories (`demo_centre.STORIES`) they make two hundred.
STATE_MIX = [
    (State.CLOSED, 44), (State.RESOLVED, 36), (State.WITHDRAWN, 12), (State.SUBMITTED, 14),
    (State.RESPONDED, 16), (State.AWAITING_CONSUMER, 10), (State.RESOLUTION_PROPOSED, 12),
    (State.DISPUTED, 10), (State.ESCALATED, 10), (State.IN_MEDIATION, 8), (State.TESTING, 4),
    (State.REFUSED, 6), (State.AGREED, 6), (State.TERMINATED, 4),
]  # fmt: skip
# The consumer disputes the shop's proposal and takes the complaint to the 12315 centre, which decides.
_AT_CENTRE = [Action.RESPOND, Action.PROPOSE_RESOLUTION, Action.DISPUTE, Action.ESCALATE]
PATHS = {
    State.SUBMITTED: [],
    State.RESPONDED: [Action.RESPOND],
    State.AWAITING_CONSUMER: [Action.RESPOND, Action.REQUEST_INFO],
    State.RESOLUTION_PROPOSED: [Action.RESPOND, Action.PROPOSE_RESOLUTION],
    State.DISPUTED: [Action.RESPOND, Action.PROPOSE_RESOLUTION, Action.DISPUTE],
    State.ESCALATED: _AT_CENTRE,
    State.IN_MEDIATION: [*_AT_CENTRE, Action.ACCEPT_CASE],
    State.TESTING: [*_AT_CENTRE, Action.ACCEPT_CASE, Action.PAUSE_FOR_TESTING],
    State.REFUSED: [*_AT_CENTRE, Action.REFUSE_CASE],
    State.AGREED: [*_AT_CENTRE, Action.ACCEPT_CASE, Action.RECORD_AGREEMENT],
    State.TERMINATED: [*_AT_CENTRE, Action.ACCEPT_CASE, Action.TERMINATE_MEDIATION],
    State.RESOLVED: [
        Action.RESPOND,
        Action.REQUEST_INFO,
        Action.PROVIDE_INFO,
        Action.PROPOSE_RESOLUTION,
        Action.ACCEPT,
    ],
    State.CLOSED: [Action.RESPOND, Action.PROPOSE_RESOLUTION, Action.ACCEPT, Action.CLOSE],
    State.WITHDRAWN: [Action.RESPOND, Action.WITHDRAW],
}
# The steps that end a demo complaint's story: they come days after receipt, not months.
FINISHING = frozenset(
    {Action.ACCEPT, Action.CLOSE, Action.WITHDRAW, Action.REFUSE_CASE, Action.RECORD_AGREEMENT,
     Action.TERMINATE_MEDIATION}
)  # fmt: skip
MESSAGES = {
    Action.RESPOND: "您好，已收到您的投诉，我们正在核实。/ We have received your complaint and are looking into it.",
    Action.REPLY: "很抱歉给您带来不便，我们将为您更换新品。/ Sorry for the faulty item: we will send you a new one.",
    Action.REQUEST_INFO: "请提供订单截图和商品照片。/ Please send a screenshot of the order and photos.",
    Action.PROVIDE_INFO: "已上传截图和照片。/ Screenshots and photos uploaded.",
    Action.PROPOSE_RESOLUTION: "我们愿意全额退款。/ We offer a full refund.",
    Action.DISPUTE: "退款金额不含运费，不接受。/ The refund leaves out shipping; not acceptable.",
    Action.ESCALATE: "请12315协助调解。/ Please ask 12315 to mediate.",
    Action.CLOSE: "调解完成，结案。/ Mediation finished; case closed.",
    Action.WITHDRAW: "问题已私下解决。/ Solved directly with the shop.",
    Action.ACCEPT: "",
    **demo_centre.STEP_MESSAGES,
}


def credit_code(n: int) -> str:
    body = f"9131010{n:01d}MA1F{n:04d}"[:17].ljust(17, "0")
    return body + check_character(body)


class Command(BaseCommand):
    help = "Load demo shops, users and complaints (idempotent). Logins use the password 'demo'."

    def handle(self, *args, **options):
        ensure_default_policy()
        # Before any complaint reaches the centre: those received from its date on follow it.
        demo_centre.rule_version(lambda text: self.stdout.write(self.style.WARNING(text)))
        with transaction.atomic():
            regulator, shops, consumers = self._people()
        # Bureaus and the shops' districts before any complaint reaches the centre: each goes to its bureau.
        districts = demo_bureaus.load(self._user, regulator, shops)
        created = self._complaints(regulator, shops, consumers)
        centre = demo_centre.load(regulator, shops, consumers)
        demo_bureaus.transfer(districts, self._user)  # a complaint passed from one district to the other
        with transaction.atomic():
            demo_obligations.load(regulator, shops)  # service info, coordinators, pledge, filings
        demo_flags.load(regulator, consumers)  # consumers filing again: flags for an officer's review
        group = demo_groups.load(regulator, shops, consumers)  # an open group complaint with members
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created + centre['complaints']} complaints, {centre['matters']} reports and "
                f"enquiries, {centre['ratings']} ratings, {centre['calls']} follow-up calls added)."
            )
        )
        self.stdout.write(
            "Demo logins (password 'demo'): regulator (city centre), officer-d1 (Huangpu district), officer-d2 "
            "(Pudong district), consumer1…consumer20, shop1-agent…shop5-agent, shop1-coordinator…shop5-coordinator"
        )
        group_page = render.absolute(reverse("web:group", args=[group.pk]))
        self.stdout.write(f"A group complaint's public page (join it as another consumer): {group_page}")
        self.stdout.write(
            "For set-up only: admin (password 'demo'), the superuser, for what no officer may do in the back "
            "office (other officers' accounts, superusers, groups and permissions)"
        )

    def _user(self, username: str, role: str, merchant=None, **extra) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "merchant": merchant, "email": f"{username}@demo.local", **extra},
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _people(self):
        # The demo officer works as every officer does, without superuser rights (the security fix that
        # stops an officer making themselves superuser); an older seed made it a superuser. `admin` is the
        # set-up superuser.
        regulator = self._user("regulator", Role.REGULATOR, first_name="Officer")
        if regulator.is_superuser:
            regulator.is_superuser = False
            regulator.save()
        self._user("admin", Role.REGULATOR, first_name="Set-up", is_superuser=True)
        shops = []
        for i, (name, platform, url) in enumerate(SHOPS, start=1):
            shop, _ = Merchant.objects.get_or_create(
                credit_code=credit_code(i), defaults={"name": name, "platform": platform, "shop_url": url}
            )
            staff = [
                self._user(f"shop{i}-agent", Role.MERCHANT_AGENT, shop),
                self._user(f"shop{i}-coordinator", Role.MERCHANT_COORDINATOR, shop),
            ]
            shops.append((shop, staff))
        consumers = [self._user(f"consumer{i}", Role.CONSUMER) for i in range(1, 21)]
        return regulator, shops, consumers

    def _complaints(self, regulator, shops, consumers) -> int:
        rng = random.Random(12315)
        now = timezone.now()
        categories = list(Category.objects.filter(is_active=True))
        states = [state for state, count in STATE_MIX for _ in range(count)]
        created = 0
        for i, target in enumerate(states):
            external_id = f"demo-{i + 1}"
            if Complaint.objects.filter(external_id=external_id).exists():
                continue
            shop, (agent, coordinator) = shops[i % len(shops)]
            consumer = consumers[rng.randrange(len(consumers))]
            category = categories[rng.randrange(len(categories))]
            terminal = target in TERMINAL_STATES
            age = timedelta(days=rng.uniform(8, 395)) if terminal else timedelta(hours=rng.uniform(0.5, 120))
            if target == State.SUBMITTED:
                age = timedelta(minutes=rng.uniform(5, 90))
            received_at = now - age
            new_complaint = services.NewComplaint(
                merchant=shop,
                category=category,
                kind=category.complaint_kind,
                channel=rng.choice([Channel.WEB, Channel.WEB, Channel.HOTLINE]),
                sector="online_shopping",
                order_number=f"{shop.pk:02d}{rng.randrange(10**10):010d}",
                amount=Decimal(rng.randrange(1500, 500000)) / 100,
                order_date=(received_at - timedelta(days=rng.randrange(1, 30))).date(),
                wanted_outcome=rng.choice(list(WantedOutcome)),
                description=rng.choice(STORIES[category.code]),
                publish_consent=i % 3 != 0,  # two in three let the open data publish their story
                received_at=received_at,
                external_id=external_id,
            )
            with transaction.atomic():
                complaint = services.file_complaint(consumer, new_complaint)
                self._walk(complaint, PATHS[target], received_at, now, rng, consumer, agent, regulator, i)
            created += 1
        return created

    def _walk(self, complaint, actions, received_at, now, rng, consumer, agent, regulator, index):
        """Take the actions at plausible, increasing times: most shops answer within hours (some late);
        an open complaint's later steps spread over the time left until now, a finished one's over about
        a month at most (most within the 7 working days of the resolution rule, some late), not over the
        months until today. A quality issue's first answer is the reply, as the complaint page offers it.
        `index`, the complaint's place in the demo, takes the centre's grounds in turn (`demo_centre.details`)."""
        if not actions:
            return
        first_answer = received_at + timedelta(hours=rng.choice([0.3, 0.8, 1.2, 1.7, 3, 6, 10, 15, 30]))
        at = min(first_answer, received_at + (now - received_at) / 2)
        end = now
        if actions[-1] in FINISHING:
            end = min(now, at + timedelta(days=rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 20, 30])))
        span = (end - at) / len(actions)
        if complaint.kind == Kind.QUALITY_ISSUE:
            actions = [Action.REPLY if a == Action.RESPOND else a for a in actions]
        for position, action in enumerate(actions):
            if position:
                at = at + span * rng.uniform(0.3, 1.0)
            actor = {"consumer": consumer, "merchant": agent, "regulator": regulator}[_who(action)]
            resolution = (
                {"type": "refund", "details": "全额退款 / full refund"}
                if action == Action.PROPOSE_RESOLUTION
                else None
            )
            details = demo_centre.details(action, complaint, index, rng)
            services.perform(
                complaint.pk, actor, action, MESSAGES[action], resolution, at=at, details=details
            )


def _who(action: str) -> str:
    if action in (Action.PROVIDE_INFO, Action.ACCEPT, Action.DISPUTE, Action.WITHDRAW, Action.ESCALATE):
        return "consumer"
    if action == Action.CLOSE or action in demo_centre.STEP_MESSAGES:
        return "regulator"
    return "merchant"
