"""Flags for review on the web (SPEC §11): the panel on the complaint's page for officers only (with the
evidence they may open and a count of the rest), clearing with a note (every bad request a 4xx that changes
nothing), the console's list of open flags (a district officer's of its bureau) and its count on the
dashboard."""

import re

import pytest
from django.urls import reverse

from complaintdesk.accounts.models import Role, User
from complaintdesk.centre.models import Bureau, BureauLevel, Flag
from complaintdesk.complaints.models import ComplaintEvent
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(people):
    """Alice's second complaint about order X-1 at Acme repeats her first."""
    people.first = factories.complaint(people.alice, people.acme, order_number="X-1", description="First.")
    people.flagged = factories.complaint(people.alice, people.acme, order_number="x-1", description="Again.")
    people.flag = people.flagged.flags.get()
    return people


def page(client, complaint) -> str:
    answer = client.get(reverse("web:complaint", args=[complaint.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def clear_url(complaint, flag_id) -> str:
    return reverse("web:clear_flag", args=[complaint.pk, flag_id])


def note(flag_id, text) -> dict:
    return {f"flag-{flag_id}-note": text}


def snapshot():
    return (
        sorted(Flag.objects.values_list("pk", "cleared_at", "cleared_by", "note")),
        ComplaintEvent.objects.count(),
    )


def test_an_officer_sees_the_panel_with_the_evidence_and_the_form(flagged, browser_of):
    html = page(browser_of(flagged.rita), flagged.flagged)

    assert 'id="flags"' in html and "Repeats a complaint already filed" in html
    assert "The same order (x-1) at this shop as before." in html
    assert f'href="{reverse("web:complaint", args=[flagged.first.pk])}">{flagged.first.reference}</a>' in html
    assert f'action="{clear_url(flagged.flagged, flagged.flag.pk)}"' in html
    assert 'id="flags"' not in page(browser_of(flagged.rita), flagged.first)  # no flag, no panel


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_a_consumer_and_a_shop_never_see_a_flag_nor_its_clearing(flagged, browser_of, who):
    browser_of(flagged.rita).post(
        clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "Checked.")
    )

    html = page(browser_of(getattr(flagged, who)), flagged.flagged)

    assert 'id="flags"' not in html
    for text in ("Repeats a complaint", "Flag for review cleared", "Checked.", "clear_flag"):
        assert text not in html


def test_an_officer_clears_a_flag_and_it_stays_with_its_note(flagged, browser_of):
    rita = browser_of(flagged.rita)

    answer = rita.post(clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "Two parcels."))

    assert answer.status_code == 302
    assert answer["Location"].endswith(f"#flag-{flagged.flag.pk}")
    html = page(rita, flagged.flagged)
    assert "Cleared" in html and "by rita:" in html and "Two parcels." in html
    assert "Flag for review cleared" in html  # the timeline, for officers
    assert f'action="{clear_url(flagged.flagged, flagged.flag.pk)}"' not in html
    assert Flag.objects.get(pk=flagged.flag.pk).note == "Two parcels."


@pytest.mark.parametrize("text", ["", "   "])
def test_clearing_without_a_note_is_refused_naming_the_note(flagged, browser_of, text):
    before = snapshot()

    answer = browser_of(flagged.rita).post(
        clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, text)
    )

    assert answer.status_code == 422
    html = answer.content.decode()
    assert f'id="field-flag-{flagged.flag.pk}-note"' in html and "This field is required." in html
    assert snapshot() == before


def test_clearing_twice_is_a_conflict(flagged, browser_of):
    rita = browser_of(flagged.rita)
    rita.post(clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "Done."))
    before = snapshot()

    again = rita.post(clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "Again."))

    assert again.status_code == 409
    assert "this flag was already cleared; nothing was changed" in again.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_a_consumer_or_a_shop_may_not_clear(flagged, browser_of, who):
    before = snapshot()
    client = browser_of(getattr(flagged, who))

    assert (
        client.post(clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "x")).status_code
        == 403
    )
    assert client.post(clear_url(flagged.flagged, 987654), note(987654, "x")).status_code == 403
    assert client.get(reverse("web:flags")).status_code == 403
    assert snapshot() == before


