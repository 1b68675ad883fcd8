"""Accessibility in a real browser. axe-core finds nothing serious or critical, and no content outside a
landmark, on any page the browser tests visit, in English and in Chinese; <html lang> is the page's
language; a consumer files a complaint, answers the shop's question and accepts its proposal with the
keyboard alone, seeing at every stop where the focus is; every chart can be read as a table.

axe-core comes bundled with axe-playwright-python and runs inside the page: nothing is fetched."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts.models import Alert
from complaintdesk.centre.models import Flag, Matter, Notice, Recipient
from complaintdesk.complaints import groups, services
from complaintdesk.complaints.models import Complaint, ComplaintGroup, State
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants.models import Merchant
from complaintdesk.notify import mailfiles
from complaintdesk.ops.management.commands.worker import run_once
from complaintdesk.promotions.models import Promotion
from complaintdesk.web.tests.browser_kit import MARKS, PNG, expect

pytestmark = MARKS

AXE = Axe()
# axe's two worst impacts keep someone from a page's content or controls (a control without a name, text
# too faint to read, a page in the wrong language for a screen reader); the landmark rules are moderate in
# axe's terms, but without them a screen reader cannot jump between the header, the navigation and the page.
BLOCKING_IMPACTS = {"serious", "critical"}
LANDMARK_RULES = re.compile(r"^(region|landmark-.*|page-has-heading-one)$")
# <html lang> for each browser language: Django's zh-hans written as BCP 47.
LANGUAGES = {"en-GB": "en", "zh-CN": "zh-Hans"}
DEMO_PASSWORD = "demo"


def blocking_violations(page) -> list[str]:
    """axe's blocking findings on the page as it is now: one line per rule, naming up to five elements."""
    found = []
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS or LANDMARK_RULES.match(violation["id"]):
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']}: {targets}")
    return found


class Walk:
    """One person's pages in one language; every finding is kept so that one run reports them all."""

    def __init__(self, page, lang, findings):
        self.page, self.lang, self.findings = page, lang, findings

    def check(self, name):
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        self.findings.extend(f"{name} [{self.lang}]: {line}" for line in blocking_violations(self.page))

    def visit(self, path, name=None, status=200) -> bool:
        response = self.page.goto(self.page.base + path)
        if response.status != status:
            self.findings.append(f"{name or path} [{self.lang}]: HTTP {response.status}")
            return False
        self.check(name or path)
        return True


