"""Steps that cannot be undone (withdraw, accept, close, sign the pledge, publish or delete a pledge draft)
are never the open, primary step of a page and ask first: a <dialog> inside the form, or without JavaScript
a confirmation page whose "yes" posts the same values again with confirm=1."""

import re

import pytest
import time_machine
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature, PledgeVersion
from complaintdesk.web.display import CONFIRMATIONS, FINAL_ACTIONS, default_action

NOW = "2026-10-13 10:00 +0800"  # a Tuesday, in working time


def _details(page: str, action: str) -> str:
    """The <details> block of one action on the complaint page."""
    return page.split(f'id="action-{action}"', 1)[1].split("</details>", 1)[0]


def _opening_tag(page: str, action: str) -> str:
    return re.search(rf'<details[^>]*id="action-{action}"[^>]*>', page).group(0)


def test_every_step_that_ends_a_complaint_asks_first():
    assert sorted(FINAL_ACTIONS) == [
        "accept", "close", "record_agreement", "refuse_case", "terminate_mediation", "withdraw",
    ]  # fmt: skip
    assert set(CONFIRMATIONS) == FINAL_ACTIONS
    assert default_action(["provide_info", "accept", "dispute", "escalate", "withdraw"]) == "provide_info"
    assert default_action(["accept", "dispute", "withdraw"]) == "dispute"
    assert default_action(["withdraw"]) is None


