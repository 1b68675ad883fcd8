"""A group complaint in a real browser, at the browser kit's fixed clock: an officer picks a shop's complaint on
the console's list and opens a group of it; the public page shows the group to anyone, without its member; a
second consumer signs in from its "join" button and joins with her own order; the shop answers the group once
(asked first in a dialog); the second consumer finds the answer on her own complaint and accepts it; the
public page counts 1 accepted.

Run with SCREENSHOTS=1 to also write the group page of docs/groups.md in both languages
(docs/screenshots/group-page-en.png and group-page-zh.png), with test_browser_centre's `shot`."""

import re

import pytest

from complaintdesk.complaints import groups, services
from complaintdesk.complaints.models import Complaint, ComplaintGroup, GroupPost
from complaintdesk.complaints.tests import factories
from complaintdesk.web.tests.browser_kit import MARKS, expect
from complaintdesk.web.tests.test_browser_centre import TAKE_PICTURES, shot

pytestmark = MARKS

PRODUCT = "PowerMax 20000 power bank"
PROBLEM = "The power bank swells and gets hot after a few days of charging; the shop offered nothing."


def sign_in(page, username: str, password: str, then: str = "") -> None:
    """The sign-in form: the one on the page (where a link led), or the one that leads to `then`."""
    if then:
        page.goto(f"{page.base}/accounts/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text(username)


def test_a_second_consumer_joins_a_group_the_shop_answers_once_and_she_accepts(people, open_page):
    first = factories.complaint(
        people.alice, people.acme, order_number="JD-4410", product=PRODUCT, description=PROBLEM
    )

    # 1. Rita lists Acme's complaints on the console, ticks Alice's and opens a group of it.
    rita = open_page()
    sign_in(rita, "rita", "pw-rita", then="/console/groups/")
    rita.locator("header nav").get_by_role("link", name="Complaints", exact=True).click()
    rita.get_by_label("Shop").fill("Acme Online")  # the shop picker's text box
    rita.get_by_role("button", name="Filter").click()
    picker = rita.locator("#pick-group")
    picker.locator("summary").click()
    picker.get_by_label(first.reference).check()
    picker.get_by_role("button", name="Open a group complaint").click()
    expect(rita.get_by_role("heading", level=1)).to_have_text("Open a group complaint")
    expect(rita.locator("#picked")).to_contain_text(first.reference)
    expect(rita.get_by_label("Product")).to_have_value(PRODUCT)  # what the picked complaint names
    rita.get_by_label("The problem").fill(PROBLEM)
    rita.get_by_role("button", name="Open the group complaint").click()
    expect(rita.locator(".messages")).to_contain_text("Group complaint opened")
    group = ComplaintGroup.objects.get()
    expect(rita.locator("#group-member-list")).to_contain_text(first.reference)

    # 2. The public page, signed out: the shop, the product, the problem, one member, and nobody named.
    erin = open_page()
    erin.goto(erin.base + f"/groups/{group.pk}/")
    expect(erin.get_by_role("heading", level=1)).to_have_text(f"Group complaint: {PRODUCT}")
    expect(erin.locator("#group-members")).to_have_text("1")
    expect(erin.locator("#group-problem")).to_have_text(PROBLEM)
    expect(erin.locator("#group-facts").get_by_role("link", name="Acme Online")).to_be_visible()
    body = erin.locator("main")
    for private in ("alice", first.reference, "JD-4410"):
        expect(body).not_to_contain_text(private)

    # 3. Erin had the same problem: "join" asks her to sign in, then brings her to the form, the problem
    #    written in; she adds her own order and joins.
    erin.get_by_role("link", name="Join this group complaint").click()
    sign_in(erin, "erin", "pw-erin")
    expect(erin.get_by_role("heading", level=1)).to_have_text("Join the group complaint")
    expect(erin.get_by_label("What happened")).to_have_value(PROBLEM)
    erin.get_by_label("Order number").fill("JD-5520")
    erin.get_by_label("Order date").fill("2026-11-01")
    erin.get_by_label("Amount paid (CNY)").fill("129.00")
    erin.get_by_label("What you want").select_option(label="Refund")
    erin.get_by_role("button", name="Join with my order").click()
    expect(erin.locator(".messages")).to_contain_text("You joined the group complaint")
    joined = Complaint.objects.get(consumer=people.erin)
    expect(erin.get_by_role("heading", level=1)).to_contain_text(joined.reference)
    expect(erin.locator("#complaint-group").get_by_role("link", name=PRODUCT)).to_be_visible()
    assert (joined.group_id, joined.order_number, joined.merchant_id) == (group.pk, "JD-5520", people.acme.pk)

    # 4. Bob answers the group once from the workbench: a refund to every member, asked about first.
    bob = open_page()
    sign_in(bob, "bob", "pw-bob", then="/workbench/")
    bob.locator("header nav").get_by_role("link", name="Group complaints").click()
    bob.get_by_role("link", name=PRODUCT).click()
    expect(bob.locator("#group-members")).to_have_text("2")
    bob.get_by_label("Your answer to every member").fill(
        "We are sorry: every swollen power bank is refunded."
    )
    bob.get_by_label("Resolution offered (optional)").select_option(label="Refund")
    bob.get_by_label("Details of the resolution").fill("The full price, within 3 days of your acceptance.")
    bob.get_by_role("button", name="Answer every member").click()
    dialog = bob.get_by_role("dialog")
    expect(dialog).to_contain_text("Answer the group complaint about")
    assert not GroupPost.objects.exists()
    dialog.get_by_role("button", name="Yes, answer every member").click()
    expect(bob.locator(".messages")).to_contain_text("sent to every member")
    expect(bob.locator("#group-answers")).to_contain_text("every swollen power bank is refunded")

    # 5. Erin finds the shop's proposal on her own complaint and accepts it, after its dialog.
    erin.reload()
    expect(erin.locator("#complaint-state")).to_have_text("Resolution proposed")
    expect(erin.locator("#proposal")).to_contain_text("within 3 days of your acceptance")
    accept = erin.locator("#action-accept")
    if accept.get_attribute("open") is None:  # the consumer's default step is open already
        accept.locator("summary").click()
    accept.locator("button[name=submit-accept]").click()
    erin.get_by_role("dialog").get_by_role("button", name="Yes, accept the proposal").click()
    expect(erin.locator("#complaint-state")).to_have_text("Resolved")
    first.refresh_from_db()
    assert first.state == "resolution_proposed"  # Alice decides for herself

    # 6. The public page counts one member who accepted, of two.
    erin.locator("#complaint-group").get_by_role("link", name=PRODUCT).click()
    expect(erin.locator("#group-accepted")).to_have_text("1 of 2 members")
    expect(erin.locator("#group-join")).to_contain_text(joined.reference)  # hers, to her only
    expect(erin.locator("#group-answers")).to_contain_text(re.compile(r"Refund\s+—\s+The full price"))


# What the pictures' group says, in the language of each picture.
PICTURES = {
    "en-GB": {
        "name": "group-page-en",
        "product": PRODUCT,
        "problem": PROBLEM,
        "answer": "We are sorry: every swollen power bank is refunded.",
        "details": "The full price, within 3 days of your acceptance.",
        "statement": "The centre asked Acme to recall the batch and checks every refund.",
    },
    "zh-CN": {
        "name": "group-page-zh",
        "product": "PowerMax 20000 移动电源",
        "problem": "充电几天后电池鼓包、发烫，商家不予处理。",
        "answer": "非常抱歉：所有鼓包的移动电源一律全额退款。",
        "details": "您确认接受后3日内退还全部货款。",
        "statement": "12315中心已要求商家召回该批次产品，并逐笔核查退款。",
    },
}


@pytest.mark.skipif(not TAKE_PICTURES, reason="set SCREENSHOTS=1 to write docs/screenshots/")
def test_screenshots_of_a_group_page(people, open_page):
    """docs/groups.md's pictures: a group of two members as anyone reads it, answered by the shop, one member
    accepting, with the centre's statement, in English and in Chinese."""
    for n, (locale, words) in enumerate(PICTURES.items()):
        first = factories.complaint(
            people.alice,
            people.acme,
            order_number=f"JD-{n}-1",
            product=words["product"],
            description=words["problem"],
        )
        group = groups.open_group(
            people.rita, product=words["product"], problem=words["problem"], complaints=[first]
        )
        groups.join(
            group, people.erin, order_number=f"JD-{n}-2", order_date=first.order_date, wanted_outcome="refund"
        )
        groups.answer(
            group,
            people.bob,
            message=words["answer"],
            resolution_type="refund",
            resolution_text=words["details"],
        )
        services.perform(first.pk, people.alice, "accept")
        groups.post_statement(group, people.rita, message=words["statement"])
        reader = open_page(locale=locale)
        reader.goto(reader.base + f"/groups/{group.pk}/")
        expect(reader.locator("#group-accepted")).to_contain_text("1")
        shot(reader, words["name"])
