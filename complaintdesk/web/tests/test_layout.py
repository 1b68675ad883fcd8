"""The layout, measured in a real browser: a long shop name beside a bar fits the chart (wrapped, cut with
"…" at most, whole in the bar's tooltip and the table); the history of a shop's published information has
the page's width and shows its last column; the promotion form's date-time fields are as big as its other
fields; on a 390 x 844 phone the header folds its navigation into a menu (a <details>, so without
JavaScript too), takes under a fifth of the screen and has one language control; the complaint page puts
the deadlines before the actions on a phone and beside them on a desktop, as before.

Run with SCREENSHOTS=1 to also write the phone pictures to docs/screenshots/."""

import os

import pytest
from django.core.management import call_command

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant
from complaintdesk.web.tests.browser_kit import MARKS, SCREENSHOTS, expect, log_in
from conftest import credit_code

pytestmark = MARKS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_NAME = "Jinghua Digital 京华数码旗舰店 Official Consumer Electronics and Home Appliances Flagship Store"

# Each name Chart.js draws beside the bars of a chart: its lines, and where the widest line starts on the
# canvas (Chart.js right-aligns them against the axis; a line starting left of 0 is cut off).
DRAWN_NAMES = """(id) => {
  const chart = Chart.getChart(document.getElementById(id)), ctx = chart.ctx;
  return chart.scales.y.getLabelItems().map((item, i) => {
    const lines = [].concat(item.label);
    ctx.save();
    ctx.font = item.font.string;
    const width = Math.max(...lines.map((line) => ctx.measureText(line).width));
    ctx.restore();
    const x = item.options.translation[0], align = item.options.textAlign;
    const left = align === "right" ? x - width : align === "center" ? x - width / 2 : x;
    return {lines, left, name: chart.data.labels[i]};
  });
}"""
TOOLTIP_TITLE = """([id, index]) => {
  const chart = Chart.getChart(document.getElementById(id));
  chart.tooltip.setActiveElements([{datasetIndex: 0, index}], {x: 0, y: 0});
  chart.update();
  return chart.tooltip.title;
}"""


def sign_in(page, username):
    """log_in, but in any language: the fields by their ids."""
    page.goto(page.base + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-" + username)
    page.locator("#id_password").press("Enter")
    expect(page.locator(".who")).to_contain_text(username)


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} is not displayed"
    return found


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_long_shop_name_beside_a_bar_fits_and_is_whole_in_the_tooltip(people, open_page, screen):
    jinghua = Merchant.objects.create(name=LONG_NAME, credit_code=credit_code(3))
    for _ in range(3):
        factories.complaint(people.alice, jinghua)
    factories.complaint(people.alice, people.acme)
    page = open_page(**screen)
    log_in(page, "rita", "pw-rita")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-top-shops'))")

    drawn = page.evaluate(DRAWN_NAMES, "chart-top-shops")

    assert [d["name"] for d in drawn] == [LONG_NAME, "Acme Online"]
    for d in drawn:
        assert d["left"] >= 0, f"{d['lines']} starts {-d['left']:.0f}px left of the canvas"
        shown = "".join(d["lines"]).removesuffix("…").replace(" ", "")
        assert d["name"].replace(" ", "").startswith(shown), d
    long, short = drawn
    assert len(long["lines"]) == 2 and long["lines"][0].startswith("Jinghua Digital")
    assert long["lines"][1].endswith("…")
    assert short["lines"] == ["Acme Online"]
    assert page.evaluate(TOOLTIP_TITLE, ["chart-top-shops", 0]) == [LONG_NAME]
    expect(page.locator("#table-shops tbody tr").first.locator("td").first).to_have_text(LONG_NAME)


def _published_twice(people):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    profile.publish_service_info(
        people.acme.pk, people.carol,
        {"service_phone": "400-820-1001", "service_email": "service@acme-online-flagship.example.cn"},
    )  # fmt: skip
    profile.publish_service_info(
        people.acme.pk, people.carol,
        {"service_chat_url": "https://acme-online-flagship.example.cn/customer-service/chat",
         "returns_address": "上海市浦东新区张江路100号 退货中心"},
    )  # fmt: skip


def test_the_history_of_the_published_information_has_room_for_its_last_column(people, open_page):
    _published_twice(people)
    page = open_page(**DESKTOP)
    log_in(page, "carol", "pw-carol")
    page.goto(page.base + "/workbench/shop/")
    card = page.locator("section", has=page.locator("#h-revisions"))
    wrap = card.locator(".table-wrap")
    last = page.locator("#service-info-history thead th").last
    expect(last).to_have_text("Published contacts")

    assert box(card)["width"] >= box(page.locator("main h1"))["width"] - 1  # the page's width, not a third
    assert box(last)["x"] + box(last)["width"] <= box(wrap)["x"] + box(wrap)["width"] + 0.5
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table is cut off on the right"

    # On a phone each row is a card of labelled lines, all inside the page.
    phone = open_page(**PHONE)
    log_in(phone, "carol", "pw-carol")
    phone.goto(phone.base + "/workbench/shop/")
    card = phone.locator("section", has=phone.locator("#h-revisions"))
    for cell in phone.locator("#service-info-history tbody td").all():
        assert box(cell)["x"] + box(cell)["width"] <= box(card)["x"] + box(card)["width"] + 0.5
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_promotion_forms_date_time_fields_are_as_big_as_the_others(people, open_page):
    page = open_page(**DESKTOP)
    log_in(page, "bob", "pw-bob")
    page.goto(page.base + "/workbench/promotions/new/")
    text_in_a_row, text_alone = box(page.locator("#id_contact_name")), box(page.locator("#id_name"))

    for name in ("starts_at", "ends_at"):
        field = page.locator(f"#id_{name}")
        expect(field).to_have_attribute("type", "datetime-local")
        size = box(field)
        assert abs(size["width"] - text_in_a_row["width"]) <= 1, (name, size, text_in_a_row)
        assert abs(size["height"] - text_alone["height"]) <= 1, (name, size, text_alone)


