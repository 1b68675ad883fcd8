"""The filing forms' shop field in a real browser: as a name is typed, the directory's shops holding it are
suggested (web/shop-picker.js fills the field's <datalist> from GET /api/v1/merchants/directory); a name typed
anew drops the shop a link chose; a name several shops hold comes back as a choice that axe finds nothing
serious in, in English and in Chinese, and the choice files the complaint."""

import pytest
from django.utils import timezone

from complaintdesk.complaints.models import Complaint
from complaintdesk.merchants.models import Merchant
from complaintdesk.web.tests.browser_kit import MARKS, expect, log_in
from complaintdesk.web.tests.test_accessibility import LANGUAGES, blocking_violations, log_in_by_keyboard
from conftest import credit_code

pytestmark = MARKS


def fill_the_rest(page):
    page.locator("#id_order_number").fill("JD-3003")
    page.locator("#id_order_date").fill(timezone.localdate().isoformat())
    page.locator("#id_category").select_option("delivery")
    page.locator("#id_wanted_outcome").select_option("refund")
    page.locator("#id_description").fill("The parcel never came.")


def test_typing_suggests_the_directorys_shops_and_the_name_files(people, open_page):
    alice = open_page()
    log_in(alice, "alice", "pw-alice")
    alice.goto(alice.base + f"/my/complaints/new/?merchant={people.acme.pk}")
    shop = alice.get_by_label("Shop")
    expect(shop).to_have_value("Acme Online")
    expect(alice.locator('input[type="hidden"][name="merchant"]')).to_have_value(str(people.acme.pk))
    shop.fill("")
    shop.press_sequentially("baz")
    # Typed anew: the link's shop no longer holds; the directory suggests the shops holding the name.
    expect(alice.locator('input[type="hidden"][name="merchant"]')).to_have_count(0)
    expect(alice.locator("#id_merchant_suggestions option")).to_have_count(1)
    expect(alice.locator("#id_merchant_suggestions option")).to_have_attribute("value", "Bazaar Mall")
    shop.fill("Bazaar Mall")  # as choosing the suggestion leaves it
    fill_the_rest(alice)
    alice.get_by_role("button", name="Send the complaint").click()
    expect(alice.locator(".messages")).to_contain_text("was sent to Bazaar Mall")
    assert Complaint.objects.get().merchant == people.bazaar


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_name_several_shops_hold_is_an_accessible_choice_that_files(people, open_page, locale):
    outlet = Merchant.objects.create(
        name="Acme Outlet", credit_code=credit_code(9), shop_url="https://o.test"
    )
    alice = open_page(locale=locale)
    log_in_by_keyboard(alice, "alice", "pw-alice")
    alice.goto(alice.base + "/my/complaints/new/")
    alice.locator("#id_merchant").fill("acme")
    fill_the_rest(alice)
    alice.locator("main form button[type=submit]").click()
    choices = alice.locator("#id_merchant_choices")
    expect(choices.locator("input[type=radio]")).to_have_count(2)
    expect(alice.locator("#id_merchant")).to_have_attribute("aria-invalid", "true")
    assert blocking_violations(alice) == []
    assert not Complaint.objects.exists()
    choices.get_by_label("Acme Outlet").check()
    alice.locator("main form button[type=submit]").click()
    expect(alice.locator("#complaint-state")).to_be_visible()
    assert Complaint.objects.get().merchant == outlet
