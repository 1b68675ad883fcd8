"""A refusal the domain words itself reaches the web page in the reader's language."""

import pytest
from django.urls import reverse

from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature


@pytest.mark.django_db
def test_a_coordinator_signing_again_reads_why_not_in_the_language_of_the_switch(people, browser_of):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    version = pledges.current_version()
    pledges.sign(version.pk, people.carol, None)
    signed_at = f"{PledgeSignature.objects.get().signed_at:%Y-%m-%d %H:%M}"
    carol = browser_of(people.carol)

    english = carol.post(reverse("web:sign_pledge"), follow=True).content.decode()
    carol.cookies["django_language"] = "zh-hans"
    chinese = carol.post(reverse("web:sign_pledge"), follow=True).content.decode()

    assert f"the shop signed v{version.number} on {signed_at}" in english
    assert f"本店已于 {signed_at} 签署第 {version.number} 版" in chinese
    assert PledgeSignature.objects.count() == 1
