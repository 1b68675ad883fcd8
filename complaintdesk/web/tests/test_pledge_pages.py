"""The pledge in the web: the regulator writes and publishes versions, coordinators sign, and the consumer
or the regulator tags a complaint with the commitments it alleges were broken."""

import pytest
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import ComplaintCommitment, PledgeSignature, PledgeVersion


def _version_form(**overrides):
    data = {"title": "Online retail pledge 2027"}
    for n in range(1, 9):
        data[f"text_en_{n}"] = f"Commitment number {n}"
        data[f"text_zh_{n}"] = f"第{n}条承诺"
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_regulator_writes_and_publishes_a_version_and_shops_sign_again(people, browser_of):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    carol = browser_of(people.carol)
    old = pledges.current_version()
    carol.post(reverse("web:sign_pledge"), {"version": old.number, "confirm": "1"})
    assert PledgeSignature.objects.filter(merchant=people.acme, version=old).exists()
    rita = browser_of(people.rita)
    page = rita.get(reverse("web:pledge_versions")).content.decode()
    assert "Write a new version" in page and "in force" in page
    assert rita.post(reverse("web:pledge_versions"), _version_form()).status_code == 302
    draft = PledgeVersion.objects.get(title="Online retail pledge 2027")
    assert draft.published_at is None and draft.commitments.count() == 8
    assert pledges.current_version() == old
    assert rita.post(reverse("web:publish_pledge", args=[draft.pk]), {"confirm": "1"}).status_code == 302
    assert pledges.current_version() == draft
    shop = carol.get(reverse("web:shop_profile")).content.decode()
    assert f"Sign version {draft.number} for the shop" in shop and "Commitment number 8" in shop
    carol.post(reverse("web:sign_pledge"), {"version": draft.number, "confirm": "1"})
    assert PledgeSignature.objects.filter(
        merchant=people.acme, version=draft, signed_by=people.carol
    ).exists()
    page = rita.get(reverse("web:pledge_versions")).content.decode()
    assert "signed by 1 of 2 active shops" in page


@pytest.mark.django_db
def test_the_new_version_form_starts_from_the_current_text(people, browser_of):
    current = pledges.current_version()
    page = browser_of(people.rita).get(reverse("web:pledge_versions")).content.decode()
    assert current.commitments.get(number=1).text_zh in page.split('id="h-new"', 1)[1]


@pytest.mark.django_db
def test_a_version_with_a_missing_text_is_refused_next_to_the_field(people, browser_of):
    versions = PledgeVersion.objects.count()
    page = browser_of(people.rita).post(reverse("web:pledge_versions"), _version_form(text_zh_5="  "))
    assert page.status_code == 422
    assert "This field is required" in page.content.decode().split('id="field-text_zh_5"', 1)[1]
    assert PledgeVersion.objects.count() == versions


@pytest.mark.django_db
def test_publishing_twice_changes_nothing(people, browser_of):
    current = pledges.current_version()
    rita = browser_of(people.rita)
    response = rita.post(reverse("web:publish_pledge", args=[current.pk]), follow=True)
    assert "Not published" in response.content.decode()
    assert pledges.current_version() == current


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_the_regulator_writes_the_pledge(people, browser_of, who):
    client = browser_of(getattr(people, who))
    versions = PledgeVersion.objects.count()
    assert client.get(reverse("web:pledge_versions")).status_code == 403
    assert client.post(reverse("web:pledge_versions"), _version_form()).status_code == 403
    draft = pledges.create_version(
        people.rita, "Draft", [{"number": n, "text_en": "x", "text_zh": "x"} for n in range(1, 9)]
    )
    assert client.post(reverse("web:publish_pledge", args=[draft.pk]), {"confirm": "1"}).status_code == 403
    draft.refresh_from_db()
    assert draft.published_at is None and PledgeVersion.objects.count() == versions + 1


@pytest.mark.django_db
def test_the_consumer_tags_the_commitments_the_shop_broke(people, browser_of):
    complaint = factories.complaint(people.alice, people.acme)
    alice = browser_of(people.alice)
    page = alice.get(reverse("web:complaint", args=[complaint.pk])).content.decode()
    assert "Pledge commitments alleged broken" in page and "Change the commitments" in page
    response = alice.post(reverse("web:commitments", args=[complaint.pk]), {"numbers": ["3", "4"]})
    assert response.status_code == 302
    assert set(complaint.commitment_tags.values_list("number", flat=True)) == {3, 4}
    alice.post(reverse("web:commitments", args=[complaint.pk]), {"numbers": ["4"]})
    assert set(complaint.commitment_tags.values_list("number", flat=True)) == {4}
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions.count("tag_commitment") == 2 and actions.count("untag_commitment") == 1
    shop = browser_of(people.bob).get(reverse("web:complaint", args=[complaint.pk])).content.decode()
    text = pledges.current_version().commitments.get(number=4).text_en
    assert f"4. {text}" in shop.split('id="pledge-tags"', 1)[1] and "Change the commitments" not in shop
    assert "Pledge commitment alleged broken" in shop


@pytest.mark.django_db
def test_the_consumer_cannot_remove_the_regulators_tag(people, browser_of):
    complaint = factories.complaint(people.alice, people.acme)
    browser_of(people.rita).post(reverse("web:commitments", args=[complaint.pk]), {"numbers": ["7"]})
    page = browser_of(people.alice).post(reverse("web:commitments", args=[complaint.pk]), {"numbers": ["2"]})
    assert page.status_code == 403 and "only the centre removes it" in page.content.decode()
    assert list(complaint.commitment_tags.values_list("number", flat=True)) == [7]


@pytest.mark.django_db
def test_bad_numbers_and_finished_complaints_change_nothing(people, browser_of):
    complaint = factories.complaint(people.alice, people.acme)
    alice = browser_of(people.alice)
    page = alice.post(reverse("web:commitments", args=[complaint.pk]), {"numbers": ["9"]})
    assert page.status_code == 422 and "Select a valid choice" in page.content.decode()
    closed = factories.complaint(people.alice, people.acme, "closed")
    assert (
        "Change the commitments" not in alice.get(reverse("web:complaint", args=[closed.pk])).content.decode()
    )
    assert alice.post(reverse("web:commitments", args=[closed.pk]), {"numbers": ["1"]}).status_code == 409
    assert not ComplaintCommitment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("erin", 404), ("dave", 404), ("bob", 403)])
def test_others_cannot_tag(people, browser_of, who, status):
    complaint = factories.complaint(people.alice, people.acme)
    response = browser_of(getattr(people, who)).post(
        reverse("web:commitments", args=[complaint.pk]), {"numbers": ["1"]}
    )
    assert response.status_code == status
    assert not ComplaintCommitment.objects.exists()


@pytest.mark.django_db
def test_the_pledge_pages_speak_chinese(people, browser_of):
    complaint = factories.complaint(people.alice, people.acme)
    zh = {"accept-language": "zh-hans"}
    page = browser_of(people.rita).get(reverse("web:pledge_versions"), headers=zh).content.decode()
    assert "拟定新版本" in page and "现行" in page
    page = browser_of(people.alice).get(reverse("web:complaint", args=[complaint.pk]), headers=zh)
    text = pledges.current_version().commitments.get(number=1).text_zh
    assert "指称违反的承诺" in page.content.decode() and text in page.content.decode()
