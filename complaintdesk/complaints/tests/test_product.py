"""The product a complaint is about, through the API and the CSV import (the web form: web/tests)."""

import csv
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.importing import import_file
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.deadlines.models import Deadline

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CFPB_SAMPLE = Path(__file__).resolve().parent / "data" / "cfpb-sample-268.csv"


def _counts():
    return (Complaint.objects.count(), ComplaintEvent.objects.count(), Deadline.objects.count())


@pytest.mark.django_db
def test_a_product_filed_through_the_api_is_stored_and_in_every_answer(people, api):
    client = api(people.alice)
    response = client.post("/complaints", complaint_payload(people.acme.pk, product="  iPhone 15 Pro 256G "))
    assert response.status_code == 201
    body = response.json()
    assert body["product"] == "iPhone 15 Pro 256G"
    assert Complaint.objects.get(pk=body["id"]).product == "iPhone 15 Pro 256G"
    assert client.get(f"/complaints/{body['id']}").json()["product"] == "iPhone 15 Pro 256G"
    assert api(people.bob).get("/complaints").json()["items"][0]["product"] == "iPhone 15 Pro 256G"


@pytest.mark.django_db
def test_a_shop_sees_personal_data_in_a_listed_product_masked_as_in_the_description(people, api):
    created = api(people.alice).post(
        "/complaints", complaint_payload(people.acme.pk, product="手机 13812345678")
    )
    listed = api(people.bob).get("/complaints").json()["items"][0]["product"]
    assert listed != "手机 13812345678" and "13812345678" not in listed
    assert api(people.bob).get(f"/complaints/{created.json()['id']}").json()["product"] == "手机 13812345678"
    assert api(people.alice).get("/complaints").json()["items"][0]["product"] == "手机 13812345678"


@pytest.mark.django_db
def test_the_product_is_optional_and_200_characters_fit(people, api):
    without = api(people.alice).post("/complaints", complaint_payload(people.acme.pk))
    assert without.status_code == 201 and without.json()["product"] == ""
    longest = "充" * 200
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, product=longest))
    assert response.status_code == 201 and response.json()["product"] == longest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("product", "message"),
    [
        ("x" * 201, "at most 200 characters"),
        (15, "valid string"),
        (["iPhone"], "valid string"),
    ],
    ids=["201-characters", "number", "list"],
)
def test_a_bad_product_is_refused_naming_the_field_and_nothing_is_stored(people, api, product, message):
    before = _counts()
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, product=product))
    assert response.status_code == 422
    issue = response.json()["detail"][0]
    assert issue["loc"][-1] == "product" and message in issue["msg"]
    assert _counts() == before


@pytest.mark.django_db
def test_the_same_idempotency_key_with_another_product_is_a_conflict(people, api):
    client = api(people.alice)
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/complaints", complaint_payload(people.acme.pk, product="A"), headers=headers)
    again = client.post("/complaints", complaint_payload(people.acme.pk, product="B"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 409)
    assert Complaint.objects.get().product == "A"


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.django_db
def test_our_own_columns_carry_an_optional_product(people, tmp_path):
    path = tmp_path / "hotline.csv"
    code = people.acme.credit_code
    _write(
        path,
        [
            ["external_id", "received_at", "merchant", "category", "wanted_outcome", "description", "product"],
            ["H-1", "2026-11-28T09:30:00+08:00", code, "quality", "refund", "充不进电", " 罗马仕 20000mAh 充电宝 "],
            ["H-2", "2026-11-28T09:31:00+08:00", code, "delivery", "refund", "Lost", ""],
            ["H-3", "2026-11-28T09:32:00+08:00", code, "delivery", "refund", "Lost", "x" * 201],
        ],
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        report = import_file(path)
    assert report.imported == 2
    assert [(r.external_id, r.reason) for r in report.rejected] == [
        ("H-3", "product: longer than 200 characters")
    ]
    stored = dict(Complaint.objects.values_list("external_id", "product"))
    assert stored == {"H-1": "罗马仕 20000mAh 充电宝", "H-2": ""}


@pytest.mark.django_db
def test_a_cfpb_product_is_a_kind_of_financial_service_and_stays_out_of_the_product(tmp_path):
    sample = tmp_path / "cfpb.csv"
    shutil.copy(CFPB_SAMPLE, sample)
    with time_machine.travel(NOW, tick=False):
        import_file(sample)
    assert set(Complaint.objects.values_list("product", flat=True)) == {""}
    event = ComplaintEvent.objects.get(complaint__external_id="cfpb:3384392")
    assert event.data["product"]  # kept where it was