def test_a_flag_of_another_complaint_is_not_found(flagged, browser_of):
    before = snapshot()
    rita = browser_of(flagged.rita)

    assert rita.post(clear_url(flagged.first, flagged.flag.pk), note(flagged.flag.pk, "x")).status_code == 404
    assert rita.post(clear_url(flagged.flagged, 987654), note(987654, "x")).status_code == 404
    assert snapshot() == before


def test_the_console_lists_open_flags_and_the_dashboard_counts_them(flagged, browser_of):
    rita = browser_of(flagged.rita)

    listed = rita.get(reverse("web:flags")).content.decode()
    assert f'id="flag-{flagged.flag.pk}"' in listed and flagged.flagged.reference in listed
    dashboard = rita.get(reverse("web:dashboard")).content.decode()
    assert f'<a href="{reverse("web:flags")}">1</a>' in dashboard

    rita.post(clear_url(flagged.flagged, flagged.flag.pk), note(flagged.flag.pk, "Done."))
    assert "No flag waits for a review." in rita.get(reverse("web:flags")).content.decode()
    assert f'<a href="{reverse("web:flags")}">0</a>' in rita.get(reverse("web:dashboard")).content.decode()
    assert (
        'id="open-flags"' not in browser_of(flagged.alice).get(reverse("web:my_complaints")).content.decode()
    )


def test_a_district_officer_works_with_its_bureaus_flags_only(people, browser_of):
    mine = Bureau.objects.create(
        name_zh="徐汇", name_en="Xuhui", level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )
    people.acme.registered_address, people.acme.registered_district = "1 Road", mine
    people.acme.save()
    insider = browser_of(User.objects.create(username="officer-x", role=Role.REGULATOR, bureau=mine))
    other = Bureau.objects.create(name_zh="静安", name_en="Jing'an", level=BureauLevel.DISTRICT)
    outsider = browser_of(User.objects.create(username="officer-y", role=Role.REGULATOR, bureau=other))
    text = "The kettle leaks from the bottom after a week."
    factories.complaint(people.alice, people.bazaar, order_number="B-1", description=text)
    flagged = factories.complaint(people.alice, people.acme, order_number="A-1", description=text)
    flag = flagged.flags.get()

    html = page(insider, flagged)
    assert "1 more at another bureau" in html  # Bazaar's complaint is the city centre's
    assert f'id="flag-{flag.pk}"' in insider.get(reverse("web:flags")).content.decode()
    assert f'id="flag-{flag.pk}"' not in outsider.get(reverse("web:flags")).content.decode()
    before = snapshot()
    assert outsider.post(clear_url(flagged, flag.pk), note(flag.pk, "Not ours.")).status_code == 404
    assert snapshot() == before
    assert insider.post(clear_url(flagged, flag.pk), note(flag.pk, "Ours.")).status_code == 302


def test_the_list_pages_by_cursor(people, browser_of):
    complaint = factories.complaint(people.alice, people.acme)
    others = [factories.complaint(people.erin, people.bazaar, order_number=f"B-{n}") for n in range(25)]
    for c in [complaint, *others]:
        for reason in ("many_shops", "repeat"):
            Flag.objects.get_or_create(complaint=c, reason=reason, defaults={"raised_at": c.received_at})
    rita = browser_of(people.rita)

    first = rita.get(reverse("web:flags")).content.decode()
    assert first.count('<tr id="flag-') == 50
    following = re.search(r'<a rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    last = rita.get(f"{reverse('web:flags')}?{following}").content.decode()
    assert last.count('<tr id="flag-') == Flag.objects.count() - 50 > 0
    assert rita.get(reverse("web:flags"), {"cursor": "made-up"}).status_code == 400
