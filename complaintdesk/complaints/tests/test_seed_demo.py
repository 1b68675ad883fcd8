import pytest
from django.core.management import call_command

from complaintdesk.accounts.models import User
from complaintdesk.complaints import demo_flags, demo_groups
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.models import Complaint, ComplaintEvent, ComplaintGroup
from complaintdesk.merchants.models import Merchant


@pytest.mark.django_db
def test_seed_demo_loads_the_spec_logins_and_is_idempotent(api, capsys):
    call_command("seed_demo")
    counts = (
        Merchant.objects.count(),
        User.objects.count(),
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Merchant.objects.count(),
        User.objects.count(),
        Complaint.objects.count(),
        ComplaintEvent.objects.count(),
    ) == counts
    # regulator and admin, the district officers, consumers, shop staff; 200 complaints and the group
    # complaint's members
    assert counts[:3] == (5, 2 + 2 + 20 + 10, 200 + demo_groups.COMPLAINTS + demo_flags.COMPLAINTS)
    out = capsys.readouterr().out
    assert "consumer1…consumer20" in out and "officer-d1" in out and "officer-d2" in out
    group = ComplaintGroup.objects.get(product=demo_groups.PRODUCT)
    assert f"/groups/{group.pk}/" in out

    expected = ["regulator", "officer-d1", "officer-d2"] + [f"consumer{i}" for i in range(1, 21)]
    expected += [f"shop{i}-{r}" for i in range(1, 6) for r in ("agent", "coordinator")]
    for username in expected:
        response = api(None).post("/auth/token", {"username": username, "password": "demo"})
        assert response.status_code == 200, username
        assert response.json()["token"]

    assert set(Complaint.objects.values_list("state", flat=True)) == set(State.values)
    received = Complaint.objects.order_by("received_at").values_list("received_at", flat=True)
    assert (received.last() - received.first()).days >= 360


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token(api):
    call_command("seed_demo")
    response = api(None).post("/auth/token", {"username": "regulator", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong username or password"}
