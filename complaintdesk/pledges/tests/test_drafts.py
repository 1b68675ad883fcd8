"""Pledge drafts: saving the editor again unchanged makes no copy, and the regulator deletes a draft that
was never published; a published version is what shops signed and stays."""

import pytest

from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.lib.errors import Conflict
from complaintdesk.pledges import services
from complaintdesk.pledges.models import Commitment, PledgeVersion


def _commitments(prefix="v2"):
    return [{"number": n, "text_en": f"{prefix} {n}", "text_zh": f"{prefix} 承诺 {n}"} for n in range(1, 9)]


@pytest.mark.django_db
def test_a_version_identical_to_the_newest_is_refused(people):
    draft = services.create_version(people.rita, "Pledge 2027", _commitments())
    with pytest.raises(Conflict, match=f"version {draft.number} word for word"):
        services.create_version(people.rita, "Pledge 2027", list(reversed(_commitments())))
    assert PledgeVersion.objects.count() == 2  # the default version and the draft


@pytest.mark.django_db
def test_the_published_version_unchanged_is_refused_too(people):
    current = services.current_version()
    same = [
        {"number": c.number, "text_en": c.text_en, "text_zh": c.text_zh} for c in current.commitments.all()
    ]
    with pytest.raises(Conflict):
        services.create_version(people.rita, current.title, same)


@pytest.mark.django_db
def test_a_changed_title_or_a_changed_commitment_makes_a_new_draft(people):
    services.create_version(people.rita, "Pledge 2027", _commitments())
    services.create_version(people.rita, "Pledge 2027 (2)", _commitments())
    changed = _commitments()
    changed[7]["text_zh"] = "改写的第八条"
    newest = services.create_version(people.rita, "Pledge 2027 (2)", changed)
    assert newest.number == 4


@pytest.mark.django_db
def test_the_regulator_deletes_a_draft_with_its_commitments(people):
    draft = services.create_version(people.rita, "Pledge 2027", _commitments())
    assert services.delete_draft(draft.pk, people.rita) == draft.number
    assert not PledgeVersion.objects.filter(pk=draft.pk).exists()
    assert not Commitment.objects.filter(version_id=draft.pk).exists()
    # The number is free again for the next draft.
    assert services.create_version(people.rita, "Pledge 2027", _commitments()).number == draft.number


@pytest.mark.django_db
def test_a_published_version_is_never_deleted(people):
    current = services.current_version()
    with pytest.raises(Conflict, match="is kept"):
        services.delete_draft(current.pk, people.rita)
    assert services.current_version() == current


@pytest.mark.django_db
def test_only_the_regulator_deletes_drafts(people):
    draft = services.create_version(people.rita, "Pledge 2027", _commitments())
    with pytest.raises(ActionForbidden):
        services.delete_draft(draft.pk, people.carol)
    assert PledgeVersion.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_the_api_refuses_a_copy_and_deletes_a_draft(people, api):
    regulator = api(people.rita)
    created = regulator.post("/pledges", {"title": "Pledge 2027", "commitments": _commitments()})
    assert created.status_code == 201
    again = regulator.post("/pledges", {"title": "Pledge 2027", "commitments": _commitments()})
    assert again.status_code == 409 and "word for word" in again.json()["detail"]
    draft_id = created.json()["id"]
    assert api(people.carol).delete(f"/pledges/{draft_id}").status_code == 404  # a shop sees no drafts
    assert regulator.delete(f"/pledges/{draft_id}").status_code == 204
    assert regulator.get(f"/pledges/{draft_id}").status_code == 404
    current = services.current_version()
    assert regulator.delete(f"/pledges/{current.pk}").status_code == 409
