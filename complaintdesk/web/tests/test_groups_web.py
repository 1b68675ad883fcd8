"""Group complaints on the web: the public page (no personal data), a consumer joining with their own order,
the officers' console (opening from picked complaints or a mass-incident alert, the statement, closing), the
shop answering the group once; every bad input answered at its field, nothing changed; another bureau's or
another shop's group is 404."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts.models import AlertKind
from complaintdesk.alerts.services import raise_alert
from complaintdesk.centre.models import Bureau, BureauLevel
from complaintdesk.complaints import groups
from complaintdesk.complaints.models import Complaint, ComplaintGroup, GroupPost, GroupState
from complaintdesk.complaints.tests import factories

PROBLEM = "The battery swells after a week of charging."
JOIN = {
    "order_number": "JD-777",
    "order_date": "2026-09-01",
    "amount": "129.00",
    "wanted_outcome": "refund",
    "description": PROBLEM + " Mine too, bought in August.",
}


@pytest.fixture
def world(people):
    """Acme is in district 1's charge, Bazaar in district 2's; an officer of each; Rita (no bureau) sees all.
    Alice's complaint about Acme's power bank is the group's first member."""
    city = Bureau.city_centre()

    def district(n):
        return Bureau.objects.create(
            name_zh=f"第{n}区分局", name_en=f"District {n} bureau", level=BureauLevel.DISTRICT, parent=city
        )

    people.d1, people.d2 = district(1), district(2)
    for shop, bureau in ((people.acme, people.d1), (people.bazaar, people.d2)):
        shop.registered_address = f"{bureau.pk} Market Street"
        shop.registered_district = bureau
        shop.save()
    for name, bureau in (("olga", people.d1), ("oscar", people.d2)):
        officer = User.objects.create(username=name, role=Role.REGULATOR, bureau=bureau)
        setattr(people, name, officer)
    people.first = factories.complaint(
        people.alice, people.acme, order_number="JD-100", product="PowerMax 20000", description=PROBLEM
    )
    people.group = groups.open_group(
        people.rita, product="PowerMax 20000", problem=PROBLEM, complaints=[people.first.pk]
    )
    return people


def page(client, url, *args, **kwargs):
    response = client.get(url, *args, **kwargs)
    return response, response.content.decode()


# --------------------------------------------------------------------------------------------- public page


@pytest.mark.django_db
def test_anyone_reads_the_public_page_without_any_personal_data(world, client):
    response, html = page(client, reverse("web:group", args=[world.group.pk]))
    assert response.status_code == 200
    assert "PowerMax 20000" in html and PROBLEM in html
    assert f'href="{reverse("web:scorecard", args=[world.acme.pk])}"' in html
    assert '<dd id="group-members">1</dd>' in html
    assert "0 of 1 member<" in html and "Open to join" in html
    # Nobody and no order: not the member's name, reference, order number or complaint.
    for private in (
        "alice",
        world.first.reference,
        "JD-100",
        reverse("web:complaint", args=[world.first.pk]),
    ):
        assert private not in html
    join = reverse("web:join_group", args=[world.group.pk])
    assert f'href="/accounts/login/?next={join}"' in html  # signed out: the sign-in first, then the form


@pytest.mark.django_db
def test_a_consumer_is_offered_the_join_form_and_a_member_their_complaint(world, browser_of):
    _response, html = page(browser_of(world.erin), reverse("web:group", args=[world.group.pk]))
    assert f'id="join-button" href="{reverse("web:join_group", args=[world.group.pk])}"' in html
    _response, html = page(browser_of(world.alice), reverse("web:group", args=[world.group.pk]))
    assert 'id="join-button"' not in html
    assert reverse("web:complaint", args=[world.first.pk]) in html and world.first.reference in html


@pytest.mark.django_db
def test_an_unknown_group_is_404(world, client):
    assert client.get(reverse("web:group", args=[987654])).status_code == 404
    assert client.get(reverse("web:join_group", args=[987654])).status_code == 302  # the sign-in first


# ----------------------------------------------------------------------------------------------- joining


