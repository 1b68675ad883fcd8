"""seed_demo's shop obligations: something to show in the compliance list and the filings queue."""

import pytest
from django.core.management import call_command

from complaintdesk.merchants import compliance
from complaintdesk.merchants.models import CoordinatorDesignation, Merchant, ServiceInfoRevision
from complaintdesk.pledges.models import PledgeSignature
from complaintdesk.promotions.models import Promotion, PromotionEvent


def _counts():
    return (
        CoordinatorDesignation.objects.count(),
        ServiceInfoRevision.objects.count(),
        PledgeSignature.objects.count(),
        Promotion.objects.count(),
        PromotionEvent.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_has_coordinators_service_info_signatures_and_filings_once():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first == (5, 4, 3, 4, 6)

    coordinators = CoordinatorDesignation.objects.filter(ended_at__isnull=True)
    assert sorted(d.user.username for d in coordinators) == [f"shop{i}-coordinator" for i in range(1, 6)]
    missing = {e.merchant.name.split()[0]: e.missing for e in compliance.check(Merchant.objects.all())}
    assert missing == {
        "Jinghua": [],
        "Lanting": [],
        "Xiaoman": ["pledge"],
        "Chuncheng": [],
        "Yunfan": ["service_info", "pledge"],
    }
    filings = {p.merchant.name.split()[0]: p for p in Promotion.objects.select_related("merchant")}
    assert filings["Jinghua"].state == "accepted"
    assert filings["Lanting"].state == "returned" and not filings["Lanting"].meets_staffing_target
    assert filings["Xiaoman"].late is True
    assert filings["Chuncheng"].late is False
