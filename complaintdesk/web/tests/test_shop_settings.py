"""A shop's compliance profile in the web: the coordinator hands over, the hours move open deadlines, the
history of the published contacts is visible; the regulator manages any shop from the console."""

import pytest
from django.urls import reverse

from complaintdesk.complaints.tests import factories
from complaintdesk.merchants import profile
from complaintdesk.merchants.models import CoordinatorDesignation, ServiceInfoRevision

HOURS = {f"day_{d}": "" for d in range(7)}


@pytest.fixture
def coordinated(people):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "021 6123 4567")
    profile.publish_service_info(people.acme.pk, people.carol, {"service_phone": "400-820-8820"})
    return people


@pytest.mark.django_db
def test_the_coordinator_hands_over_to_an_agent(coordinated, browser_of):
    people = coordinated
    client = browser_of(people.carol)
    page = client.get(reverse("web:shop_profile")).content.decode()
    assert "Hand over to another staff member" in page
    assert "dave" not in page.split('id="edit-coordinator"', 1)[1].split("</details>", 1)[0]
    response = client.post(
        reverse("web:designate_coordinator"), {"user": people.bob.pk, "direct_phone": "138 0013 8000"}
    )
    assert response.status_code == 302 and response.url == reverse("web:queue")
    current = profile.current_coordinator(people.acme)
    assert current.user == people.bob and current.direct_phone == "138 0013 8000"
    people.bob.refresh_from_db(), people.carol.refresh_from_db()
    assert (people.bob.role, people.carol.role) == ("merchant_coordinator", "merchant_agent")
    page = browser_of(people.bob).get(reverse("web:shop_profile")).content.decode()
    history = page.split('id="coordinator-history"', 1)[1].split("</ul>", 1)[0]
    assert "carol" in history and "bob" in history


@pytest.mark.django_db
def test_an_agent_cannot_hand_over(coordinated, browser_of):
    people = coordinated
    client = browser_of(people.bob)
    assert "Hand over to another staff member" not in client.get(reverse("web:shop_profile")).content.decode()
    page = client.post(
        reverse("web:designate_coordinator"), {"user": people.bob.pk, "direct_phone": "138 0013 8000"}
    )
    assert page.status_code == 422 and "Only the shop" in page.content.decode()
    assert profile.current_coordinator(people.acme).user == people.carol


@pytest.mark.django_db
def test_a_bad_handover_shows_the_errors_and_changes_nothing(coordinated, browser_of):
    people = coordinated
    client = browser_of(people.carol)
    page = client.post(
        reverse("web:designate_coordinator"), {"user": people.bob.pk, "direct_phone": "call me"}
    )
    assert page.status_code == 422
    assert "is not a phone number" in page.content.decode().split('id="field-direct_phone"', 1)[1]
    page = client.post(
        reverse("web:designate_coordinator"), {"user": people.dave.pk, "direct_phone": "138 0013 8000"}
    )
    assert page.status_code == 422 and "Select a valid choice" in page.content.decode()
    assert CoordinatorDesignation.objects.filter(merchant=people.acme).count() == 1


@pytest.mark.django_db
def test_the_regulator_designates_a_coordinator_from_the_console(people, browser_of):
    client = browser_of(people.rita)
    scorecards = client.get(reverse("web:regulator_scorecards")).content.decode()
    assert reverse("web:console_shop", args=[people.acme.pk]) in scorecards
    assert "Designate a 12315 coordinator with a direct phone" in scorecards
    page = client.get(reverse("web:console_shop", args=[people.acme.pk])).content.decode()
    assert "Designate the coordinator" in page
    response = client.post(
        reverse("web:console_coordinator", args=[people.acme.pk]),
        {"user": people.bob.pk, "direct_phone": "021 6123 4567"},
    )
    assert response.status_code == 302
    assert profile.current_coordinator(people.acme).user == people.bob


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_the_console_shop_pages_are_for_the_regulator(people, browser_of, who):
    client = browser_of(getattr(people, who))
    assert client.get(reverse("web:console_shop", args=[people.acme.pk])).status_code == 403
    response = client.post(
        reverse("web:console_coordinator", args=[people.acme.pk]),
        {"user": people.bob.pk, "direct_phone": "021 6123 4567"},
    )
    assert response.status_code == 403
    assert not CoordinatorDesignation.objects.exists()


@pytest.mark.django_db
def test_a_consumer_has_no_shop_settings(people, browser_of):
    client = browser_of(people.alice)
    assert client.get(reverse("web:shop_profile")).status_code == 403
    assert client.post(reverse("web:service_hours"), {**HOURS, "day_0": "08:00-20:00"}).status_code == 403