@pytest.mark.django_db
def test_the_join_form_is_the_signed_in_consumers_with_the_problem_written_in(world, client, browser_of):
    url = reverse("web:join_group", args=[world.group.pk])
    assert client.get(url)["Location"] == f"/accounts/login/?next={url}"
    assert browser_of(world.bob).get(url).status_code == 403
    assert browser_of(world.rita).get(url).status_code == 403
    response, html = page(browser_of(world.erin), url)
    assert response.status_code == 200
    assert response.context["form"]["description"].value() == PROBLEM
    assert 'name="order_number"' in html and 'name="wanted_outcome"' in html


@pytest.mark.django_db
def test_a_consumer_joins_and_lands_on_their_own_complaint_in_the_group(world, browser_of):
    erin = browser_of(world.erin)
    response = erin.post(reverse("web:join_group", args=[world.group.pk]), JOIN)
    joined = Complaint.objects.get(consumer=world.erin)
    assert response.status_code == 302 and response["Location"] == reverse("web:complaint", args=[joined.pk])
    assert (joined.group_id, joined.merchant_id, joined.order_number) == (
        world.group.pk,
        world.acme.pk,
        "JD-777",
    )
    assert joined.product == "PowerMax 20000" and joined.amount == Decimal("129.00")
    assert joined.order_date == date(2026, 9, 1) and joined.description == JOIN["description"]
    _response, html = page(erin, response["Location"])
    assert "You joined the group complaint about PowerMax 20000" in html
    assert 'id="complaint-group"' in html and reverse("web:group", args=[world.group.pk]) in html
    _response, html = page(erin, reverse("web:group", args=[world.group.pk]))
    assert '<dd id="group-members">2</dd>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "changes", "status", "field", "message"),
    [
        ("erin", {"order_number": ""}, 422, "order_number", "This field is required."),
        ("erin", {"order_number": "jd-100"}, 422, "order_number", "is in this group complaint already"),
        ("erin", {"order_date": "2999-01-01"}, 422, "order_date", "cannot be in the future"),
        ("erin", {"amount": "-1"}, 422, "amount", "must be greater than or equal to 0"),
        ("erin", {"wanted_outcome": "fortune"}, 422, "wanted_outcome", "Select a valid choice."),
        ("alice", {"order_number": "JD-101"}, 409, None, "you are a member of this group complaint already"),
    ],
)
def test_a_refused_join_names_the_problem_and_files_nothing(
    world, browser_of, who, changes, status, field, message
):
    before = Complaint.objects.count()
    response = browser_of(getattr(world, who)).post(
        reverse("web:join_group", args=[world.group.pk]), {**JOIN, **changes}
    )
    assert response.status_code == status
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors()
    assert any(message in e for e in errors), errors
    assert 'id="form-errors"' in response.content.decode()
    assert Complaint.objects.count() == before and world.group.members.count() == 1


@pytest.mark.django_db
def test_a_closed_group_takes_nobody(world, browser_of):
    groups.close(world.group, world.rita)
    erin = browser_of(world.erin)
    _response, html = page(erin, reverse("web:join_group", args=[world.group.pk]))
    assert 'id="group-closed"' in html and '<form method="post" class="stack"' not in html
    response = erin.post(reverse("web:join_group", args=[world.group.pk]), JOIN)
    assert response.status_code == 409
    assert "closed" in " ".join(response.context["form"].non_field_errors())
    assert not Complaint.objects.filter(consumer=world.erin).exists()
    _response, html = page(erin, reverse("web:group", args=[world.group.pk]))
    assert 'id="join-button"' not in html and "This group is closed" in html


# ------------------------------------------------------------------------------------------------- console


