"""Promotion filings over HTTP: filing, lateness, every field's validation, roles, review and resubmission,
the PDF plan."""

import math
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.notify.models import NotificationChannel, OutboxMessage
from complaintdesk.promotions import erlang
from complaintdesk.promotions.models import FilingPolicy, Promotion, PromotionEvent
from complaintdesk.promotions.tests.helpers import FILING_DAY, SHANGHAI, payload

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _state():
    return (
        list(
            Promotion.objects.order_by("pk").values_list(
                "pk", "state", "staff_per_shift", "starts_at", "late"
            )
        ),
        PromotionEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def _file(api, user, **overrides):
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(user).post("/promotions", payload(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_a_shop_files_a_promotion_and_sees_its_staffing_verdict(people, api):
    NotificationChannel.objects.create(kind="email", target="filings@12315.test")
    body = _file(api, people.bob)
    assert body["state"] == "submitted"
    assert body["late"] is False
    assert body["merchant"] == people.acme.pk
    assert datetime.fromisoformat(body["due_by"]) == datetime(2026, 11, 6, 9, 0, tzinfo=SHANGHAI)
    staffing = body["staffing"]
    # 20,000 peak-hour orders × the default 0.001 complaints per order = 20 an hour; 6 minutes each = 2 Erlangs.
    assert staffing["arrival_rate_per_hour"] == pytest.approx(20.0)
    assert staffing["rate_source"] == "default"
    assert staffing["wait_probability"] == pytest.approx(erlang.erlang_c(4, 2.0))
    # 4 agents at 10 an hour against 20 an hour, 2-hour window: 1 − C·e^{−(cμ − λ)t} = 1 − C·e^{−40}.
    assert staffing["share_within_window"] == pytest.approx(1 - erlang.erlang_c(4, 2.0) * math.exp(-40))
    assert staffing["window_minutes"] == 120
    assert staffing["target"] == 0.95
    assert staffing["min_staff_for_target"] == 3
    assert staffing["meets_target"] is True
    assert [e["action"] for e in body["events"]] == ["file"]
    assert OutboxMessage.objects.filter(event="promotion_filed", target="filings@12315.test").count() == 1


@pytest.mark.django_db
def test_below_the_target_the_filing_shows_the_minimum_staff(people, api):
    body = _file(api, people.bob, peak_hour_orders=100000, staff_per_shift=9)
    staffing = body["staffing"]
    assert staffing["arrival_rate_per_hour"] == pytest.approx(100.0)  # 10 Erlangs: 9 agents never catch up
    assert staffing["wait_probability"] == 1.0
    assert staffing["share_within_window"] == 0.0
    assert staffing["meets_target"] is False
    assert staffing["min_staff_for_target"] == erlang.min_servers(100.0, 10.0, 2.0, 0.95) == 11
    assert Promotion.objects.get(pk=body["id"]).meets_staffing_target is False


@pytest.mark.django_db
def test_a_late_filing_is_accepted_and_marked_late(people, api):
    with time_machine.travel(datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI), tick=False):
        response = api(people.carol).post("/promotions", payload())
    assert response.status_code == 201
    assert (response.json()["state"], response.json()["late"]) == ("submitted", True)
    assert PromotionEvent.objects.get().data["late"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filed_at", "late"),
    [
        (datetime(2026, 9, 29, 8, 59, tzinfo=SHANGHAI), False),
        (datetime(2026, 9, 29, 9, 1, tzinfo=SHANGHAI), True),
        (datetime(2026, 10, 6, 10, 0, tzinfo=SHANGHAI), True),  # a weekday count would call this on time
    ],
)
def test_the_lead_time_skips_the_national_day_holiday(people, api, filed_at, late):
    with time_machine.travel(filed_at, tick=False):
        response = api(people.bob).post(
            "/promotions", payload(starts_at="2026-10-09T10:00:00+08:00", ends_at="2026-10-11T00:00:00+08:00")
        )
    assert response.status_code == 201
    body = response.json()
    assert datetime.fromisoformat(body["due_by"]) == datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI)
    assert body["late"] is late


@pytest.mark.django_db
def test_the_lead_time_is_the_regulators_setting(people, api):
    FilingPolicy.objects.create(lead_working_days=1)
    body = _file(api, people.bob)
    assert datetime.fromisoformat(body["due_by"]) == datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    assert body["lead_working_days"] == 1


BAD_INPUT = [
    ({"name": ""}, "name", "must not be empty"),  # the domain's, with any other field's refusal
    ({"name": "x" * 201}, "name", "at most 200 characters"),
    ({"type": "black_friday"}, "type", "'double_11'"),
    ({"starts_at": "next week"}, "starts_at", "valid datetime"),
    ({"starts_at": "2026-11-11T00:00:00"}, "starts_at", "time zone offset"),
    ({"starts_at": "2026-10-01T00:00:00+08:00"}, "starts_at", "must be in the future"),
    ({"ends_at": "2026-11-10T00:00:00+08:00"}, "ends_at", "must be after the start"),
    ({"ends_at": "2026-11-11T00:00:00+08:00"}, "ends_at", "must be after the start"),
    ({"ends_at": "2028-01-01T00:00:00+08:00"}, "ends_at", "at most 366 days"),
    ({"expected_orders": 0}, "expected_orders", "greater than 0"),
    ({"expected_orders": -5}, "expected_orders", "greater than 0"),
    ({"expected_orders": "lots"}, "expected_orders", "valid integer"),
    ({"expected_orders": True}, "expected_orders", "valid integer"),
    ({"expected_orders": 1.5}, "expected_orders", "valid integer"),
    ({"peak_hour_orders": 0}, "peak_hour_orders", "greater than 0"),
    ({"peak_hour_orders": 300000}, "peak_hour_orders", "cannot exceed the expected orders in total"),
    ({"staff_per_shift": 0}, "staff_per_shift", "greater than 0"),
    ({"staff_per_shift": 2.5}, "staff_per_shift", "valid integer"),
    ({"avg_handling_minutes": 0}, "avg_handling_minutes", "greater than 0"),
    ({"avg_handling_minutes": -3}, "avg_handling_minutes", "greater than 0"),
    ({"avg_handling_minutes": 2000}, "avg_handling_minutes", "less than or equal to 1440"),
    ({"avg_handling_minutes": "quick"}, "avg_handling_minutes", "valid decimal"),
    ({"emergency_plan": "  "}, "emergency_plan", "must not be empty"),
    ({"contacts": []}, "contacts", "at least 1 item"),
    ({"contacts": [{"name": "Wang", "phone": "call me"}]}, "contacts", "not a phone number"),
    ({"contacts": [{"phone": "400-820-8820"}]}, "name", "Field required"),
    ({"emergency_plan": None}, "emergency_plan", "valid string"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_names_the_field_and_changes_nothing(people, api, change, field, message):
    before = _state()
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(people.bob).post("/promotions", payload(**change))
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    assert any(field in i["loc"] and message in i["msg"] for i in issues), issues
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["name", "starts_at", "expected_orders", "emergency_plan", "contacts"])
def test_a_missing_field_is_named(people, api, missing):
    body = payload()
    del body[missing]
    response = api(people.bob).post("/promotions", body)
    assert response.status_code == 422
    assert any(i["loc"][-1] == missing and "required" in i["msg"] for i in response.json()["detail"])
    assert Promotion.objects.count() == 0


@pytest.mark.django_db
def test_consumers_can_neither_file_nor_see_filings(people, api):
    filing = _file(api, people.bob)
    client = api(people.alice)
    before = _state()
    assert client.post("/promotions", payload()).status_code == 403
    assert client.get("/promotions").status_code == 403
    assert client.get(f"/promotions/{filing['id']}").status_code == 403
    assert client.post(f"/promotions/{filing['id']}/accept", {}).status_code == 403
    assert _state() == before


@pytest.mark.django_db
def test_the_regulator_reviews_but_does_not_file(people, api):
    response = api(people.rita).post("/promotions", payload())
    assert response.status_code == 403
    assert Promotion.objects.count() == 0


@pytest.mark.django_db
def test_another_shops_filing_is_not_found(people, api):
    filing = _file(api, people.bob)
    client = api(people.dave)
    before = _state()
    assert client.get(f"/promotions/{filing['id']}").status_code == 404
    assert client.patch(f"/promotions/{filing['id']}", {"staff_per_shift": 9}).status_code == 404
    assert client.post(f"/promotions/{filing['id']}/resubmit", {}).status_code == 404
    assert client.get(f"/promotions/{filing['id']}/plan").status_code == 404
    assert client.get("/promotions").json()["items"] == []
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bob", "carol"])
def test_a_shop_cannot_review_its_own_filing(people, api, who):
    filing = _file(api, people.bob)
    client = api(getattr(people, who))
    before = _state()
    assert client.post(f"/promotions/{filing['id']}/accept", {}).status_code == 403
    assert client.post(f"/promotions/{filing['id']}/return", {"comment": "nah"}).status_code == 403
    assert _state() == before


@pytest.mark.django_db
def test_the_regulator_lists_every_filing_and_a_shop_its_own(people, api):
    acme = _file(api, people.bob)
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        bazaar = api(people.dave).post("/promotions", payload(name="Bazaar 11.11")).json()
    assert {p["id"] for p in api(people.rita).get("/promotions").json()["items"]} == {
        acme["id"],
        bazaar["id"],
    }
    assert [p["id"] for p in api(people.rita).get("/promotions", {"late": "true"}).json()["items"]] == [
        bazaar["id"]
    ]
    assert [p["id"] for p in api(people.bob).get("/promotions").json()["items"]] == [acme["id"]]


@pytest.mark.django_db
def test_return_amend_resubmit_accept_each_step_in_the_log(people, api):
    filing = _file(api, people.bob, staff_per_shift=1, peak_hour_orders=30000)
    assert filing["staffing"]["meets_target"] is False
    regulator, shop = api(people.rita), api(people.carol)
    url = f"/promotions/{filing['id']}"

    with time_machine.travel(datetime(2026, 10, 21, 10, 0, tzinfo=SHANGHAI), tick=False) as clock:
        no_comment = regulator.post(f"{url}/return", {"comment": " "})
        assert no_comment.status_code == 422
        assert no_comment.json()["detail"][0]["loc"][-1] == "comment"
        assert Promotion.objects.get().state == "submitted"

        returned = regulator.post(f"{url}/return", {"comment": "Staff the peak hour to the target."})
        assert returned.status_code == 200
        assert (returned.json()["state"], returned.json()["review_comment"]) == (
            "returned",
            "Staff the peak hour to the target.",
        )
        assert regulator.post(f"{url}/accept", {}).status_code == 409

        clock.move_to(datetime(2026, 10, 22, 10, 0, tzinfo=SHANGHAI))
        resubmitted = shop.post(f"{url}/resubmit", {"staff_per_shift": 6, "message": "Four more agents."})
        assert resubmitted.status_code == 200, resubmitted.content
        body = resubmitted.json()
        assert body["state"] == "submitted"
        assert body["staffing"]["meets_target"] is True
        assert body["late"] is False

        clock.move_to(datetime(2026, 10, 23, 10, 0, tzinfo=SHANGHAI))
        accepted = regulator.post(f"{url}/accept", {"comment": "Fine."})
        assert accepted.json()["state"] == "accepted"
        assert regulator.post(f"{url}/accept", {}).status_code == 409
        assert regulator.post(f"{url}/return", {"comment": "again"}).status_code == 409
        assert shop.post(f"{url}/resubmit", {}).status_code == 409
        assert shop.patch(url, {"staff_per_shift": 2}).status_code == 409

    events = accepted.json()["events"]
    assert [(e["action"], e["from_state"], e["to_state"], e["actor"]) for e in events] == [
        ("file", "", "submitted", "bob"),
        ("return", "submitted", "returned", "rita"),
        ("resubmit", "returned", "submitted", "carol"),
        ("accept", "submitted", "accepted", "rita"),
    ]
    assert events[2]["data"]["changed"] == {"staff_per_shift": [1, 6]}
    assert events[2]["message"] == "Four more agents."
    assert Promotion.objects.get().staff_per_shift == 6


@pytest.mark.django_db
def test_an_amendment_recomputes_the_verdict_and_logs_what_changed(people, api):
    filing = _file(api, people.bob)
    with time_machine.travel(FILING_DAY, tick=False):
        amended = api(people.bob).patch(f"/promotions/{filing['id']}", {"peak_hour_orders": 60000})
    assert amended.status_code == 200
    body = amended.json()
    assert body["staffing"]["arrival_rate_per_hour"] == pytest.approx(60.0)
    assert body["events"][-1]["action"] == "amend"
    assert body["events"][-1]["data"]["changed"] == {"peak_hour_orders": [20000, 60000]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_at": "2026-10-01T00:00:00+08:00"}, "starts_at", "must be in the future"),
        ({"ends_at": "2026-11-10T00:00:00+08:00"}, "ends_at", "must be after the start"),
        ({"peak_hour_orders": 999999}, "peak_hour_orders", "cannot exceed the expected orders in total"),
        ({"staff_per_shift": None}, "staff_per_shift", "may not be null"),
        ({"staff_per_shift": 0}, "staff_per_shift", "greater than 0"),
    ],
)
def test_a_bad_amendment_changes_nothing(people, api, change, field, message):
    filing = _file(api, people.bob)
    before = _state()
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(people.bob).patch(f"/promotions/{filing['id']}", change)
    assert response.status_code == 422, response.content
    assert any(field in i["loc"] and message in i["msg"] for i in response.json()["detail"])
    assert _state() == before


@pytest.mark.django_db
def test_a_late_resubmission_keeps_the_lateness_of_the_first_filing(people, api):
    filing = _file(api, people.bob)
    url = f"/promotions/{filing['id']}"
    api(people.rita).post(f"{url}/return", {"comment": "Add a second contact."})
    with time_machine.travel(datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI), tick=False):
        contacts = payload()["contacts"] + [{"name": "Li Lei", "phone": "400-820-8820"}]
        response = api(people.bob).post(f"{url}/resubmit", {"contacts": contacts})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["late"]) == ("submitted", False)
    assert len(response.json()["contacts"]) == 2