@pytest.mark.django_db
def test_changed_hours_apply_to_new_complaints_and_leave_the_open_deadlines_alone(coordinated, browser_of):
    people = coordinated
    complaint = factories.complaint(people.alice, people.acme)
    before = {d.phase: d.due_at for d in complaint.deadlines.all()}
    everyday = {f"day_{d}": "00:00-24:00" for d in range(7)}
    client = browser_of(people.carol)
    response = client.post(reverse("web:service_hours"), everyday, follow=True)
    assert response.status_code == 200
    people.acme.refresh_from_db()
    assert people.acme.service_hours == {str(d): [["00:00", "24:00"]] for d in range(7)}
    after = {d.phase: d.due_at for d in complaint.deadlines.all()}
    assert after == before
    assert not complaint.events.filter(action="recompute_deadlines").exists()
    page = response.content.decode()
    assert "The new hours apply to complaints received from now on" in page
    assert "Mon–Sun 00:00–24:00" in page
    history = page.split('id="service-info-history"', 1)[1].split("</table>", 1)[0]
    assert "Customer-service hours" in history and "carol" in history


@pytest.mark.django_db
def test_bad_hours_are_shown_next_to_the_day_and_nothing_changes(coordinated, browser_of):
    people = coordinated
    revisions = ServiceInfoRevision.objects.count()
    page = browser_of(people.carol).post(
        reverse("web:service_hours"),
        {**HOURS, "day_0": "18:00-09:00", "day_1": "9 to 5", "day_2": "09:00-13:00, 12:00-18:00"},
    )
    assert page.status_code == 422
    text = page.content.decode()
    field = lambda name: text.split(f'id="field-{name}"', 1)[1].split("</div>", 1)[0]  # noqa: E731
    assert "ends before it starts" in field("day_0")
    assert "is not an interval like 09:00-18:00" in field("day_1")
    assert "overlap" in field("day_2")
    page = browser_of(people.carol).post(reverse("web:service_hours"), HOURS)
    assert page.status_code == 422 and "Publish the hours of at least one day." in page.content.decode()
    people.acme.refresh_from_db()
    assert people.acme.service_hours["0"] == [["09:00", "18:00"]]
    assert ServiceInfoRevision.objects.count() == revisions


@pytest.mark.django_db
def test_hours_below_the_regulators_minimum_are_refused_with_the_rule_and_nothing_changes(
    coordinated, browser_of
):
    people = coordinated
    revisions = ServiceInfoRevision.objects.count()
    page = browser_of(people.carol).post(reverse("web:service_hours"), {**HOURS, "day_6": "23:58-23:59"})
    assert page.status_code == 422
    assert (
        "Customer-service hours must cover at least 5 days a week with at least 4 hours each; these cover 0."
        in page.content.decode()
    )
    people.acme.refresh_from_db()
    assert "6" not in people.acme.service_hours
    assert ServiceInfoRevision.objects.count() == revisions


@pytest.mark.django_db
def test_an_agent_cannot_change_the_hours(coordinated, browser_of):
    people = coordinated
    page = browser_of(people.bob).post(reverse("web:service_hours"), {**HOURS, "day_5": "10:00-16:00"})
    assert page.status_code == 422
    people.acme.refresh_from_db()
    assert "5" not in people.acme.service_hours


@pytest.mark.django_db
def test_the_history_shows_each_change_of_the_contacts(coordinated, browser_of):
    people = coordinated
    client = browser_of(people.carol)
    client.post(
        reverse("web:publish_service_info"),
        {"service_phone": "400-820-8820", "service_email": "help@acme.example"},
    )
    page = client.get(reverse("web:shop_profile")).content.decode()
    rows = page.split('id="service-info-history"', 1)[1].split("</table>", 1)[0].split("<tr>")[2:]
    assert len(rows) == 2
    assert "Customer-service e-mail" in rows[0] and "help@acme.example" in rows[0]
    assert "Customer-service phone" in rows[1]


@pytest.mark.django_db
def test_the_regulator_sees_at_a_glance_which_shops_miss_what(coordinated, browser_of):
    people = coordinated
    client = browser_of(people.rita)
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert '<a href="/console/scorecards/#h-missing">2</a>' in dashboard.split('id="noncompliant"', 1)[1]
    page = client.get(reverse("web:regulator_scorecards")).content.decode()
    missing = page.split('id="h-missing"', 1)[1].split("</table>", 1)[0]
    acme = missing.split("Acme Online", 1)[1].split("</tr>", 1)[0]
    bazaar = missing.split("Bazaar Mall", 1)[1].split("</tr>", 1)[0]
    assert "Sign the current customer-service pledge (version 1; never signed)" in acme
    assert "Designate a 12315 coordinator" not in acme and "Publish customer-service information" not in acme
    assert "Designate a 12315 coordinator" in bazaar and "Publish customer-service information" in bazaar


@pytest.mark.django_db
def test_the_shop_settings_speak_chinese(coordinated, browser_of):
    client = browser_of(coordinated.carol)
    page = client.get(reverse("web:shop_profile"), headers={"accept-language": "zh-hans"}).content.decode()
    assert "移交给其他员工" in page and "修改服务时间" in page and "公示信息变更记录" in page
    assert "星期一" in page and "（第 1 版；从未签署）" not in page
    assert "第 1 版；从未签署" in page
