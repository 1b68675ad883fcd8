"""POST /api/v1/reports and /enquiries (anyone, no token needed; a report may be anonymous) and the officers'
lists, details, decisions and answers (SPEC §7, §10). Bad input answers 4xx naming the field and stores
nothing; everyone but an officer gets 403 from every officer's operation, whatever the id."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from complaintdesk.centre.models import Matter, Notice
from complaintdesk.deadlines.models import Deadline

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 9, 24, 11, 0, tzinfo=SH)  # SPEC §10's worked example
pytestmark = pytest.mark.django_db


def stored():
    return (
        Matter.objects.count(),
        Deadline.objects.filter(matter__isnull=False).count(),
        Notice.objects.count(),
        list(Matter.objects.values_list("state", "reason")),
    )


def issues(response) -> list[str]:
    return [issue["loc"][-1] for issue in response.json()["detail"]]


def post(api, user, path, body, **kw):
    with time_machine.travel(RECEIVED, tick=False):
        return api(user).post(path, body, **kw)


def a_report(api, people, user=None, **fields):
    body = {"text": "Fake chargers sold as originals.", "merchant": people.acme.pk, **fields}
    if user is None and not body.get("anonymous"):
        body.setdefault("contact_email", "tip@example.test")
    response = post(api, user, "/reports", body)
    assert response.status_code == 201, response.content
    return response.json()


# ------------------------------------------------------------------------------------------------ filing


def test_anyone_reports_without_a_token_and_hears_when_the_decision_is_due(people, api):
    body = a_report(api, people, anonymous=True)
    matter = Matter.objects.get()
    assert body == {
        "id": matter.pk,
        "reference": f"JB-2026-{matter.pk:07d}",
        "kind": "report",
        "state": "received",
        "received_at": "2026-09-24T03:00:00Z",
        "rule_version": "SAMR Order No. 20 (2019, amended 2022)",
        "decision_due": "2026-10-22T10:00:00Z",  # 18:00 in Shanghai, 15 working days on
    }
    assert matter.anonymous and matter.user is None


def test_a_report_with_a_token_is_the_accounts_and_one_without_keeps_its_contact(people, api):
    a_report(api, people, people.alice)
    a_report(api, people, contact_phone="138 0013 8000", contact_name="Ms Wang")
    named, called = Matter.objects.order_by("id")
    assert named.user == people.alice and named.contact_phone == ""
    assert called.user is None and (called.contact_name, called.contact_phone) == ("Ms Wang", "138 0013 8000")


def test_a_report_is_written_down_in_the_requests_language(people, api):
    response = post(api, None, "/reports", {"text": "假货", "web_address": "fake.example.com", "anonymous": True},
                    headers={"Accept-Language": "zh-hans"})  # fmt: skip
    assert response.status_code == 201
    assert Matter.objects.get().language == "zh-hans"


def test_a_token_that_is_sent_but_not_valid_is_refused_not_taken_as_anonymous(people, api):
    before = stored()
    response = Client().post(
        "/api/v1/reports",
        {"text": "Fake.", "merchant": people.acme.pk, "anonymous": True},
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401 and stored() == before


def test_a_signed_in_browser_must_send_its_csrf_token(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.alice)
    before = stored()
    response = browser.post(
        "/api/v1/reports", {"text": "Fake.", "merchant": people.acme.pk}, content_type="application/json"
    )
    assert response.status_code == 403 and stored() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        # A report about nothing: no shop and no address.
        ({"text": "Something is wrong.", "contact_email": "a@example.test"}, ["merchant", "web_address"]),
        # Anonymous with contacts: each contact named.
        ({"text": "Fake.", "merchant": "ACME", "anonymous": True, "contact_name": "Wang",
          "contact_email": "w@example.test"}, ["contact_name", "contact_email"]),
        # An unknown shop.
        ({"text": "Fake.", "merchant": 987654, "anonymous": True}, ["merchant"]),
        ({"text": "Fake.", "merchant": 0, "anonymous": True}, ["merchant"]),
        # An empty text, or none.
        ({"text": "  ", "merchant": "ACME", "anonymous": True}, ["text"]),
        ({"merchant": "ACME", "anonymous": True}, ["text"]),
        # No account, not anonymous, no way to tell the reporter.
        ({"text": "Fake.", "merchant": "ACME"}, ["contact_phone"]),
        # Only officers say how a call or a letter came in, and when.
        ({"text": "Fake.", "merchant": "ACME", "anonymous": True, "channel": "hotline_12315"}, ["channel"]),
        ({"text": "Fake.", "merchant": "ACME", "anonymous": True, "received_at": "2026-09-23T10:00:00+08:00"},
         ["received_at"]),
        ({"text": "Fake.", "merchant": "ACME", "anonymous": True, "channel": "fax"}, ["channel"]),
        ({"text": "Fake.", "web_address": "ftp://x.example.com", "anonymous": True}, ["web_address"]),
        ({"text": "x" * 10001, "merchant": "ACME", "anonymous": True}, ["text"]),
    ],
)  # fmt: skip
def test_bad_reports_are_refused_naming_the_field_and_store_nothing(people, api, body, fields):
    body = {k: people.acme.pk if v == "ACME" else v for k, v in body.items()}
    before = stored()
    response = post(api, None, "/reports", body)
    assert response.status_code == 422, response.content
    assert issues(response) == fields
    assert stored() == before


def test_an_enquiry_is_asked_by_anyone_and_answered_within_7_working_days(people, api):
    response = post(
        api, None, "/enquiries", {"text": "May a shop refuse a return?", "contact_email": "q@example.test"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("ZX-2026-") and body["answer_due"] == "2026-10-12T10:00:00Z"
    anonymous = post(api, None, "/enquiries", {"text": "Why?"})
    assert anonymous.status_code == 422 and issues(anonymous) == ["contact_phone"]


def test_too_many_filings_from_one_address_answer_429(people, api, settings):
    settings.COMPLAINT_RATE_PER_ADDRESS = 2
    for _ in range(2):
        a_report(api, people, anonymous=True)
    before = stored()
    response = post(api, None, "/reports", {"text": "Again.", "merchant": people.acme.pk, "anonymous": True})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many reports and enquiries" in response.json()["detail"] and stored() == before
    # A refused report uses none of the quota: it is checked first.
    refused = post(api, None, "/reports", {"text": " ", "merchant": people.acme.pk, "anonymous": True})
    assert refused.status_code == 422


# ----------------------------------------------------------------------------------------------- officers


def test_an_officer_lists_reads_and_decides_a_report_once(people, api):
    first = a_report(api, people, people.alice, contact_phone="13800138000")
    later = a_report(api, people, anonymous=True, web_address="https://fake.example.com")
    rita = api(people.rita)
    with time_machine.travel(RECEIVED + timedelta(days=2), tick=False):
        listed = rita.get("/reports").json()
        assert [r["id"] for r in listed["items"]] == [first["id"], later["id"]] and listed["count"] == 2
        detail = rita.get(f"/reports/{first['id']}").json()
        assert (detail["filed_by"], detail["contact_phone"], detail["merchant_name"]) == (
            "alice", "13800138000", "Acme Online",
        )  # fmt: skip
        assert detail["decision"] is None and detail["decision_due"] == "2026-10-22T10:00:00Z"
        assert detail["deadlines"][0]["phase"] == "report_decision" and detail["letters"] == []

        decided = rita.post(
            f"/reports/{first['id']}/decide", {"decision": "open_case", "reason": "Test buys confirm it."}
        )
        assert decided.status_code == 200, decided.content
        body = decided.json()
        assert (body["state"], body["decision"], body["reason"], body["decided_by"]) == (
            "case_opened", "open_case", "Test buys confirm it.", "rita",
        )  # fmt: skip
        assert body["deadlines"][0]["met_in_time"] is True
        (letter,) = body["letters"]
        assert letter["recipient"] == "reporter" and letter["link"].endswith(f"/letters/{letter['id']}/")

        before = stored()
        again = rita.post(
            f"/reports/{first['id']}/decide", {"decision": "no_case", "reason": "Changed my mind."}
        )
        assert again.status_code == 409 and "decided already" in again.json()["detail"]
        assert stored() == before

        assert [r["id"] for r in rita.get("/reports", {"state": "received"}).json()["items"]] == [later["id"]]
    with time_machine.travel(RECEIVED + timedelta(days=40), tick=False):
        assert [r["id"] for r in rita.get("/reports", {"overdue": True}).json()["items"]] == [later["id"]]
        assert [r["id"] for r in rita.get("/reports", {"overdue": False}).json()["items"]] == [first["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"decision": "open_case"}, "reason"), ({"decision": "open_case", "reason": "  "}, "reason"),
     ({"decision": "close", "reason": "Why not."}, "decision"), ({"reason": "Why not."}, "decision")],
)  # fmt: skip
def test_a_decision_without_a_reason_or_a_known_decision_is_refused(people, api, body, field):
    report = a_report(api, people, anonymous=True)
    before = stored()
    response = api(people.rita).post(f"/reports/{report['id']}/decide", body)
    assert response.status_code == 422 and issues(response) == [field]
    assert stored() == before


def test_an_officer_answers_an_enquiry_once_and_a_report_is_not_an_enquiry(people, api):
    asked = post(api, people.alice, "/enquiries", {"text": "May a shop refuse a return?"}).json()
    report = a_report(api, people, anonymous=True)
    rita = api(people.rita)
    assert rita.get(f"/enquiries/{report['id']}").status_code == 404
    assert (
        rita.post(f"/reports/{asked['id']}/decide", {"decision": "no_case", "reason": "x"}).status_code == 404
    )
    empty = rita.post(f"/enquiries/{asked['id']}/answer", {"answer": ""})
    assert empty.status_code == 422 and issues(empty) == ["answer"]
    answered = rita.post(f"/enquiries/{asked['id']}/answer", {"answer": "Within 7 days without reason."})
    assert answered.status_code == 200
    assert (answered.json()["state"], answered.json()["answer"]) == (
        "answered",
        "Within 7 days without reason.",
    )
    assert rita.post(f"/enquiries/{asked['id']}/answer", {"answer": "Again."}).status_code == 409
    assert [e["id"] for e in rita.get("/enquiries").json()["items"]] == [asked["id"]]


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave"])
def test_nobody_but_an_officer_reads_or_decides_reports_and_enquiries(people, api, who):
    report = a_report(api, people, people.alice, contact_phone="13800138000")
    asked = post(api, people.alice, "/enquiries", {"text": "How?"}).json()
    caller = api(getattr(people, who))
    before = stored()
    for method, path, body in [
        ("get", "/reports", None), ("get", f"/reports/{report['id']}", None), ("get", "/reports/987654", None),
        ("post", f"/reports/{report['id']}/decide", {"decision": "no_case", "reason": "x"}),
        ("get", "/enquiries", None), ("get", f"/enquiries/{asked['id']}", None),
        ("post", f"/enquiries/{asked['id']}/answer", {"answer": "x"}),
    ]:  # fmt: skip
        response = caller.get(path) if method == "get" else caller.post(path, body)
        assert response.status_code == 403, (path, response.content)
        assert "13800138000" not in response.content.decode() and "alice" not in response.content.decode()
    assert stored() == before
