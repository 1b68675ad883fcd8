"""Notices and final steps beyond the complaint's journey (test_browser.py), in a real browser: a new version
of the pledge asks the officer before it is published, reaches the shop's coordinator through the bell, and
is signed after a dialog of its own."""

from complaintdesk.merchants import profile
from complaintdesk.ops.management.commands.worker import run_once
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.web.tests.browser_kit import MARKS, expect, log_in

pytestmark = MARKS

COMMITMENTS = [
    {"number": n, "text_en": f"Commitment number {n}", "text_zh": f"第{n}条承诺"} for n in range(1, 9)
]


def test_a_new_pledge_is_published_after_a_dialog_and_its_notice_leads_the_coordinator_to_sign(
    people, open_page
):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    people.carol.email = "carol@acme.test"  # the notice goes to the coordinator's address, and so in-app
    people.carol.save(update_fields=["email"])
    draft = pledges.create_version(people.rita, "Online retail pledge 2027", COMMITMENTS)

    # Rita publishes the draft; the dialog says what publishing means, and nothing happens until she agrees.
    rita = open_page()
    log_in(rita, "rita", "pw-rita")
    rita.goto(rita.base + "/console/pledge/")
    rita.locator(f"#version-{draft.number}").get_by_role(
        "button", name=f"Publish version {draft.number}"
    ).click()
    dialog = rita.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Publish version {draft.number} of the pledge?")
    assert pledges.current_version() != draft
    dialog.get_by_role("button", name=f"Yes, publish version {draft.number}").click()
    expect(rita.locator(".messages")).to_contain_text(f"Version {draft.number} is published")
    assert pledges.current_version() == draft

    # The worker delivers the notice: Carol's bell counts it, and it leads her to the pledge.
    run_once()
    carol = open_page()
    log_in(carol, "carol", "pw-carol")
    bell = carol.locator("a.bell")
    expect(bell.locator(".count")).to_have_text("1")
    bell.click()
    notice = carol.locator("ul.notifications li.unread")
    expect(notice).to_contain_text(f"published version {draft.number} of the customer-service pledge")
    notice.get_by_role("button", name="Online retail pledge 2027").click()
    expect(bell.locator(".count")).to_have_text("0")
    expect(carol.locator("#sign-pledge")).to_be_visible()

    # Signing asks first: she goes back once, then signs.
    sign = carol.get_by_role("button", name=f"Sign version {draft.number} for the shop")
    sign.click()
    dialog = carol.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Sign version {draft.number} of the pledge for the shop?")
    dialog.get_by_role("button", name="No, go back").click()
    expect(dialog).to_have_count(0)
    assert not PledgeSignature.objects.filter(version=draft).exists()
    sign.click()
    carol.get_by_role("dialog").get_by_role("button", name="Yes, sign for the shop").click()
    expect(carol.locator(".messages")).to_contain_text("The pledge is signed.")
    signature = PledgeSignature.objects.get(version=draft)
    assert signature.merchant == people.acme and signature.signed_by == people.carol