@pytest.mark.django_db
def test_an_earlier_start_within_the_lead_time_marks_the_filing_late(people, api):
    filing = _file(api, people.bob)
    with time_machine.travel(FILING_DAY, tick=False):
        body = (
            api(people.bob)
            .patch(
                f"/promotions/{filing['id']}",
                {"starts_at": "2026-10-22T00:00:00+08:00", "ends_at": "2026-10-23T00:00:00+08:00"},
            )
            .json()
        )
    assert body["late"] is True
    assert datetime.fromisoformat(body["due_by"]) == datetime(2026, 10, 19, 9, 0, tzinfo=SHANGHAI)


def _upload(api, user, promotion_id, name, content):
    client = api(user)
    return client.client.post(
        f"/api/v1/promotions/{promotion_id}/plan",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        headers=client.headers,
    )


@pytest.mark.django_db
def test_the_emergency_plan_pdf_is_attached_and_downloaded(people, api):
    filing = _file(api, people.bob)
    # Attached after filing whatever today's date: events are read in the order they happened.
    with time_machine.travel(FILING_DAY + timedelta(hours=1), tick=False):
        response = _upload(api, people.bob, filing["id"], "plan.pdf", PDF)
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["name"] == "plan.pdf"
    assert response.json()["plan"]["size"] == len(PDF)
    assert response.json()["events"][-1]["action"] == "attach_plan"
    download = api(people.rita).get(f"/promotions/{filing['id']}/plan")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert api(people.bob).get(f"/promotions/{filing['id']}/plan").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", PNG, "must be a PDF document"),
        ("plan.pdf", b"MZ\x90\x00 not a pdf", "must be a PDF document"),
        ("plan.pdf", b"", "is empty"),
        ("plan.pdf", PDF + b"x" * 200, "the limit is 100 bytes"),
    ],
)
def test_a_wrong_or_oversize_plan_is_refused(people, api, settings, name, content, message):
    settings.EVIDENCE_MAX_BYTES = 100
    filing = _file(api, people.bob)
    before = _state()
    response = _upload(api, people.bob, filing["id"], name, content)
    assert response.status_code == 422, response.content
    issue = response.json()["detail"][0]
    assert issue["loc"][-1] == "file" and message in issue["msg"]
    assert _state() == before
    assert Promotion.objects.get().plan_name == ""


@pytest.mark.django_db
def test_a_plan_cannot_change_once_accepted_nor_come_from_others(people, api):
    filing = _file(api, people.bob)
    api(people.rita).post(f"/promotions/{filing['id']}/accept", {})
    assert _upload(api, people.bob, filing["id"], "plan.pdf", PDF).status_code == 409
    assert _upload(api, people.dave, filing["id"], "plan.pdf", PDF).status_code == 404
    assert _upload(api, people.alice, filing["id"], "plan.pdf", PDF).status_code == 403
    assert Promotion.objects.get().plan_name == ""


@pytest.mark.django_db
def test_a_plan_sent_under_a_double_extension_is_shown_and_served_as_a_pdf(people, api):
    """Found by a review of the safe-evidence-names fix: the plan kept the name it was uploaded with."""
    filing = _file(api, people.bob)
    with time_machine.travel(FILING_DAY + timedelta(hours=1), tick=False):
        response = _upload(api, people.bob, filing["id"], "emergency plan.pdf.cmd", PDF)
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["name"] == "emergency_plan.pdf"
    download = api(people.rita).get(f"/promotions/{filing['id']}/plan")
    assert 'filename="emergency_plan.pdf"' in download["Content-Disposition"]