def log_in_by_keyboard(page, username, password, succeeds=True):
    """Signs in, in any language, typing as a keyboard user does."""
    page.goto(page.base + "/accounts/login/")
    page.locator("#id_username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    if succeeds:
        # Waits for the next page's load too: its stylesheet draws the focus rings looked at later.
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    else:
        expect(page.get_by_role("alert")).to_be_visible()


def demo_world(settings, tmp_path):
    """The demo data as `make run` shows it after the worker's first pass: alerts raised, notices delivered
    to the bell and written to mail files (so the console's mail page is there)."""
    settings.EMAIL_BACKEND = mailfiles.BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    call_command("seed_demo", verbosity=0)
    run_once()


def first(state, **filters) -> Complaint:
    return Complaint.objects.filter(state=state, **filters).order_by("pk").first()


def staff_login(complaint, role) -> str:
    """seed_demo's shops are shop1…shop5 in the order it created them, each with an agent and a coordinator."""
    shops = list(Merchant.objects.order_by("pk").values_list("pk", flat=True))
    return f"shop{shops.index(complaint.merchant_id) + 1}-{role}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_no_page_has_a_serious_or_critical_accessibility_violation(open_page, settings, tmp_path, locale):
    demo_world(settings, tmp_path)
    findings: list[str] = []

    def walk(username=None, **options):
        page = open_page(locale=locale, **options)
        if username:
            log_in_by_keyboard(page, username, DEMO_PASSWORD)
        return Walk(page, LANGUAGES[locale], findings)

    # Anyone: the public pages, signing up, and a refused sign-in.
    anyone = walk()
    shop = Merchant.objects.order_by("pk").first()
    for path in ("/", "/start/", "/shops/", "/scorecards/", f"/shops/{shop.pk}/", "/report/", "/enquiry/",
                 "/accounts/login/", "/signup/"):  # fmt: skip
        anyone.visit(path)
    log_in_by_keyboard(anyone.page, "nobody", "wrong", succeeds=False)
    anyone.check("refused sign-in")

    # A consumer: the list, the filing form (empty and refused), a question to answer, a proposal to accept
    # with its confirmation dialog open.
    asked = first(State.AWAITING_CONSUMER)
    consumer = walk(asked.consumer.username)
    consumer.visit("/my/complaints/")
    consumer.visit("/my/complaints/new/")
    consumer.page.locator("main form.stack button[type=submit]").click()
    expect(consumer.page.locator("#form-errors")).to_be_visible()
    consumer.check("filing form with its errors")
    consumer.visit(f"/complaints/{asked.pk}/", "complaint awaiting the consumer's answer")
    consumer.visit("/notifications/")
    proposed = first(State.RESOLUTION_PROPOSED)
    consumer = walk(proposed.consumer.username)
    consumer.visit(f"/complaints/{proposed.pk}/", "complaint with a proposal")
    consumer.page.locator("#action-accept summary").click()
    consumer.page.locator("#action-accept button[name=submit-accept]").click()
    expect(consumer.page.get_by_role("dialog")).to_be_visible()
    consumer.check("the dialog asking to confirm an acceptance")

    # A shop: the queue's views, a new complaint, the shop's page, its promotion filings, a missing page.
    new = first(State.SUBMITTED)
    agent = walk(staff_login(new, "agent"))
    for path in ("/workbench/", "/workbench/?view=escalations", "/workbench/?view=finished",
                 f"/complaints/{new.pk}/", "/workbench/shop/", "/workbench/promotions/",
                 "/workbench/promotions/new/", "/notifications/"):  # fmt: skip
        agent.visit(path)
    filing = Promotion.objects.filter(merchant=new.merchant).order_by("pk").first()
    if filing:
        agent.visit(f"/promotions/{filing.pk}/")
    agent.visit("/complaints/999999/", "a missing complaint", status=404)
    walk(staff_login(new, "coordinator")).visit("/workbench/shop/", "the shop's page for its coordinator")

    # The regulator's console.
    escalated = first(State.ESCALATED)
    officer = walk("regulator")
    if officer.visit("/console/"):
        for summary in officer.page.locator("details.data-tables summary").all():  # the shops', the centre's
            summary.click()
        officer.check("the dashboard with its tables open")
    for path in ("/console/escalations/", "/console/complaints/", "/console/alerts/?state=all",
                 "/console/filings/?state=all", "/console/scorecards/", "/console/pledge/",
                 "/console/calendar/", "/console/mail/", "/notifications/",
                 f"/console/shops/{escalated.merchant_id}/", f"/complaints/{escalated.pk}/"):  # fmt: skip
        officer.visit(path)
    # Flags for review: the list, and the demo's flagged complaints (one flag open, its form open; one cleared).
    officer.visit("/console/flags/")
    flagged = Flag.objects.order_by("pk")[:2]
    if len(flagged) < 2:
        findings.append("the demo has no open and cleared flags for review")
    for flag in flagged:
        if officer.visit(f"/complaints/{flag.complaint_id}/", "a complaint with a flag for review"):
            for summary in officer.page.locator("#flags details summary").all():
                summary.click()
            officer.check("a complaint's flag with its clearing form open")
    alert = Alert.objects.order_by("pk").first()
    if alert:
        officer.visit(f"/console/alerts/{alert.pk}/")
    if filing:
        officer.visit(f"/promotions/{filing.pk}/", "a filing for the regulator's review")

    # The 12315 centre's pages: its queue, reports and enquiries, follow-up calls, a letter, a mail written
    # to a file, and a complaint at each stage of the centre's case with every step's form opened.
    for path in ("/console/queue/", "/console/matters/", "/console/follow-up/"):
        officer.visit(path)
    officer.visit(f"/console/matters/{Matter.objects.order_by('pk').first().pk}/", "a report or an enquiry")
    letter = Notice.objects.filter(complaint__isnull=False).order_by("pk").first()
    officer.visit(f"/letters/{letter.pk}/", "a letter of the centre")
    officer.visit(f"/console/mail/{mailfiles.names()[0]}/", "a mail message")
    for state in (State.ESCALATED, State.IN_MEDIATION, State.TESTING, State.AGREED, State.TERMINATED):
        at_centre = first(state, centre_case__isnull=False) or first(state)
        if at_centre is None:
            findings.append(f"the demo has no complaint {state} at the centre")
            continue
        name = f"a complaint {state} at the centre, its steps open"
        if officer.visit(f"/complaints/{at_centre.pk}/", name):
            officer.page.locator("main details").evaluate_all("all => all.forEach(d => { d.open = true; })")
            officer.check(name)
    # The consumer's letter, as the consumer reads it.
    to_consumer = (
        Notice.objects.filter(recipient=Recipient.CONSUMER, complaint__consumer__isnull=False)
        .order_by("pk")
        .first()
    )
    walk(to_consumer.complaint.consumer.username).visit(
        f"/letters/{to_consumer.pk}/", "a letter to a consumer"
    )

    # A group complaint: its public page for anyone, the join form (refused once) for a consumer who is not a
    # member, the console's and the workbench's pages of it. The demo's group, else one opened here.
    group = ComplaintGroup.objects.order_by("pk").first() or groups.open_group(
        User.objects.get(username="regulator"),
        product="PowerMax 20000",
        problem="The power bank swells after a few days of charging.",
        complaints=[first(State.SUBMITTED)],
    )
    anyone.visit(f"/groups/{group.pk}/", "a group complaint's public page")
    outsider = User.objects.filter(role=Role.CONSUMER).exclude(complaints__group=group).order_by("pk").first()
    joiner = walk(outsider.username)
    if joiner.visit(f"/groups/{group.pk}/join/", "the form joining a group"):
        joiner.page.locator("main form.stack button[type=submit]").click()
        expect(joiner.page.locator("#form-errors")).to_be_visible()
        joiner.check("the form joining a group with its errors")
    for path in ("/console/groups/", f"/console/groups/{group.pk}/"):
        officer.visit(path)
    shop_staff = walk(staff_login(group.members.order_by("pk").first(), "agent"))
    for path in ("/workbench/groups/", f"/workbench/groups/{group.pk}/"):
        shop_staff.visit(path)

    # A phone: the header folds into a menu.
    walk("regulator", width=390, height=844).visit("/console/escalations/", "the console on a phone")
    walk(asked.consumer.username, width=390, height=844).visit("/my/complaints/new/", "the form on a phone")

    assert not findings, "\n".join(findings)


# The keyboard alone -------------------------------------------------------------------------------------

# After the page's last control, Tab leaves for the browser's own (the body is then the active element).
SHOWS_FOCUS = """() => {
  const el = document.activeElement;
  if (el === document.body) return {ring: true, seen: true, what: "the browser"};
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  return {ring, seen: box.width > 0 && box.height > 0,
          what: el.tagName.toLowerCase() + " " + (el.id || el.name || el.textContent.trim().slice(0, 30))};
}"""


def tab_to(page, target, limit=150):
    """Presses Tab until `target` has the focus; every element on the way must show that it has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(SHOWS_FOCUS)
        assert focus["ring"] and focus["seen"], f"no visible focus on {focus}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


# Chromium orders a date field's parts by its own interface language, not the page's locale: a date whose
# day and month are the same number is typed the same way in either order.
ORDER_DATE = date(2026, 10, 10)


def test_a_consumer_files_answers_and_accepts_with_the_keyboard_alone(people, open_page):
    alice = open_page(locale="en-GB")
    # Playwright asks Chromium to hand file choosers to the test only once someone listens, without waiting
    # for the answer: listening from the start, the chooser that Space opens below is never missed.
    alice.on("filechooser", lambda chooser: None)
    log_in_by_keyboard(alice, "alice", "pw-alice")

    # 1. Filing: from the header's link through every field, in the order a Tab reaches them.
    tab_to(alice, alice.get_by_role("link", name="File a complaint").first)
    alice.keyboard.press("Enter")
    alice.wait_for_url("**/my/complaints/new/")
    expect(alice.get_by_role("heading", level=1)).to_have_text("File a complaint")
    form = alice.locator("main form")
    tab_to(alice, form.get_by_label("Shop"))
    alice.keyboard.type("Acme")  # the shop is typed; the server finds it by its name
    expect(form.get_by_label("Shop")).to_have_value("Acme")
    tab_to(alice, form.get_by_label("Order number"))
    alice.keyboard.type("JD-2002")
    tab_to(alice, form.get_by_label("Order date"))
    alice.keyboard.type(ORDER_DATE.strftime("%d%m%Y"))
    expect(form.get_by_label("Order date")).to_have_value(ORDER_DATE.isoformat())
    tab_to(alice, form.get_by_label("Amount paid (CNY)"))
    alice.keyboard.type("59.90")
    tab_to(alice, form.get_by_label("What went wrong"))
    alice.keyboard.type("Delivery")
    expect(form.get_by_label("What went wrong")).to_have_value("delivery")
    tab_to(alice, form.get_by_role("textbox", name="What happened"))
    alice.keyboard.type("The parcel was left outside in the rain.")
    tab_to(alice, form.get_by_label("What you want"))
    alice.keyboard.type("Refund")
    expect(form.get_by_label("What you want")).to_have_value("refund")
    tab_to(alice, form.get_by_label("Evidence"))
    with alice.expect_file_chooser() as chooser:
        alice.keyboard.press("Space")
    chooser.value.set_files(files=[{"name": "parcel.png", "mimeType": "image/png", "buffer": PNG}])
    tab_to(alice, form.get_by_role("button", name="Send the complaint"))
    alice.keyboard.press("Enter")
    expect(alice.locator("#complaint-state")).to_have_text("Submitted")
    complaint = Complaint.objects.get(consumer=people.alice)
    assert complaint.merchant == people.acme and complaint.category.code == "delivery"
    assert complaint.order_number == "JD-2002"
    assert complaint.evidence.count() == 1

    # 2. The shop asks a question; Alice answers in the box her page opens at.
    services.perform(complaint.pk, people.bob, "respond", "We are looking into it.")
    services.perform(complaint.pk, people.bob, "request_info", "Which door was it left at?")
    alice.reload()
    answer = alice.locator("#action-provide_info")
    expect(answer).to_contain_text("Which door was it left at?")
    tab_to(alice, answer.get_by_role("textbox").first)
    alice.keyboard.type("The back door, by the garden.")
    tab_to(alice, answer.get_by_role("button", name="Provide information"))
    alice.keyboard.press("Enter")
    expect(alice.locator("#complaint-state")).to_have_text("Responded")
    expect(alice.locator(".timeline")).to_contain_text("The back door, by the garden.")

    # 3. The shop proposes a refund; Alice opens the acceptance, sends it and says yes in the dialog.
    services.perform(
        complaint.pk, people.bob, "propose_resolution", "We refund you.",
        resolution={"type": "refund", "details": "59.90 CNY to your card"},
    )  # fmt: skip
    alice.reload()
    accept = alice.locator("#action-accept")
    tab_to(alice, accept.locator("summary"))
    alice.keyboard.press("Enter")
    expect(accept).to_have_attribute("open", "")
    tab_to(alice, accept.get_by_role("button", name="Accept the proposal"))
    alice.keyboard.press("Enter")
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The dialog starts on "No, go back", so a stray Enter undoes nothing; the "yes" is one step back.
    expect(dialog.get_by_role("button", name="No, go back")).to_be_focused()
    alice.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Yes, accept the proposal")).to_be_focused()
    alice.keyboard.press("Enter")
    expect(alice.locator("#complaint-state")).to_have_text("Resolved")
    complaint.refresh_from_db()
    assert complaint.state == State.RESOLVED


# Charts ----------------------------------------------------------------------------------------------------


def test_every_chart_on_the_dashboard_can_be_read_as_a_table(people, open_page):
    factories.complaint(people.alice, people.acme)
    officer = open_page(locale="en-GB")
    log_in_by_keyboard(officer, "rita", "pw-rita")
    charts = officer.locator("figure.chart")
    expect(charts.first).to_be_visible()
    tables = officer.locator("details.data-tables")
    assert charts.count() == 12  # the shops' six and the 12315 centre's six
    for chart in charts.all():
        tables.evaluate_all("all => all.forEach(details => { details.open = false; })")
        link = chart.get_by_role("link", name="View as table")
        tab_to(officer, link)
        officer.keyboard.press("Enter")
        table = officer.locator(link.get_attribute("href"))
        # Following the link opens the closed tables and shows this one, with its column headings.
        expect(table).to_be_visible()
        expect(table.locator("thead th").first).to_be_visible()
        expect(table.locator("tbody tr").first).to_be_visible()
