"""Demo shop obligations for `seed_demo`: published service information, coordinators, pledge signatures and
promotion filings, chosen so the regulator's compliance list and filings queue have something to show.
Idempotent: each step is skipped when its result exists."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.promotions import services as promotions
from complaintdesk.promotions.models import FilingAction, Promotion

# Shops 1–4 publish their contacts; shop 5 has not yet (non-compliant).
SERVICE_INFO = {
    1: ("400-820-1001", "service@jinghua-digital.example.cn", "上海市浦东新区张江路100号 退货中心"),
    2: ("400-820-1002", "kefu@lanting.example.cn", "杭州市余杭区文一西路200号 兰亭服饰售后"),
    3: ("021-6123 4503", "", "上海市闵行区莘庄工业区300号 小满家居仓"),
    4: ("400-820-1004", "help@chuncheng-fresh.example.cn", ""),
}
# Shops 3 and 5 have not signed the pledge yet.
SIGNED = (1, 2, 4)
# (shop, name, type, starts in days, lasts days, peak-hour orders, staff, review: accept/return/None)
FILINGS = [
    (1, "Year-end mega sale 年终大促", "other", 30, 7, 6000, 12, FilingAction.ACCEPT),
    (2, "Anniversary sale 周年庆", "anniversary", 20, 3, 40000, 4, FilingAction.RETURN),
    (3, "Flash sale 限时闪购", "other", 2, 1, 3000, 6, None),  # two days ahead: late
    (4, "New-year goods festival 年货节", "other", 15, 10, 2500, 5, None),
]
REVIEW_COMMENTS = {
    FilingAction.ACCEPT: "应急预案完整，人员配置达标。/ Plan complete, staffing meets the target.",
    FilingAction.RETURN: "高峰时段人员不足，请增加客服并重新提交。/ Too few agents for the peak hour; add staff and resubmit.",
}


def load(regulator, shops) -> None:
    """`shops` is seed_demo's list of (shop, [agent, coordinator]), shop N at index N − 1."""
    now = timezone.now()
    for n, (shop, (_agent, coordinator)) in enumerate(shops, start=1):
        if profile.current_coordinator(shop) is None:
            profile.designate_coordinator(shop.pk, regulator, coordinator.pk, f"138 0013 80{n:02d}")
        if n in SERVICE_INFO and shop.service_info_published_at is None:
            phone, email, returns = SERVICE_INFO[n]
            changes = {"service_phone": phone, "service_email": email, "returns_address": returns}
            if shop.shop_url:
                changes["service_chat_url"] = f"{shop.shop_url}/chat"
            coordinator.refresh_from_db()
            profile.publish_service_info(shop.pk, coordinator, changes)
    current = pledges.current_version()
    for n in SIGNED:
        shop, (_, coordinator) = shops[n - 1]
        if current and not PledgeSignature.objects.filter(version=current, merchant=shop).exists():
            coordinator.refresh_from_db()
            pledges.sign(current.pk, coordinator, "127.0.0.1")
    for n, name, kind, starts_in, days, peak, staff, review in FILINGS:
        shop, (agent, _) = shops[n - 1]
        if Promotion.objects.filter(merchant=shop, name=name).exists():
            continue
        starts_at = (now + timedelta(days=starts_in)).replace(minute=0, second=0, microsecond=0)
        data = promotions.FilingData(
            name=name,
            type=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=days),
            expected_orders=peak * 40 * days,
            peak_hour_orders=peak,
            staff_per_shift=staff,
            avg_handling_minutes=Decimal("6.5"),
            emergency_plan="高峰时段增派客服，设置投诉绿色通道，值班经理30分钟内响应升级。\n"
            "Extra agents at the peak, a fast lane for complaints, duty manager answers escalations in 30 min.",
            contacts=[
                {"name": f"值班经理 Duty manager {n}", "phone": f"400-820-10{n:02d}", "role": "duty manager"}
            ],
        )
        agent.refresh_from_db()
        promotion = promotions.file(agent, data)
        if review:
            promotions.review(promotion.pk, regulator, review, REVIEW_COMMENTS[review])
