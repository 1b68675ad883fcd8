"""The 12315 centre's procedure in a real browser, in Chinese (zh-Hans: the browsers ask for zh-CN): an officer
finds an escalated complaint on top of the centre's queue with its acceptance countdown, accepts it, pauses
the mediation for testing and resumes it, and records the agreement after its dialog; the consumer finds the
centre's letter on her complaint, reads it, and rates the handling.

Run with SCREENSHOTS=1 to also write the centre's pictures of docs/centre.md (docs/screenshots/centre-*.png)
from this journey and from the demo data."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaintdesk.centre.models import Matter, Notice, Rating
from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, DeadlineStatus
from complaintdesk.web.tests.browser_kit import MARKS, SCREENSHOTS, expect

pytestmark = MARKS
CHINESE = "zh-CN"
TAKE_PICTURES = bool(os.environ.get("SCREENSHOTS"))


def shot(page, name: str, part: str = "") -> None:
    """docs/screenshots/<name>.png of the whole page, or of the element `part` selects."""
    if TAKE_PICTURES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_load_state("networkidle")
        path = str(SCREENSHOTS / f"{name}.png")
        if part:
            page.locator(part).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def log_in(page, username: str, password: str) -> None:
    """The Chinese login form."""
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_contain_text(username)


def step(page, action: str, message: str | None = None, **fields) -> None:
    """Open a step of the complaint page by its id, fill it and send it."""
    box = page.locator(f"#action-{action}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    if message is not None:
        box.locator(f"[name='{action}-message']").fill(message)
    for name, value in fields.items():
        box.locator(f"[name='{action}-{name}']").fill(value)
    box.locator(f"button[name='submit-{action}']").click()


def test_an_officer_accepts_mediates_and_records_an_agreement_and_the_consumer_rates_it(people, open_page):
    # Alice, who reads Chinese (her notices' language), disputed Acme's offer and asked the centre to mediate
    # an hour ago.
    people.alice.language = "zh-hans"
    people.alice.save(update_fields=["language"])
    complaint = factories.complaint(
        people.alice, people.acme, description="耳机左耳没有声音，商家只肯补偿优惠券。"
    )
    now = timezone.now()
    services.perform(complaint.pk, people.bob, "respond", "已收到，正在核实。", at=now - timedelta(hours=3))
    services.perform(complaint.pk, people.bob, "propose_resolution", "补偿 20 元优惠券。",
                     {"type": "voucher", "details": "20 元优惠券"}, at=now - timedelta(hours=2))  # fmt: skip
    services.perform(
        complaint.pk, people.alice, "dispute", "优惠券不能解决问题。", at=now - timedelta(hours=1, minutes=5)
    )
    services.perform(complaint.pk, people.alice, "escalate", "请12315中心调解。", at=now - timedelta(hours=1))

    # 1. Rita opens the centre's queue from the menu: the complaint is on top, its acceptance decision counting
    #    down live (the script's "6 天 … 后到期" replaces the server's words).
    rita = open_page(locale=CHINESE)
    log_in(rita, "rita", "pw-rita")
    rita.locator("header nav").get_by_role("link", name="中心待办", exact=True).click()
    expect(rita.get_by_role("heading", level=1)).to_have_text("中心待办")
    first = rita.locator("#centre-queue tbody tr").first
    expect(first).to_contain_text(complaint.reference)
    expect(first).to_contain_text("受理决定")
    expect(first.locator("[data-countdown]")).to_have_class(re.compile(r"\btone-ok\b"))
    shot(rita, "centre-queue-zh")
    first.get_by_role("link", name=complaint.reference).click()

    # 2. She accepts it: the page's open step. Mediation runs, its 45 working days counting.
    expect(rita.locator("#action-accept_case")).to_have_attribute("open", "")
    expect(rita.locator("#centre-duties")).to_contain_text("受理决定")
    shot(rita, "centre-complaint-zh")
    step(rita, "accept_case", "12315中心受理，已电话联系双方。")
    expect(rita.locator("#complaint-state")).to_have_text("调解中")
    mediation = rita.locator("#centre-duties [data-phase='mediation']")
    expect(mediation.locator("[data-countdown]")).to_be_visible()

    # 3. The headphones go to a lab: the mediation clock stops, then runs again with its end moved.
    step(rita, "pause_for_testing", "耳机送检，检测期间调解期限中止。")
    expect(rita.locator("#complaint-state")).to_have_text("检测鉴定中，调解暂停")
    expect(mediation.locator(".deadline")).to_have_class(re.compile(r"\btone-paused\b"))
    step(rita, "resume_after_testing", "检测报告确认左耳单元损坏。")
    expect(rita.locator("#complaint-state")).to_have_text("调解中")
    expect(mediation.locator("[data-countdown]")).to_be_visible()

    # 4. The parties agree: terms and money, asked about once in a dialog before anything changes.
    step(rita, "record_agreement", terms="商家退还货款199元及运费12元。", amount_recovered="211.00")
    dialog = rita.get_by_role("dialog")
    expect(dialog).to_contain_text("登记此调解协议？")
    expect(rita.locator("#complaint-state")).to_have_text("调解中")
    dialog.get_by_role("button", name="是，登记调解协议").click()
    expect(rita.locator("#complaint-state")).to_have_text("调解协议")
    expect(rita.locator("#centre-amount")).to_have_text("¥211.00")
    complaint.refresh_from_db()
    assert complaint.state == "agreed" and complaint.centre_case.amount_recovered == Decimal("211.00")
    # The mediation duty is met, and the acceptance before it; the rating window is nobody's duty.
    duties = {d.phase: d for d in Deadline.objects.filter(complaint=complaint)}
    assert duties["acceptance"].status == duties["mediation"].status == DeadlineStatus.MET
    assert duties["rating"].next_check_at is None
    # The queue has nothing left of it.
    rita.goto(rita.base + "/console/queue/")
    expect(rita.locator("#centre-queue")).not_to_contain_text(complaint.reference)

    # 5. Alice reads the centre's letters on her complaint, in Chinese, and the agreement's.
    alice = open_page(locale=CHINESE)
    log_in(alice, "alice", "pw-alice")
    alice.goto(alice.base + f"/complaints/{complaint.pk}/")
    expect(alice.locator("#complaint-state")).to_have_text("调解协议")
    letters = alice.locator("section.letters")
    expect(letters).to_contain_text("12315投诉中心的告知书")
    agreement = Notice.objects.get(complaint=complaint, kind="agreement", recipient="consumer")
    assert agreement.language == "zh-hans"
    letters.get_by_role("link", name=agreement.title).click()
    expect(alice.locator("body")).to_contain_text("211.00")
    expect(alice.locator("body")).to_contain_text("市消费者权益保护中心")
    shot(alice, "centre-letter-zh")
    alice.go_back()

    # 6. She rates the handling: 5 of 5, with a comment; the page shows her rating and she may change it.
    rating = alice.locator("#rating")
    expect(rating).to_contain_text("您的评价")
    rating.locator("input[name='score'][value='5']").check()
    rating.locator("textarea[name='comment']").fill("调解很及时，谢谢！")
    shot(alice, "centre-rating-zh")
    rating.get_by_role("button", name="提交评价").click()
    expect(alice.locator("#rating")).to_contain_text("调解很及时，谢谢！")
    saved = Rating.objects.get(complaint=complaint)
    assert (saved.score, saved.comment) == (5, "调解很及时，谢谢！")

    # The officer reads it on the complaint page.
    rita.goto(rita.base + f"/complaints/{complaint.pk}/")
    expect(rita.locator("#rating")).to_contain_text("调解很及时，谢谢！")


@pytest.mark.skipif(not TAKE_PICTURES, reason="set SCREENSHOTS=1 to write docs/screenshots/")
def test_screenshots_of_the_centres_pages(people, open_page):
    """The centre's pages on the demo data, in English, for docs/centre.md."""
    call_command("seed_demo", verbosity=0)
    officer = open_page()
    officer.goto(officer.base + "/accounts/login/")
    officer.get_by_label("Username").fill("regulator")
    officer.get_by_label("Password").fill("demo")
    officer.get_by_role("button", name="Log in").click()
    officer.goto(officer.base + "/console/queue/")
    shot(officer, "centre-queue")
    officer.goto(officer.base + "/console/queue/?overdue=1")
    shot(officer, "centre-queue-overdue")
    waiting = Complaint.objects.get(external_id="demo-centre-6")  # mediation ended, notice to send
    officer.goto(officer.base + f"/complaints/{waiting.pk}/")
    shot(officer, "centre-termination-notice")
    testing = Complaint.objects.filter(state="testing").order_by("pk").first()
    officer.goto(officer.base + f"/complaints/{testing.pk}/")
    shot(officer, "centre-testing")
    report = Matter.objects.filter(kind="report", state="received").order_by("pk").first()
    officer.goto(officer.base + f"/console/matters/{report.pk}/")
    shot(officer, "centre-report")
    officer.goto(officer.base + "/console/follow-up/")
    shot(officer, "centre-follow-up")
    officer.goto(officer.base + "/console/")
    shot(officer, "centre-dashboard", part="#centre")
