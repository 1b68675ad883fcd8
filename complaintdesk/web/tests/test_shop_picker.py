"""The filing forms' shop field (web.forms.shop_picker) at a province's scale: /report/, /enquiry/ and
/my/complaints/new/ list no shop (they listed every one, thousands at 10 M complaints) and answer with the same
queries however many shops there are. The shop is typed and found by the server, without JavaScript: a part of
one shop's name files it; a name several shops hold comes back as a choice; a name none holds is refused at the
field, nothing stored; a shop chosen by a link is shown by its name and holds unless another one is typed."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaintdesk.centre.models import Matter
from complaintdesk.complaints.models import Complaint
from complaintdesk.merchants import finding
from complaintdesk.merchants.models import Merchant
from conftest import credit_code

pytestmark = pytest.mark.django_db


def more_shops(count: int, name: str = "Shop {:04}", active: bool = True) -> list[Merchant]:
    start = Merchant.objects.count() + 1
    return Merchant.objects.bulk_create(
        Merchant(name=name.format(i), credit_code=credit_code(start + i), is_active=active)
        for i in range(count)
    )


def complaint_form(**fields) -> dict:
    return {
        "order_number": "JD-1001",
        "order_date": timezone.localdate().isoformat(),
        "category": "quality",
        "wanted_outcome": "refund",
        "description": "The headphones have no sound on the left side.",
        **fields,
    }


def field_block(page: str, name: str = "merchant") -> str:
    return html.unescape(page.split(f'id="field-{name}"', 1)[1].split('<div class="field', 1)[0])


def radios(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<input type="radio" name="merchant" value="(\d+)"', page)]


def text_box(page: str) -> str:
    return re.search(r'<input type="text" name="merchant_name" value="([^"]*)"', page)[1]


def hidden_choice(page: str) -> str | None:
    found = re.search(r'<input type="hidden" name="merchant" value="(\d+)">', page)
    return found[1] if found else None


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/report/"),
        (None, "/enquiry/"),
        ("rita", "/report/"),
        ("alice", "/my/complaints/new/"),
        ("alice", "/my/complaints/new/?merchant={acme}"),
    ],
)
def test_the_forms_list_no_shop_and_their_queries_do_not_grow_with_the_shops(people, browser_of, who, url):
    client = browser_of(getattr(people, who)) if who else Client()
    url = url.format(acme=people.acme.pk)

    def get() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    get()  # the session's first read and the translations' loading are not the page's
    few, _page = get()
    more_shops(300)
    many, page = get()
    assert many == few
    assert not re.search(r"Shop \d{4}|Bazaar Mall", page)  # no shop but the one chosen by the link


def test_a_part_of_one_shops_name_files_it(people, browser_of):
    alice = browser_of(people.alice)
    response = alice.post(reverse("web:file_complaint"), complaint_form(merchant_name="  bazaar "))
    assert response.status_code == 302
    assert Complaint.objects.get().merchant == people.bazaar
    Client().post(reverse("web:report"), {"merchant_name": "Acme", "text": "Fake.", "anonymous": "on"})
    assert Matter.objects.get().merchant == people.acme


def test_a_name_several_shops_hold_comes_back_as_a_choice_and_the_choice_files(people, browser_of):
    outlet = Merchant.objects.create(
        name="Acme Outlet", credit_code=credit_code(9), shop_url="https://o.test"
    )
    alice = browser_of(people.alice)
    refused = alice.post(reverse("web:file_complaint"), complaint_form(merchant_name="acme"))
    assert refused.status_code == 422 and not Complaint.objects.exists()
    page = refused.content.decode()
    block = field_block(page)
    assert "Several shops have “acme” in their name: choose yours below." in block
    assert radios(page) == [people.acme.pk, outlet.pk] and "(https://o.test)" in block
    assert "Which shop do you mean?" in block and text_box(page) == "acme" and hidden_choice(page) is None
    chosen = alice.post(
        reverse("web:file_complaint"), complaint_form(merchant=outlet.pk, merchant_name="acme")
    )
    assert chosen.status_code == 302 and Complaint.objects.get().merchant == outlet


def test_a_name_too_many_shops_hold_offers_the_first_and_asks_for_more_of_it(people, browser_of):
    more_shops(finding.CHOICES + 5)
    page = browser_of(people.alice).post(reverse("web:file_complaint"), complaint_form(merchant_name="shop"))
    text = page.content.decode()
    assert page.status_code == 422 and len(radios(text)) == finding.CHOICES
    assert "More than 10 shops have “shop” in their name: type more of it" in field_block(text)
    assert not Complaint.objects.exists()


def test_a_name_no_shop_holds_is_refused_at_the_field_and_nothing_is_stored(people, browser_of):
    more_shops(1, name="Closed Shop", active=False)
    report = Client().post(
        reverse("web:report"), {"merchant_name": "Closed", "text": "Fake.", "anonymous": "on"}
    )
    block = field_block(report.content.decode())
    assert (
        report.status_code == 422
        and "has-error" in report.content.decode().split('id="field-merchant"')[0][-60:]
    )
    assert (
        "No shop in the directory has “Closed” in its name" in block
        and "give the shop's web address" in block
    )
    filing = browser_of(people.alice).post(
        reverse("web:file_complaint"), complaint_form(merchant_name="Nowhere")
    )
    assert filing.status_code == 422 and "check the spelling" in field_block(filing.content.decode())
    assert not Matter.objects.exists() and not Complaint.objects.exists()


def test_an_id_of_no_active_shop_with_nothing_typed_is_refused(people, browser_of):
    (closed,) = more_shops(1, name="Closed Shop", active=False)
    alice = browser_of(people.alice)
    for chosen in (closed.pk, "987654", "²", "1e3", str(2**63)):
        page = alice.post(reverse("web:file_complaint"), complaint_form(merchant=chosen))
        assert page.status_code == 422 and "Select a valid choice" in field_block(page.content.decode()), (
            chosen
        )
    assert not Complaint.objects.exists()


def test_a_shop_chosen_by_a_link_shows_by_name_and_holds_unless_another_is_typed(people, browser_of):
    alice = browser_of(people.alice)
    page = alice.get(reverse("web:file_complaint"), {"merchant": people.bazaar.pk}).content.decode()
    assert text_box(page) == "Bazaar Mall" and hidden_choice(page) == str(people.bazaar.pk)
    (closed,) = more_shops(1, name="Closed Shop", active=False)
    page = alice.get(reverse("web:file_complaint"), {"merchant": closed.pk}).content.decode()
    assert text_box(page) == "" and hidden_choice(page) is None

    url = reverse("web:file_complaint")
    alice.post(url, complaint_form(merchant=people.bazaar.pk, merchant_name="Bazaar Mall", order_number="A"))
    alice.post(url, complaint_form(merchant=people.bazaar.pk, merchant_name="Acme Online", order_number="B"))
    assert list(Complaint.objects.order_by("order_number").values_list("order_number", "merchant")) == [
        ("A", people.bazaar.pk),
        ("B", people.acme.pk),
    ]


def test_a_form_refused_for_another_field_shows_the_shop_found_by_its_full_name(people, browser_of):
    page = browser_of(people.alice).post(
        reverse("web:file_complaint"), complaint_form(merchant_name="bazaar", description="")
    )
    text = page.content.decode()
    assert page.status_code == 422 and "has-error" not in text.split('id="field-merchant"')[0][-60:]
    assert text_box(text) == "Bazaar Mall" and hidden_choice(text) == str(people.bazaar.pk)


def test_the_text_box_is_labelled_described_and_points_to_its_suggestions(people, browser_of):
    page = browser_of(people.alice).get(reverse("web:file_complaint")).content.decode()
    block = field_block(page)
    assert '<label for="id_merchant">Shop:</label>' in block
    box = re.search(r'<input type="text" name="merchant_name"[^>]*>', block)[0]
    assert 'id="id_merchant"' in box and 'aria-describedby="id_merchant_helptext"' in box
    assert 'list="id_merchant_suggestions"' in box and 'data-shop-search="/api/v1/merchants/directory"' in box
    assert '<datalist id="id_merchant_suggestions"></datalist>' in block and "web/shop-picker.js" in page
