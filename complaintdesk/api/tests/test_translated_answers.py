"""The API's own answers, the shops' obligations, promotion filings, the statutory calendar and the schemas'
date bounds speak the client's language (Accept-Language: zh-hans); without the header they stay the English
clients have always read, and codes inside them stay codes."""

import pytest
import time_machine

from complaintdesk.api.tests.languages import in_both
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.deadlines import statutory
from complaintdesk.deadlines.services import sync_statutory_entries
from complaintdesk.promotions.tests.helpers import FILING_DAY, payload


@pytest.mark.django_db
def test_wrong_credentials_are_refused_in_the_clients_language(people, api):
    client = api(None)
    english, chinese = in_both(
        lambda h: client.post("/auth/token", {"username": "alice", "password": "wrong"}, headers=h)
    )
    assert english == (401, "wrong username or password")
    assert chinese == (401, "用户名或密码错误")


@pytest.mark.django_db
def test_the_frameworks_answers_are_in_the_clients_language(people, api):
    english, chinese = in_both(lambda h: api(people.alice).get("/complaints/999999", headers=h))
    assert english == (404, "not found")
    assert chinese == (404, "未找到")
    english, chinese = in_both(lambda h: api(None).get("/complaints", headers=h))
    assert english == (401, "authentication required: send Authorization: Bearer <token>")
    assert chinese == (401, "需要身份验证：请发送 Authorization: Bearer <token>")


@pytest.mark.django_db
def test_shop_obligation_refusals_are_in_the_clients_language(people, api):
    url = f"/merchants/{people.acme.pk}/service-info"
    english, chinese = in_both(
        lambda h: api(people.bob).patch(url, {"service_phone": "400-820-8820"}, headers=h)
    )
    assert english == (403, "only the shop's 12315 coordinator or the regulator publishes service info")
    assert chinese == (403, "只有本店的12315联络员或监管部门可以公示客服信息")

    english, chinese = in_both(lambda h: api(people.carol).patch(url, {"service_email": ""}, headers=h))
    assert english == (422, "publish at least one way to reach customer service: phone, e-mail or chat")
    assert chinese == (422, "请至少公示一种联系客服的方式：电话、电子邮件或在线客服")

    coordinator = f"/merchants/{people.acme.pk}/coordinator"
    body = {"user": people.dave.pk, "direct_phone": "138 0013 8000"}
    english, chinese = in_both(lambda h: api(people.rita)._call("put", coordinator, body, headers=h))
    assert english == (422, f"no active staff member {people.dave.pk} in this shop")
    assert chinese == (422, f"本店没有在职员工 {people.dave.pk}")


@pytest.mark.django_db
def test_a_bad_credit_code_is_explained_in_the_clients_language(people, api):
    body = {"name": "Checksum Outlet", "credit_code": "914403001922038217"}
    english, chinese = in_both(lambda h: api(people.rita).post("/merchants", body, headers=h))
    assert english == (422, "Invalid unified social credit code: check character is 7, GB 32100 gives 6")
    assert chinese == (422, "统一社会信用代码无效：校验码为 7，按 GB 32100 应为 6")


@pytest.mark.django_db
def test_promotion_filing_refusals_are_in_the_clients_language(people, api):
    with time_machine.travel(FILING_DAY, tick=False):
        english, chinese = in_both(
            lambda h: api(people.bob).post("/promotions", payload(peak_hour_orders=300000), headers=h)
        )
        assert english == (422, "cannot exceed the expected orders in total (200000)")
        # A start in the past: "now" in the regulator's zone as the pages show it, not UTC with an offset.
        past = {"starts_at": "2026-10-01T00:00:00+08:00"}
        english, chinese = in_both(lambda h: api(people.bob).post("/promotions", payload(**past), headers=h))
        assert english == (422, "must be in the future (now is 2026-10-20 10:00)")
        assert chinese == (422, "须晚于当前时间（现在是 2026-10-20 10:00）")
        filing = api(people.bob).post("/promotions", payload()).json()

    accept = f"/promotions/{filing['id']}/accept"
    english, chinese = in_both(lambda h: api(people.bob).post(accept, {}, headers=h))
    # The role is the reader's word for it; the action stays the code the API takes.
    assert english == (403, "Merchant agent may not accept a filing")
    assert chinese == (403, "商家客服无权对备案执行“accept”操作")

    assert api(people.rita).post(accept, {}).status_code == 200
    english, chinese = in_both(lambda h: api(people.rita).post(accept, {}, headers=h))
    assert english == (409, "cannot accept a filing that is accepted")
    assert chinese == (409, "备案当前状态为 accepted，不能执行“accept”操作")