@pytest.mark.django_db
def test_a_just_filed_complaint_tells_the_consumer_to_wait_and_keeps_withdraw_closed(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(people.alice, people.acme)
        page = browser_of(people.alice).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert c.state == "submitted"
    assert 'id="next-step"' in page and "Nothing to do now" in page and 'href="#h-evidence"' in page
    assert " open" not in _opening_tag(page, "withdraw")
    withdraw = _details(page, "withdraw")
    assert 'class="primary"' not in withdraw and 'class="danger"' in withdraw
    assert "data-confirm" in withdraw and "hx-post" not in withdraw
    dialog = withdraw.split('<dialog class="confirm"', 1)[1]
    assert "Withdraw this complaint?" in dialog and "cannot be reopened" in dialog
    assert 'name="confirm" value="1"' in dialog and "No, go back" in dialog


@pytest.mark.django_db
def test_the_open_step_on_a_proposal_is_not_accepting_it(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(people.alice, people.acme, "resolution_proposed")
        page = browser_of(people.alice).get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert " open" not in _opening_tag(page, "accept")
    assert " open" in _opening_tag(page, "dispute")
    assert 'class="primary"' not in _details(page, "accept")
    assert 'id="next-step"' not in page


@pytest.mark.django_db
def test_withdrawing_without_javascript_asks_on_a_page_then_withdraws(people, browser_of):
    with time_machine.travel(NOW, tick=False):
        c = factories.complaint(people.alice, people.acme)
        alice = browser_of(people.alice)
        url = reverse("web:act", args=[c.pk, "withdraw"])
        asked = alice.post(url, {"withdraw-message": "Sorted it out with the courier."})
        c.refresh_from_db()
        assert asked.status_code == 200 and c.state == "submitted"
        page = asked.content.decode()
        assert "Withdraw this complaint?" in page and c.reference in page and "cannot be reopened" in page
        assert f'action="{url}"' in page and 'name="confirm" value="1"' in page
        assert 'name="withdraw-message" value="Sorted it out with the courier."' in page
        assert f'href="{reverse("web:complaint", args=[c.pk])}"' in page  # "No, go back"

        done = alice.post(url, {"withdraw-message": "Sorted it out with the courier.", "confirm": "1"})
    c.refresh_from_db()
    assert done.status_code == 302 and c.state == "withdrawn"
    assert c.events.get(action="withdraw").message == "Sorted it out with the courier."


@pytest.mark.django_db
def test_accepting_a_proposal_asks_first(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolution_proposed")
    alice = browser_of(people.alice)
    asked = alice.post(reverse("web:act", args=[c.pk, "accept"]), {})
    c.refresh_from_db()
    assert asked.status_code == 200 and c.state == "resolution_proposed"
    assert "Accept the shop&#x27;s proposal?" in asked.content.decode()
    alice.post(reverse("web:act", args=[c.pk, "accept"]), {"confirm": "1"})
    c.refresh_from_db()
    assert c.state == "resolved"


@pytest.mark.django_db
def test_closing_a_case_asks_the_officer_first(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "in_mediation")
    rita = browser_of(people.rita)
    page = rita.get(reverse("web:complaint", args=[c.pk])).content.decode()
    assert " open" not in _opening_tag(page, "close") and "Close this case?" in _details(page, "close")
    asked = rita.post(reverse("web:act", args=[c.pk, "close"]), {"close-message": "Agreed."})
    c.refresh_from_db()
    assert (
        asked.status_code == 200
        and c.state == "in_mediation"
        and "Close this case?" in asked.content.decode()
    )


@pytest.mark.django_db
def test_a_final_step_the_state_no_longer_allows_is_refused_without_asking(people, browser_of):
    c = factories.complaint(people.alice, people.acme, "resolved")
    page = browser_of(people.alice).post(reverse("web:act", args=[c.pk, "withdraw"]), {})
    assert page.status_code == 409 and "no longer possible" in page.content.decode()


@pytest.mark.django_db
def test_a_bad_message_on_a_final_step_is_shown_on_the_form_not_asked_about(people, browser_of):
    c = factories.complaint(people.alice, people.acme)
    page = browser_of(people.alice).post(
        reverse("web:act", args=[c.pk, "withdraw"]), {"withdraw-message": "x" * 10001}
    )
    assert (
        page.status_code == 422
        and "Withdraw this complaint?" not in page.content.decode().split("<dialog")[0]
    )


@pytest.mark.django_db
def test_signing_the_pledge_asks_first_and_signs_only_the_version_read(people, browser_of):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    version = pledges.current_version()
    carol = browser_of(people.carol)
    shop = carol.get(reverse("web:shop_profile")).content.decode()
    form = shop.split('id="sign-pledge"', 1)[1].split("</form>", 1)[0]
    assert "data-confirm" in form and f'name="version" value="{version.number}"' in form
    assert 'class="primary"' not in form and "Sign version" in form and "cannot be withdrawn" in form

    asked = carol.post(reverse("web:sign_pledge"), {"version": version.number})
    assert asked.status_code == 200 and not PledgeSignature.objects.exists()
    assert f"Sign version {version.number} of the pledge for the shop?" in asked.content.decode()

    stale = carol.post(
        reverse("web:sign_pledge"), {"version": version.number - 1, "confirm": "1"}, follow=True
    )
    assert "A new version of the pledge was published meanwhile" in stale.content.decode()
    assert not PledgeSignature.objects.exists()

    carol.post(reverse("web:sign_pledge"), {"version": version.number, "confirm": "1"})
    assert PledgeSignature.objects.filter(version=version, signed_by=people.carol).exists()


def _draft(people, prefix="Draft"):
    return pledges.create_version(
        people.rita,
        prefix,
        [{"number": n, "text_en": f"{prefix} {n}", "text_zh": f"{prefix} {n}"} for n in range(1, 9)],
    )


@pytest.mark.django_db
def test_publishing_a_draft_asks_first(people, browser_of):
    draft = _draft(people)
    rita = browser_of(people.rita)
    page = rita.get(reverse("web:pledge_versions")).content.decode()
    block = page.split(f'id="version-{draft.number}"', 1)[1].split("</details>", 1)[0]
    assert block.count("data-confirm") == 2 and f"Publish version {draft.number} of the pledge?" in block
    asked = rita.post(reverse("web:publish_pledge", args=[draft.pk]))
    draft.refresh_from_db()
    assert asked.status_code == 200 and draft.published_at is None
    assert "cannot be changed, unpublished or deleted" in asked.content.decode()
    rita.post(reverse("web:publish_pledge", args=[draft.pk]), {"confirm": "1"})
    assert pledges.current_version() == draft


@pytest.mark.django_db
def test_the_regulator_deletes_a_draft_after_confirming_but_never_a_published_version(people, browser_of):
    draft = _draft(people)
    rita = browser_of(people.rita)
    url = reverse("web:delete_pledge_draft", args=[draft.pk])
    asked = rita.post(url)
    assert asked.status_code == 200 and "Delete draft version" in asked.content.decode()
    assert PledgeVersion.objects.filter(pk=draft.pk).exists()
    done = rita.post(url, {"confirm": "1"}, follow=True)
    assert f"Draft version {draft.number} deleted." in done.content.decode()
    assert not PledgeVersion.objects.filter(pk=draft.pk).exists()

    current = pledges.current_version()
    page = rita.get(reverse("web:pledge_versions")).content.decode()
    assert reverse("web:delete_pledge_draft", args=[current.pk]) not in page
    refused = rita.post(reverse("web:delete_pledge_draft", args=[current.pk]), {"confirm": "1"}, follow=True)
    assert "Not deleted" in refused.content.decode() and pledges.current_version() == current


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_the_regulator_deletes_drafts(people, browser_of, who):
    draft = _draft(people)
    response = browser_of(getattr(people, who)).post(
        reverse("web:delete_pledge_draft", args=[draft.pk]), {"confirm": "1"}
    )
    assert response.status_code == 403 and PledgeVersion.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_saving_the_editor_again_unchanged_makes_no_second_draft(people, browser_of):
    rita = browser_of(people.rita)
    data = {"title": "Pledge 2027"}
    for n in range(1, 9):
        data[f"text_en_{n}"], data[f"text_zh_{n}"] = f"Commitment {n}", f"承诺 {n}"
    assert rita.post(reverse("web:pledge_versions"), data).status_code == 302
    versions = PledgeVersion.objects.count()
    again = rita.post(reverse("web:pledge_versions"), data)
    assert again.status_code == 422
    assert "word for word" in again.content.decode().split('id="h-new"', 1)[1]
    assert PledgeVersion.objects.count() == versions
    data["text_en_8"] = "Commitment 8, reworded"
    assert rita.post(reverse("web:pledge_versions"), data).status_code == 302
    assert PledgeVersion.objects.count() == versions + 1
