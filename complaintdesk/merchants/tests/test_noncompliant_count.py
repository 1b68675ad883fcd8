"""The dashboard's count of shops missing an obligation (`compliance.noncompliant_count`) is the number of
shops `compliance.check` finds non-compliant, at each step of a shop meeting its obligations."""

import pytest

from complaintdesk.merchants import compliance, profile
from complaintdesk.merchants.models import Merchant
from complaintdesk.pledges import services as pledges

pytestmark = pytest.mark.django_db


def _both_ways() -> tuple[int, int]:
    shops = Merchant.objects.all()
    return compliance.noncompliant_count(shops), sum(1 for c in compliance.check(shops) if not c.compliant)


def test_the_count_is_the_checks_at_every_step(people, django_assert_max_num_queries):
    counted, checked = _both_ways()
    assert counted == checked == Merchant.objects.count()
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    assert _both_ways() == (checked, checked)  # no service information yet
    profile.publish_service_info(people.acme.pk, people.carol, {"service_phone": "400-820-8820"})
    current = pledges.current_version()
    if current is not None:  # a current pledge to sign: still missing until Acme signs it
        assert _both_ways() == (checked, checked)
        pledges.sign(current.pk, people.carol, "127.0.0.1")
    assert _both_ways() == (checked - 1, checked - 1)
    assert compliance.noncompliant_count(Merchant.objects.filter(pk=people.acme.pk)) == 0
    with django_assert_max_num_queries(2):  # the current pledge, then the count
        compliance.noncompliant_count(Merchant.objects.all())