@pytest.mark.django_db
def test_an_unknown_promotion_id_is_refused_in_the_clients_language(people, api):
    body = complaint_payload(people.acme.pk, promotion=999)
    english, chinese = in_both(lambda h: api(people.alice).post("/complaints", body, headers=h))
    assert english == (422, "no promotion filing 999 of this shop")
    assert chinese == (422, "本店没有编号为 999 的促销备案")


@pytest.mark.django_db
def test_a_year_no_statutory_calendar_covers_is_refused_in_the_clients_language(people, api, settings):
    settings.DEADLINE_UNCOVERED_YEARS = "error"
    query = {"merchant": people.acme.pk, "received_at": "2090-06-05T10:00:00+08:00"}
    english, chinese = in_both(lambda h: api(None).get("/calendar/deadlines", query, headers=h))
    sync_statutory_entries()
    covered = statutory.describe_years(statutory.CN.covered_years())
    assert english == (
        409,
        f"No statutory calendar covers 2090 (covered: {covered}). The regulator can enter 2090's days off "
        "and adjusted working days as overrides, or run `python manage.py import_holidays FILE` with the "
        "State Council notice.",
    )
    assert chinese == (
        409,
        f"尚无法定节假日数据覆盖 2090 年（已覆盖：{covered}）。监管部门可将 2090 年的节假日和调休工作日"
        "录入为例外日期，或运行 `python manage.py import_holidays FILE` 导入国务院办公厅通知。",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "query", "english", "chinese"),
    [
        (
            "/complaints",
            {"order_date": "1999-12-31"},
            None,
            "Value error, must be on or after 2000-01-01",
            "不得早于 2000-01-01",
        ),
        (
            "/complaints",
            {"received_at": "1999-12-31T23:59:59+00:00"},
            None,
            "Value error, must be on or after 2000-01-01 (UTC)",
            "不得早于 2000-01-01（UTC）",
        ),
        (
            "/calendar/deadlines",
            None,
            {"received_at": "2100-01-01T00:00:00+00:00"},
            "Value error, must be from 2000-01-01 to 2099-12-31 (UTC)",
            "须在 2000-01-01 至 2099-12-31 之间（UTC）",
        ),
        (
            "/complaints",
            None,
            {"received_from": "0001-01-01T00:00:00+14:00"},
            "Value error, must be an instant from 0001-01-01 to 9999-12-31 in UTC",
            "须为 UTC 时间 0001-01-01 至 9999-12-31 之间的时刻",
        ),
    ],
)
def test_the_schemas_date_bounds_are_in_the_clients_language(
    people, api, path, body, query, english, chinese
):
    client = api(people.rita)
    if body is not None:
        complaint = complaint_payload(people.acme.pk, **body)
        answers = in_both(lambda h: client.post(path, complaint, headers=h))
    else:
        answers = in_both(lambda h: client.get(path, {"merchant": people.acme.pk, **query}, headers=h))
    assert answers == ((422, english), (422, chinese))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        ({"description": None}, "Input should be a valid string", "应为有效的字符串"),
        ({"wanted_outcome": "money"}, "Input should be 'repair', ", "应为 'repair', "),
        ({"order_number": "x" * 65}, "String should have at most 64 characters", "长度最多为 64 个字符"),
        ({"merchant": 0}, "Input should be greater than or equal to 1", "应大于或等于 1"),
        (
            {"amount": "1.234"},
            "Decimal input should have no more than 2 decimal places",
            "小数位数不得超过 2 位",
        ),
    ],
    ids=["type", "enum", "too-long", "bound", "decimals"],
)
def test_the_frameworks_own_field_messages_follow_the_clients_language(people, api, change, english, chinese):
    body = {**complaint_payload(people.acme.pk), **change}
    (status_en, message_en), (status_zh, message_zh) = in_both(
        lambda h: api(people.alice).post("/complaints", body, headers=h)
    )
    assert (status_en, status_zh) == (422, 422)
    assert message_en.startswith(english) and message_zh.startswith(chinese)


@pytest.mark.django_db
def test_a_missing_field_and_our_own_validators_words_in_chinese(people, api):
    body = complaint_payload(people.acme.pk)
    del body["description"]
    assert in_both(lambda h: api(people.alice).post("/complaints", body, headers=h)) == (
        (422, "Field required"),
        (422, "必填字段"),
    )
    body = complaint_payload(people.acme.pk, order_date="1999-12-31")
    (_, english), (_, chinese) = in_both(lambda h: api(people.alice).post("/complaints", body, headers=h))
    assert english == "Value error, must be on or after 2000-01-01"
    assert not chinese.startswith("Value error") and "2000-01-01" in chinese
