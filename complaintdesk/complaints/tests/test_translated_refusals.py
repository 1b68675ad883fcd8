"""Refusals through the API speak the language the client asks for (Accept-Language: zh-hans), and without
the header they stay the English that clients have always read; codes inside them stay codes."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from complaintdesk.api.tests.languages import in_both
from complaintdesk.complaints.tests import factories
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.merchants import profile
from complaintdesk.pledges import services as pledges
from complaintdesk.pledges.models import PledgeSignature


@pytest.mark.django_db
def test_an_illegal_transition_is_refused_in_the_clients_language(people, api):
    c = factories.complaint(people.alice, people.acme)
    client = api(people.alice)
    english, chinese = in_both(lambda h: client.post(f"/complaints/{c.pk}/accept", {}, headers=h))
    assert english == (409, "cannot accept a complaint that is submitted; allowed from: resolution_proposed")
    assert chinese == (
        409,
        "投诉当前状态为 submitted，不能执行“接受方案”操作；该操作仅限以下状态：resolution_proposed",
    )


@pytest.mark.django_db
def test_an_action_the_role_may_never_take_is_refused_in_the_clients_language(people, api):
    c = factories.complaint(people.alice, people.acme)
    client = api(people.alice)
    english, chinese = in_both(
        lambda h: client.post(f"/complaints/{c.pk}/request_info", {"message": "?"}, headers=h)
    )
    assert english == (403, "a consumer may not request info a complaint")
    assert chinese == (403, "consumer 角色无权对投诉执行“请消费者补充信息”操作")


@pytest.mark.django_db
def test_a_filing_with_a_future_order_date_is_refused_in_the_clients_language(people, api):
    today = timezone.localdate()
    payload = complaint_payload(people.acme.pk, order_date=(today + timedelta(days=1)).isoformat())
    client = api(people.alice)
    english, chinese = in_both(lambda h: client.post("/complaints", payload, headers=h))
    assert english == (422, f"must not be in the future (today is {today.isoformat()})")
    assert chinese == (422, f"不得晚于今天（今天是 {today.isoformat()}）")


@pytest.mark.django_db
def test_oversize_evidence_is_refused_in_the_clients_language(people, api, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    c = factories.complaint(people.alice, people.acme)
    client = api(people.alice)

    def upload(headers):
        file = io.BytesIO(b"%PDF-1.7\n" + b"0" * 1191)
        file.name = "receipt.pdf"
        path = f"/api/v1/complaints/{c.pk}/evidence"
        return client.client.post(path, {"file": file}, headers={**client.headers, **headers})

    english, chinese = in_both(upload)
    assert english == (422, "is 1200 bytes; the limit is 1000 bytes")
    assert chinese == (422, "文件大小为 1200 字节，超过 1000 字节的上限")


@pytest.mark.django_db
def test_signing_the_pledge_twice_is_refused_in_the_clients_language(people, api):
    profile.designate_coordinator(people.acme.pk, people.rita, people.carol.pk, "138 0013 8000")
    version = pledges.current_version()
    pledges.sign(version.pk, people.carol, None)
    signed_at = f"{PledgeSignature.objects.get().signed_at:%Y-%m-%d %H:%M}"
    client = api(people.carol)
    english, chinese = in_both(lambda h: client.post(f"/pledges/{version.pk}/sign", headers=h))
    assert english == (409, f"the shop signed v{version.number} on {signed_at}")
    assert chinese == (409, f"本店已于 {signed_at} 签署第 {version.number} 版")
