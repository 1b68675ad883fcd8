import pytest

from complaintdesk.alerts import services
from complaintdesk.alerts.models import Alert
from complaintdesk.complaints.tests import factories
from complaintdesk.notify.models import NotificationChannel, OutboxMessage


@pytest.mark.django_db
def test_an_episode_raises_one_alert_and_repeats_only_add_complaints(people):
    NotificationChannel.objects.create(kind="email", target="desk@12315.test")
    first, second = (factories.complaint(people.alice, people.acme) for _ in range(2))
    alert, created = services.raise_alert(
        "surge", people.acme, "2026-11-28T10", "Surge at Acme", [first], observed=9
    )
    again, created_again = services.raise_alert(
        "surge", people.acme, "2026-11-28T10", "Surge at Acme", [second]
    )
    assert (created, created_again) == (True, False)
    assert again.pk == alert.pk
    assert set(alert.complaints.all()) == {first, second}
    assert Alert.objects.count() == 1
    assert OutboxMessage.objects.filter(event="alert", kind="email").count() == 1


@pytest.mark.django_db
def test_the_regulator_acknowledges_then_closes_through_the_api(people, api):
    alert, _ = services.raise_alert("mass_incident", people.acme, "k", "Same text ×12")
    client = api(people.rita)
    listed = client.get("/alerts", {"state": "open"}).json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    assert (
        client.post(f"/alerts/{alert.pk}/acknowledge", {"note": "Calling the shop"}).json()["state"]
        == "acknowledged"
    )
    assert client.post(f"/alerts/{alert.pk}/acknowledge", {}).status_code == 409
    closed = client.post(f"/alerts/{alert.pk}/close", {"note": "Shop fixed the listing"}).json()
    assert closed["state"] == "closed"
    assert closed["note"] == "Calling the shop\nShop fixed the listing"
    assert client.post(f"/alerts/{alert.pk}/close", {}).status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_the_regulator_sees_alerts(people, api, who):
    alert, _ = services.raise_alert("surge", people.acme, "k", "Surge")
    client = api(getattr(people, who))
    assert client.get("/alerts").status_code == 403
    assert client.get(f"/alerts/{alert.pk}").status_code == 403
    assert client.post(f"/alerts/{alert.pk}/close", {}).status_code == 403
    assert Alert.objects.get().state == "open"
