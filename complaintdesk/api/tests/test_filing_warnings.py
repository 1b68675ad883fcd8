"""The API files what the web form files with a question, and says the question as a warning: a second
complaint about the same order (linking the first), a "Double 11" dated away from 11.11. Nothing is refused."""

import pytest
import time_machine
from django.test import override_settings

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.promotions.models import Promotion
from complaintdesk.promotions.tests.helpers import FILING_DAY, payload

SITE = "https://complaints.example.org"
ZH = {"Accept-Language": "zh-hans"}
QUESTION = "Double 11 (11.11) usually runs from November 1 to November 14; is the type right?"
pytestmark = pytest.mark.django_db


def _file(api, user, merchant, headers=None, **overrides):
    response = api(user).post("/complaints", complaint_payload(merchant.pk, **overrides), headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


@override_settings(SITE_URL=SITE)
def test_a_second_complaint_about_the_same_order_is_filed_with_a_warning_linking_the_first(people, api):
    first = _file(api, people.alice, people.acme, order_number="JD-1001")
    assert first["warnings"] == []
    second = _file(api, people.alice, people.acme, order_number="jd-1001", category="quality", kind=None)
    assert second["warnings"] == [
        {
            "code": "same_order",
            "message": f"You complained about order jd-1001 at this shop before: {first['reference']}. If it "
            "is the same problem, follow it there.",
            "related": first["id"],
            "link": f"{SITE}/complaints/{first['id']}/",
        }
    ]
    assert Complaint.objects.count() == 2 and second["state"] == "submitted"


def test_the_warning_is_in_the_requests_language(people, api):
    first = _file(api, people.alice, people.acme)
    (warning,) = _file(api, people.alice, people.acme, headers=ZH)["warnings"]
    assert warning["message"].startswith("您此前已就该商家的订单 ORD-1 投诉过")
    assert first["reference"] in warning["message"]


def test_no_warning_for_another_consumers_order_another_shop_or_no_order_number(people, api):
    _file(api, people.alice, people.acme)
    assert _file(api, people.erin, people.acme)["warnings"] == []  # Erin's first about ORD-1
    assert _file(api, people.alice, people.bazaar)["warnings"] == []
    assert _file(api, people.alice, people.acme, order_number="")["warnings"] == []
    assert _file(api, people.alice, people.acme, order_number="")["warnings"] == []


def test_an_officers_filings_for_callers_without_account_warn_of_nothing(people, api):
    # A filing for a caller has no consumer: two callers' complaints about one order are not "yours".
    for name in ("Caller one", "Caller two"):
        body = _file(api, people.rita, people.acme, channel="hotline_12315", consumer_name=name)
        assert body["warnings"] == []


def test_a_replayed_filing_answers_with_its_warning_too(people, api):
    first = _file(api, people.alice, people.acme)
    key = {"Idempotency-Key": "second-ord-1"}
    second = _file(api, people.alice, people.acme, headers=key)
    replay = api(people.alice).post("/complaints", complaint_payload(people.acme.pk), headers=key)
    assert replay.status_code == 200
    assert replay.json()["id"] == second["id"]
    assert [w["related"] for w in replay.json()["warnings"]] == [first["id"]]
    assert Complaint.objects.count() == 2


def _file_promotion(api, user, headers=None, **overrides):
    with time_machine.travel(FILING_DAY, tick=False):
        response = api(user).post("/promotions", payload(**overrides), headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_double_11_filed_for_december_is_filed_with_a_question(people, api):
    body = _file_promotion(
        api, people.bob, starts_at="2026-12-12T00:00:00+08:00", ends_at="2026-12-13T00:00:00+08:00"
    )
    assert body["warnings"] == [{"code": "type_dates", "message": QUESTION, "related": None, "link": None}]
    assert body["state"] == "submitted" and Promotion.objects.count() == 1


def test_a_promotion_on_its_types_dates_asks_nothing_and_the_question_follows_the_language(people, api):
    assert _file_promotion(api, people.bob)["warnings"] == []  # 11–12 November
    december = {"starts_at": "2026-12-12T00:00:00+08:00", "ends_at": "2026-12-13T00:00:00+08:00"}
    (warning,) = _file_promotion(api, people.bob, headers=ZH, **december)["warnings"]
    assert "11月1日" in warning["message"] and "11月14日" in warning["message"]
    assert "usually runs" not in warning["message"]


def test_the_openapi_document_describes_the_warnings_and_keeps_every_field(api):
    document = api(None).get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    warning = schemas["WarningOut"]
    assert set(warning["properties"]) == {"code", "message", "related", "link"}
    assert set(warning["required"]) == {"code", "message"}
    for path, answer, shown in (
        ("/api/v1/complaints", "ComplaintFiledOut", "ComplaintOut"),
        ("/api/v1/promotions", "PromotionFiledOut", "PromotionDetailOut"),
    ):
        responses = document["paths"][path]["post"]["responses"]
        assert responses["201"]["content"]["application/json"]["schema"]["$ref"].endswith(answer)
        filed = schemas[answer]
        assert set(filed["properties"]) == set(schemas[shown]["properties"]) | {"warnings"}
        assert filed["properties"]["warnings"]["items"]["$ref"].endswith("WarningOut")
        assert "Filed all the same" in filed["properties"]["warnings"]["description"]
    assert document["paths"]["/api/v1/complaints"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]["$ref"].endswith("ComplaintFiledOut")