NAV_LINKS = {
    None: ["Shop directory", "Scorecards"],
    "alice": ["My complaints", "File a complaint", "Shop directory"],
    "bob": ["Queue", "Promotions", "Our shop", "Shop directory"],
    "rita": ["Dashboard", "Queue", "Complaints", "Alerts", "Filings", "Calendar", "Back office"],
}


@pytest.mark.parametrize("who", NAV_LINKS, ids=lambda who: who or "anyone")
@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_on_a_phone_the_header_folds_its_navigation_into_a_menu(people, open_page, who, locale):
    page = open_page(locale=locale, **PHONE)
    if who:
        sign_in(page, who)
    page.goto(page.base + "/shops/")
    header, menu = page.locator("header.top"), page.locator("header details.menu")
    nav = page.locator("header.top").get_by_role("navigation")

    assert box(header)["height"] < 0.2 * PHONE["height"], f"the header is {box(header)['height']}px high"
    expect(nav).to_be_hidden()
    expect(header.locator("form.lang").locator("button, select")).to_have_count(1)
    expect(header.locator("form.lang button")).to_be_visible()
    if who:
        expect(header.locator("a.bell")).to_be_visible()

    menu.locator("summary").click()
    expect(nav).to_be_visible()
    if locale == "en-GB":
        for name in NAV_LINKS[who]:
            expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    # The open menu lies over the page below the bar, inside the screen.
    body = box(menu.locator(".menu-body"))
    assert body["y"] >= box(header)["y"] + box(header)["height"] - 1
    assert body["x"] >= 0 and body["x"] + body["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if who:
        expect(menu.locator(".who")).to_be_visible()
    first = nav.get_by_role("link").first
    target = first.get_attribute("href")
    first.click()
    expect(page).to_have_url(page.base + target)


def test_the_phone_menu_opens_without_javascript(people, open_page):
    page = open_page(java_script_enabled=False, **PHONE)
    log_in(page, "bob", "pw-bob")
    nav = page.locator("header.top").get_by_role("navigation")
    expect(nav).to_be_hidden()
    page.locator("header details.menu summary").click()
    nav.get_by_role("link", name="Our shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Online")


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_on_a_desktop_the_navigation_stands_in_the_bar_as_before(people, open_page, locale):
    page = open_page(locale=locale, **DESKTOP)
    sign_in(page, "rita")
    header, nav = page.locator("header.top"), page.locator("header.top").get_by_role("navigation")
    brand = box(header.locator(".brand"))

    expect(header.locator("details.menu summary")).to_be_hidden()
    expect(nav).to_be_visible()
    for link in nav.get_by_role("link").all():
        expect(link).to_be_visible()
    assert abs(box(nav)["y"] - brand["y"]) < brand["height"], "the navigation is not beside the brand"
    # The account and the tools sit together at the right end of the bar, below the navigation.
    who, tools = box(header.locator(".who")), box(header.locator(".tools"))
    assert who["y"] >= box(nav)["y"] + box(nav)["height"] - 1
    assert who["x"] + who["width"] < tools["x"] <= DESKTOP["width"] - tools["width"]
    assert abs((tools["x"] + tools["width"]) - (box(header)["x"] + box(header)["width"])) < 40
    # 110 px before the 12315 centre's pages; the officer's menu has fifteen links since, two rows in English.
    assert box(header)["height"] <= 120, f"the header is {box(header)['height']}px high"
    expect(header.locator("form.lang").locator("button, select")).to_have_count(1)


def test_the_complaint_page_puts_the_deadlines_before_the_actions_on_a_phone(people, open_page):
    complaint = factories.complaint(people.alice, people.acme)
    tops = {}
    for name, screen in (("phone", PHONE), ("desktop", DESKTOP)):
        page = open_page(**screen)
        log_in(page, "bob", "pw-bob")
        page.goto(page.base + f"/complaints/{complaint.pk}/")
        tops[name] = {
            part: box(page.locator(f"section:has(> #h-{part})"))
            for part in ("facts", "deadlines", "actions", "timeline")
        }
    phone, desktop = tops["phone"], tops["desktop"]

    assert phone["facts"]["y"] < phone["deadlines"]["y"] < phone["actions"]["y"] < phone["timeline"]["y"]
    # The desktop as before: the deadlines head the side column, beside the complaint and its actions.
    assert desktop["deadlines"]["x"] > desktop["actions"]["x"] + desktop["actions"]["width"]
    assert abs(desktop["deadlines"]["y"] - desktop["facts"]["y"]) < 1
    assert desktop["facts"]["y"] < desktop["actions"]["y"] < desktop["timeline"]["y"]


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to write docs/screenshots/")
def test_screenshots_of_the_phone_pages(people, open_page):
    """Demo data; the shop's complaint page on a phone (deadlines first) and the phone's open menu."""
    call_command("seed_demo", verbosity=0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agent = open_page(**PHONE)
    log_in(agent, "shop1-agent", "demo")
    shop = User.objects.get(username="shop1-agent").merchant
    complaint = Complaint.objects.filter(merchant=shop, state="submitted").first()
    agent.goto(agent.base + f"/complaints/{complaint.pk}/")
    agent.wait_for_load_state("networkidle")
    agent.screenshot(path=str(SCREENSHOTS / "merchant-complaint-phone.png"), full_page=True)
    agent.locator("header details.menu summary").click()
    agent.screenshot(path=str(SCREENSHOTS / "merchant-menu-phone.png"))