@pytest.mark.django_db
def test_the_console_list_and_page_are_the_officers_bureaus(world, browser_of):
    product_link = reverse("web:console_group", args=[world.group.pk])
    for officer, sees in ((world.rita, True), (world.olga, True), (world.oscar, False)):
        response, html = page(browser_of(officer), reverse("web:console_groups"))
        assert response.status_code == 200 and (product_link in html) is sees, officer
        assert browser_of(officer).get(product_link).status_code == (200 if sees else 404), officer
    response, html = page(browser_of(world.olga), product_link)
    # The officers see the members' complaints, as links; the public page's link beside them.
    assert reverse("web:complaint", args=[world.first.pk]) in html and world.first.reference in html
    assert reverse("web:group", args=[world.group.pk]) in html
    for outsider in (world.alice, world.bob):
        assert browser_of(outsider).get(reverse("web:console_groups")).status_code == 403
        assert browser_of(outsider).get(product_link).status_code == 403


@pytest.mark.django_db
def test_an_officer_picks_one_shops_complaints_on_the_list_and_opens_a_group(world, browser_of):
    second = factories.complaint(world.erin, world.acme, order_number="JD-200", product="Speaker S1")
    third = factories.complaint(world.erin, world.acme, order_number="JD-300", product="Speaker S1")
    olga = browser_of(world.olga)
    _response, html = page(olga, reverse("web:all_complaints"), {"merchant": world.acme.pk})
    assert 'id="pick-group"' in html and f'name="complaints" value="{second.pk}"' in html
    assert f'name="complaints" value="{world.first.pk}" disabled' in html  # in a group already
    _response, html = page(olga, reverse("web:all_complaints"))
    assert 'id="pick-group"' not in html  # only a list of one shop's complaints offers it

    response, html = page(olga, reverse("web:open_group"), {"complaints": [second.pk, third.pk]})
    assert response.status_code == 200
    assert second.reference in html and third.reference in html
    assert response.context["form"]["product"].value() == "Speaker S1"  # what both name
    response = olga.post(
        reverse("web:open_group"),
        {"complaints": [second.pk, third.pk], "product": "Speaker S1", "problem": "It stops charging."},
    )
    opened = ComplaintGroup.objects.get(product="Speaker S1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:console_group", args=[opened.pk]
    )
    assert set(opened.members.values_list("pk", flat=True)) == {second.pk, third.pk}
    assert (opened.merchant_id, opened.bureau_id, opened.opened_by_id) == (
        world.acme.pk,
        world.d1.pk,
        world.olga.pk,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"product": ""}, "product", "This field is required."),
        ({"problem": " "}, "problem", "This field is required."),
        ({"problem": "x" * 2001}, "problem", "may have at most 2000 characters"),
        ({"complaints": ["two"]}, "complaints", "is not the number of a complaint"),
        ({"complaints": []}, "complaints", "pick the complaints of the group"),
        ({"bazaar": True}, "complaints", "about 2 shops"),
        ({"first": True}, "complaints", "already in a group complaint"),
    ],
)
def test_a_refused_opening_names_its_field_and_opens_nothing(world, browser_of, changes, field, message):
    acme = factories.complaint(world.erin, world.acme, order_number="JD-200")
    picked = [acme.pk]
    if changes.pop("bazaar", False):
        picked.append(factories.complaint(world.erin, world.bazaar, order_number="BZ-1").pk)
    if changes.pop("first", False):
        picked.append(world.first.pk)
    data = {"complaints": picked, "product": "Speaker S1", "problem": "It stops charging.", **changes}
    response = browser_of(world.rita).post(reverse("web:open_group"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors.get(field, [])
    assert any(message in e for e in errors), response.context["form"].errors
    assert ComplaintGroup.objects.count() == 1 and Complaint.objects.get(pk=acme.pk).group_id is None


@pytest.mark.django_db
def test_another_bureaus_complaint_or_alert_cannot_be_grouped(world, browser_of):
    bazaar = factories.complaint(world.erin, world.bazaar, order_number="BZ-1")
    alert, _ = raise_alert(AlertKind.MASS_INCIDENT, world.bazaar, "product:x", "Mass", complaints=[bazaar])
    olga = browser_of(world.olga)
    assert olga.get(reverse("web:open_group"), {"complaints": [bazaar.pk]}).status_code == 404
    assert olga.get(reverse("web:open_group"), {"alert": alert.pk}).status_code == 404
    data = {"complaints": [bazaar.pk], "product": "X", "problem": "Y"}
    assert olga.post(reverse("web:open_group"), data).status_code == 404
    assert (
        olga.post(reverse("web:open_group"), {"alert": alert.pk, "product": "X", "problem": "Y"}).status_code
        == 404
    )
    assert ComplaintGroup.objects.count() == 1
    assert browser_of(world.bob).get(reverse("web:open_group")).status_code == 403


@pytest.mark.django_db
def test_with_nothing_picked_the_page_says_where_groups_start(world, browser_of):
    response, html = page(browser_of(world.rita), reverse("web:open_group"))
    assert response.status_code == 200 and 'id="nothing-picked"' in html and "<textarea" not in html
    assert page(browser_of(world.rita), reverse("web:open_group"), {"complaints": "x"})[0].status_code == 400


@pytest.mark.django_db
def test_an_officer_opens_a_group_from_a_mass_incident_alert(world, browser_of):
    members = [factories.complaint(world.erin, world.acme, order_number=f"JD-{n}") for n in (1, 2)]
    alert, _ = raise_alert(
        AlertKind.MASS_INCIDENT,
        world.acme,
        "product:speaker s1",
        "Mass incident",
        complaints=members,
        facts={"pattern": "product", "value": "Speaker S1", "observed": 2, "window_hours": 24},
    )
    rita = browser_of(world.rita)
    _response, html = page(rita, reverse("web:alert", args=[alert.pk]))
    assert f'href="{reverse("web:open_group")}?alert={alert.pk}"' in html
    response, html = page(rita, reverse("web:open_group"), {"alert": alert.pk})
    assert response.context["form"]["product"].value() == "Speaker S1"
    response = rita.post(
        reverse("web:open_group"), {"alert": alert.pk, "product": "Speaker S1", "problem": "Dead."}
    )
    opened = ComplaintGroup.objects.get(alert=alert)
    assert response.status_code == 302
    assert set(opened.members.values_list("pk", flat=True)) == {m.pk for m in members}
    _response, html = page(rita, reverse("web:alert", args=[alert.pk]))
    assert reverse("web:console_group", args=[opened.pk]) in html
    # A second open group from the same alert is refused, above the form.
    response = rita.post(
        reverse("web:open_group"), {"alert": alert.pk, "product": "Speaker S1", "problem": "Dead."}
    )
    assert response.status_code == 409 and ComplaintGroup.objects.filter(alert=alert).count() == 1


@pytest.mark.django_db
def test_the_centres_statement_goes_on_the_public_page(world, browser_of, client):
    url = reverse("web:group_statement", args=[world.group.pk])
    olga = browser_of(world.olga)
    response = olga.post(url, {"message": " "})
    assert response.status_code == 422 and response.context["statement_form"].errors["message"]
    assert browser_of(world.oscar).post(url, {"message": "Not ours."}).status_code == 404
    assert browser_of(world.bob).post(url, {"message": "Not ours."}).status_code == 403
    assert not GroupPost.objects.exists()
    assert olga.post(url, {"message": "The centre asked Acme to recall the batch."}).status_code == 302
    _response, html = page(client, reverse("web:group", args=[world.group.pk]))
    assert "The centre asked Acme to recall the batch." in html and "The 12315 centre" in html
    assert "olga" not in html  # who wrote it is nobody's business on the public page


@pytest.mark.django_db
def test_closing_asks_first_then_stops_joins(world, browser_of):
    url = reverse("web:close_group", args=[world.group.pk])
    assert browser_of(world.oscar).post(url, {"confirm": "1"}).status_code == 404
    rita = browser_of(world.rita)
    response, html = page(rita, reverse("web:console_group", args=[world.group.pk]))
    assert "data-confirm" in html and 'class="confirm"' in html  # the dialog, with JavaScript
    response = rita.post(url)
    assert (
        response.status_code == 200
        and "Close the group complaint about PowerMax 20000?" in response.content.decode()
    )
    world.group.refresh_from_db()
    assert world.group.state == GroupState.OPEN
    assert rita.post(url, {"confirm": "1"}).status_code == 302
    world.group.refresh_from_db()
    assert world.group.state == GroupState.CLOSED
    response = rita.post(url, {"confirm": "1"})
    assert response.status_code == 409 and "closed already" in response.content.decode()


# ---------------------------------------------------------------------------------------------------- shop


@pytest.mark.django_db
def test_the_workbench_lists_the_shops_own_groups_only(world, browser_of):
    link = reverse("web:shop_group", args=[world.group.pk])
    _response, html = page(browser_of(world.bob), reverse("web:shop_groups"))
    assert link in html and "PowerMax 20000" in html
    _response, html = page(browser_of(world.dave), reverse("web:shop_groups"))
    assert link not in html and "No group complaint about your shop." in html
    assert browser_of(world.dave).get(link).status_code == 404
    assert browser_of(world.dave).post(link, {"message": "x", "confirm": "1"}).status_code == 404
    assert browser_of(world.alice).get(reverse("web:shop_groups")).status_code == 403


@pytest.mark.django_db
def test_the_shop_answers_the_group_once_and_every_member_gets_it(world, browser_of):
    erin = browser_of(world.erin)
    erin.post(reverse("web:join_group", args=[world.group.pk]), JOIN)
    joined = Complaint.objects.get(consumer=world.erin)
    bob = browser_of(world.bob)
    url = reverse("web:shop_group", args=[world.group.pk])
    answer = {"message": "We replace every swollen battery.", "resolution_type": "replacement",
              "resolution_text": "A new power bank within 7 days."}  # fmt: skip
    response = bob.post(url, answer)  # asked first (the dialog's fallback)
    assert response.status_code == 200 and "Yes, answer every member" in response.content.decode()
    assert not GroupPost.objects.exists()
    assert bob.post(url, {**answer, "confirm": "1"}).status_code == 302
    post = GroupPost.objects.get()
    assert (post.side, post.resolution_type) == ("shop", "replacement")
    for member in (world.first, joined):
        member.refresh_from_db()
        assert member.state == "resolution_proposed" and member.resolution_type == "replacement"
    _response, html = page(erin, reverse("web:complaint", args=[joined.pk]))
    assert "A new power bank within 7 days." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"message": ""}, "message", "This field is required."),
        ({"message": "x" * 5001}, "message", "may have at most 5000 characters"),
        ({"resolution_type": "gold"}, "resolution_type", "Select a valid choice."),
        ({"resolution_type": ""}, "resolution_type", "Choose the resolution these details belong to."),
    ],
)
def test_a_refused_answer_names_its_field_and_changes_nothing(world, browser_of, changes, field, message):
    data = {
        "message": "Sorry.",
        "resolution_type": "refund",
        "resolution_text": "Full refund.",
        "confirm": "1",
    }
    response = browser_of(world.bob).post(
        reverse("web:shop_group", args=[world.group.pk]), {**data, **changes}
    )
    assert response.status_code == 422
    assert any(message in e for e in response.context["form"].errors[field])
    world.first.refresh_from_db()
    assert not GroupPost.objects.exists() and world.first.state == "submitted"


@pytest.mark.django_db
def test_the_console_list_pages_by_cursor_newest_first(world, browser_of):
    for n in range(50):
        groups.open_group(world.rita, product=f"Gadget {n}", problem="Breaks.", merchant=world.bazaar)
    olga, rita = browser_of(world.olga), browser_of(world.rita)
    first = rita.get(reverse("web:console_groups")).content.decode()
    assert "51 groups" in first and first.count('<td data-label="Product">') == 50
    assert "Gadget 49" in first and "PowerMax 20000" not in first  # the oldest is on the next page
    following = re.search(r'<a rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    last = rita.get(f"{reverse('web:console_groups')}?{following}").content.decode()
    assert "PowerMax 20000" in last and last.count('<td data-label="Product">') == 1
    assert "1 group" in olga.get(reverse("web:console_groups")).content.decode()  # Bazaar's are district 2's
    assert rita.get(reverse("web:console_groups"), {"cursor": "made-up"}).status_code == 400
