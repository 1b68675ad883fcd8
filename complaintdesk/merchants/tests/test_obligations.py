"""A shop's compliance profile: published service information with its history, the public directory, the
designated 12315 coordinator (who gets the escalations), and the regulator's list of non-compliant shops."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import CoordinatorDesignation, Merchant, ServiceInfoRevision
from complaintdesk.notify import outbox
from complaintdesk.notify.models import OutboxMessage
from complaintdesk.pledges import services as pledges

INFO = {
    "service_phone": "400-820-8820",
    "service_email": "service@acme.example.cn",
    "service_chat_url": "https://acme.example.cn/chat",
    "returns_address": "上海市浦东新区张江路100号",
}
SH = ZoneInfo("Asia/Shanghai")


def put(client, path, body):
    """A JSON PUT (the shared test client has get/post/patch/delete)."""
    return client._call("put", path, body)


def _profile_state():
    shops = list(
        Merchant.objects.order_by("pk").values_list(*profile.SERVICE_INFO_FIELDS, "service_info_published_at")
    )
    return shops, ServiceInfoRevision.objects.count(), CoordinatorDesignation.objects.count()


@pytest.mark.django_db
def test_the_coordinator_publishes_service_info_and_every_change_is_kept(people, api):
    client = api(people.carol)
    first = client.patch(f"/merchants/{people.acme.pk}/service-info", INFO)
    assert first.status_code == 200, first.content
    assert first.json()["service_phone"] == "400-820-8820"
    assert first.json()["service_info_published_at"] is not None
    second = client.patch(f"/merchants/{people.acme.pk}/service-info", {"service_phone": "021-6123 4567"})
    assert second.status_code == 200
    same = client.patch(f"/merchants/{people.acme.pk}/service-info", {"service_phone": "021-6123 4567"})
    assert same.status_code == 200

    history = client.get(f"/merchants/{people.acme.pk}/service-info/history").json()
    assert [(h["service_phone"], h["changed_fields"], h["changed_by"]) for h in history] == [
        ("021-6123 4567", ["service_phone"], "carol"),
        ("400-820-8820", sorted(INFO), "carol"),
    ]
    assert history[0]["service_email"] == INFO["service_email"]


@pytest.mark.django_db
def test_changed_hours_are_published_and_kept_with_the_hours_the_shop_had_before(people, api):
    complaint = factories.complaint(people.alice, people.acme)
    before = complaint.deadlines.get(phase="resolution").due_at
    response = api(people.carol).patch(
        f"/merchants/{people.acme.pk}/service-info",
        {**INFO, "service_hours": {str(d): [["09:00", "13:00"]] for d in range(5)}},
    )
    assert response.status_code == 200
    assert response.json()["service_hours"]["0"] == [["09:00", "13:00"]]
    assert complaint.deadlines.get(phase="resolution").due_at == before
    # The shop's first change of hours keeps the hours it was created with, for complaints received before.
    created, published = ServiceInfoRevision.objects.order_by("id")
    assert (created.changed_fields, created.changed_by, created.service_hours["0"]) == (
        [],
        None,
        [["09:00", "18:00"]],
    )
    assert published.changed_fields == sorted([*INFO, "service_hours"])
    history = api(people.carol).get(f"/merchants/{people.acme.pk}/service-info/history").json()
    assert [(h["changed_by"], h["changed_fields"]) for h in history] == [
        ("carol", sorted([*INFO, "service_hours"])),
        (None, []),
    ]


@pytest.mark.django_db
def test_publishing_changed_hours_moves_no_open_deadline_and_unchanged_hours_record_nothing(people):
    hours = {str(d): [["09:00", "13:00"]] for d in range(5)}
    with time_machine.travel(datetime(2026, 6, 3, 10, tzinfo=SH), tick=False):
        complaint = factories.complaint(people.alice, people.acme, kind="quality_issue")
        assert complaint.deadlines.get(phase="reply").due_at == datetime(2026, 6, 3, 14, tzinfo=SH)

        published = profile.publish_service_info(
            people.acme.pk, people.carol, {**INFO, "service_hours": hours}
        )
        assert "service_hours" in published.changed
        people.acme.refresh_from_db()
        assert people.acme.working_time_since == datetime(2026, 6, 3, 10, tzinfo=SH)

        again = profile.publish_service_info(
            people.acme.pk, people.carol, {"service_hours": hours, "service_phone": "021-6123 4567"}
        )
        assert again.changed == ["service_phone"]
    assert complaint.deadlines.get(phase="reply").due_at == datetime(2026, 6, 3, 14, tzinfo=SH)
    assert not complaint.events.filter(action="recompute_deadlines").exists()
    assert list(ServiceInfoRevision.objects.order_by("id").values_list("changed_fields", flat=True)) == [
        [],
        sorted([*INFO, "service_hours"]),
        ["service_phone"],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"service_phone": "call us"}, "service_phone", "is not a phone number"),
        ({"service_phone": "12"}, "service_phone", "is not a phone number"),
        ({"service_email": "not-an-email"}, "service_email", "valid email"),
        ({"service_chat_url": "javascript:alert(1)"}, "service_chat_url", "valid URL"),
        ({"returns_address": "x" * 501}, "returns_address", "at most 500 characters"),
        ({"service_hours": {"8": [["09:00", "18:00"]]}}, "service_hours", "Unknown weekday 8"),
        ({"service_phone": None}, "service_phone", "may not be null"),
        (
            {"service_phone": "", "service_email": "", "service_chat_url": ""},
            "service_phone",
            "at least one way",
        ),
        ({"service_phone": 4008208820}, "service_phone", "valid string"),
    ],
)
def test_bad_service_info_names_the_field_and_changes_nothing(people, api, change, field, message):
    before = _profile_state()
    response = api(people.carol).patch(f"/merchants/{people.acme.pk}/service-info", {**INFO, **change})
    assert response.status_code == 422, response.content
    assert any(field in i["loc"] and message in i["msg"] for i in response.json()["detail"]), response.json()
    assert _profile_state() == before


@pytest.mark.django_db
def test_agents_consumers_and_other_shops_cannot_publish(people, api):
    before = _profile_state()
    assert api(people.bob).patch(f"/merchants/{people.acme.pk}/service-info", INFO).status_code == 403
    assert api(people.dave).patch(f"/merchants/{people.acme.pk}/service-info", INFO).status_code == 404
    assert api(people.alice).patch(f"/merchants/{people.acme.pk}/service-info", INFO).status_code == 404
    assert api(people.alice).get(f"/merchants/{people.acme.pk}/service-info/history").status_code == 404
    assert _profile_state() == before
    assert api(people.rita).patch(f"/merchants/{people.acme.pk}/service-info", INFO).status_code == 200


@pytest.mark.django_db
def test_the_public_directory_shows_contacts_and_the_pledge_but_no_personal_data(people, api):
    profile.publish_service_info(people.acme.pk, people.rita, INFO)
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "138 0013 8000")
    pledges.sign(pledges.current_version().pk, people.carol, "10.1.2.3")
    response = api(None).get("/merchants/directory", {"q": "acme"})
    assert response.status_code == 200
    [entry] = response.json()["items"]
    assert {k: entry[k] for k in INFO} == INFO
    assert entry["pledge_signed"] is True
    text = response.content.decode()
    for personal in ("carol", "138 0013 8000", "10.1.2.3", people.acme.credit_code):
        assert personal not in text
    bazaar = api(None).get("/merchants/directory", {"q": "bazaar"}).json()["items"][0]
    assert (bazaar["service_phone"], bazaar["service_info_published_at"], bazaar["pledge_signed"]) == (
        "",
        None,
        False,
    )


@pytest.mark.django_db
def test_designating_the_coordinator_keeps_exactly_one_and_its_history(people, api):
    client = api(people.rita)
    first = put(
        client,
        f"/merchants/{people.acme.pk}/coordinator",
        {"user": people.carol.pk, "direct_phone": "138 0013 8000"},
    )
    assert first.status_code == 200, first.content
    assert (first.json()["username"], first.json()["direct_phone"]) == ("carol", "138 0013 8000")

    # Carol hands over to Bob: Bob becomes the coordinator, Carol an agent.
    handover = put(
        api(people.carol),
        f"/merchants/{people.acme.pk}/coordinator",
        {"user": people.bob.pk, "direct_phone": "139 0000 0001"},
    )
    assert handover.status_code == 200, handover.content
    roles = dict(User.objects.filter(merchant=people.acme).values_list("username", "role"))
    assert roles == {"bob": Role.MERCHANT_COORDINATOR, "carol": Role.MERCHANT_AGENT}
    assert CoordinatorDesignation.objects.filter(merchant=people.acme, ended_at__isnull=True).count() == 1

    shown = api(people.bob).get(f"/merchants/{people.acme.pk}/coordinator").json()
    assert shown["current"]["username"] == "bob"
    assert [(h["username"], h["ended_at"] is None) for h in shown["history"]] == [
        ("bob", True),
        ("carol", False),
    ]
    assert api(people.dave).get(f"/merchants/{people.acme.pk}/coordinator").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"user": "dave", "direct_phone": "138 0013 8000"}, "user", "valid integer"),
        ({"direct_phone": "138 0013 8000"}, "user", "Field required"),
        ({"user": 0, "direct_phone": "138 0013 8000"}, "user", "no active staff member 0 in this shop"),
        ({"user": "ALICE", "direct_phone": "138 0013 8000"}, "user", "no active staff member"),
        ({"user": "DAVE", "direct_phone": "138 0013 8000"}, "user", "no active staff member"),
        ({"user": "CAROL", "direct_phone": "ring ring"}, "direct_phone", "is not a phone number"),
        ({"user": "CAROL", "direct_phone": ""}, "direct_phone", "at least 1 character"),
    ],
)
def test_a_bad_designation_names_the_field_and_changes_nothing(people, api, body, field, message):
    ids = {"ALICE": people.alice.pk, "DAVE": people.dave.pk, "CAROL": people.carol.pk}
    body = {k: ids.get(v, v) for k, v in body.items()}
    before = (_profile_state(), list(User.objects.order_by("pk").values_list("role", flat=True)))
    response = put(api(people.rita), f"/merchants/{people.acme.pk}/coordinator", body)
    assert response.status_code == 422, response.content
    assert any(i["loc"][-1] == field and message in i["msg"] for i in response.json()["detail"]), (
        response.json()
    )
    assert (_profile_state(), list(User.objects.order_by("pk").values_list("role", flat=True))) == before


@pytest.mark.django_db
def test_agents_and_consumers_cannot_designate(people, api):
    body = {"user": people.bob.pk, "direct_phone": "138 0013 8000"}
    assert put(api(people.bob), f"/merchants/{people.acme.pk}/coordinator", body).status_code == 403
    assert put(api(people.alice), f"/merchants/{people.acme.pk}/coordinator", body).status_code == 404
    assert put(api(people.dave), f"/merchants/{people.acme.pk}/coordinator", body).status_code == 404
    assert CoordinatorDesignation.objects.count() == 0


@pytest.mark.django_db
def test_breach_escalations_go_to_the_designated_coordinator(people):
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    # Before any designation, whoever holds the role.
    assert [t[1] for t in outbox.shop_targets(people.acme, coordinators_only=True)] == ["carol@acme.test"]
    profile.designate_coordinator(people.acme.pk, people.rita, people.bob.pk, "138 0013 8000")
    assert [t[1] for t in outbox.shop_targets(people.acme, coordinators_only=True)] == ["bob@acme.test"]

    complaint = factories.complaint(people.alice, people.acme)
    due = complaint.deadlines.get(phase="first_response").due_at
    sweep.sweep(due + timedelta(seconds=1))
    escalation = OutboxMessage.objects.filter(event="deadline_breach").values_list("target", flat=True)
    assert "bob@acme.test" in escalation
    assert "carol@acme.test" not in escalation


@pytest.mark.django_db
def test_coordinator_messages_go_to_the_designated_coordinator_whatever_the_roles_say(
    people, django_assert_num_queries
):
    for user, email in ((people.bob, "bob@acme.test"), (people.carol, "carol@acme.test")):
        user.email = email
        user.save()
    profile.designate_coordinator(people.acme.pk, people.rita, people.bob.pk, "138 0013 8000")
    # The user admin edits the role field directly, past designate_coordinator.
    User.objects.filter(pk=people.carol.pk).update(role=Role.MERCHANT_COORDINATOR)
    with django_assert_num_queries(2):  # the staff, the shop's channels
        targets = outbox.shop_targets(people.acme, coordinators_only=True)
    assert [t[1] for t in targets] == ["bob@acme.test"]


@pytest.mark.django_db
def test_the_regulator_sees_which_shops_miss_what(people, api):
    profile.publish_service_info(people.acme.pk, people.rita, INFO)
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "138 0013 8000")
    pledges.sign(pledges.current_version().pk, people.carol, None)
    Merchant.objects.create(name="Closed Shop", credit_code="914403001922038216", is_active=False)

    listed = api(people.rita).get("/merchants/compliance")
    assert listed.status_code == 200
    by_name = {e["merchant_name"]: e for e in listed.json()["items"]}
    assert set(by_name) == {"Acme Online", "Bazaar Mall"}
    assert (by_name["Acme Online"]["compliant"], by_name["Acme Online"]["missing"]) == (True, [])
    assert by_name["Acme Online"]["coordinator"]["username"] == "carol"
    bazaar = by_name["Bazaar Mall"]
    assert bazaar["compliant"] is False
    assert bazaar["missing"] == ["coordinator", "service_info", "pledge"]
    assert bazaar["reasons"][2] == "Sign the current customer-service pledge (v1; never signed)"

    only_bad = api(people.rita).get("/merchants/compliance", {"compliant": "false"}).json()["items"]
    assert [e["merchant_name"] for e in only_bad] == ["Bazaar Mall"]
    missing_pledge = api(people.rita).get("/merchants/compliance", {"missing": "pledge"}).json()["items"]
    assert [e["merchant_name"] for e in missing_pledge] == ["Bazaar Mall"]
    assert api(people.rita).get("/merchants/compliance", {"missing": "charm"}).status_code == 422


@pytest.mark.django_db
def test_a_shop_sees_its_own_checklist_but_not_the_list(people, api):
    own = api(people.dave).get(f"/merchants/{people.bazaar.pk}/compliance")
    assert own.status_code == 200
    assert own.json()["missing"] == ["coordinator", "service_info", "pledge"]
    assert api(people.dave).get(f"/merchants/{people.acme.pk}/compliance").status_code == 404
    assert api(people.dave).get("/merchants/compliance").status_code == 403
    assert api(people.alice).get("/merchants/compliance").status_code == 403


@pytest.mark.django_db
def test_the_regulators_change_of_hours_is_in_the_history_too(people, api):
    hours = {str(d): [["10:00", "16:00"]] for d in range(1, 6)}
    response = api(people.rita).patch(f"/merchants/{people.acme.pk}", {"service_hours": hours})
    assert response.status_code == 200
    created, revision = ServiceInfoRevision.objects.order_by("id")
    assert (created.changed_fields, created.service_hours) == ([], people.acme.service_hours)
    assert (revision.changed_fields, revision.service_hours, revision.changed_by) == (
        ["service_hours"],
        hours,
        people.rita,
    )
    assert revision.changed_at <= timezone.now()


@pytest.mark.django_db
def test_the_regulators_change_of_time_zone_is_in_the_history_and_moves_no_deadline(people, api):
    complaint = factories.complaint(people.alice, people.acme)
    before = {d.phase: d.due_at for d in complaint.deadlines.all()}
    response = api(people.rita).patch(f"/merchants/{people.acme.pk}", {"time_zone": "Asia/Urumqi"})
    assert response.status_code == 200
    created, revision = ServiceInfoRevision.objects.order_by("id")
    assert (created.time_zone, revision.time_zone, revision.changed_fields) == (
        "Asia/Shanghai",
        "Asia/Urumqi",
        ["time_zone"],
    )
    assert {d.phase: d.due_at for d in complaint.deadlines.all()} == before
