"""The consumer's consent to publishing the description in the open data: asked at filing (web form and
API), off by default; decided by the importer for imported rows. Names cannot be found in free text, so the
open data publishes a description only with consent."""

import csv
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from complaintdesk.complaints.importing import import_file
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests.factories import complaint_payload

SAMPLE = Path(__file__).resolve().parent / "data" / "cfpb-sample-268.csv"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _web_form(people, **overrides):
    data = {
        "merchant": people.acme.pk,
        "order_number": "JD-1001",
        "order_date": timezone.localdate().isoformat(),
        "category": "quality",
        "kind": "complaint",
        "wanted_outcome": "replacement",
        "description": "The headphones have no sound on the left side.",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_the_filing_form_offers_the_consent_box_unticked(people, client):
    client.force_login(people.alice)
    page = client.get(reverse("web:file_complaint")).content.decode()
    box = re.search(r'<input type="checkbox" name="publish_consent"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    assert "publish what happened in the open data" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("ticked", "stored"), [({}, False), ({"publish_consent": "on"}, True)])
def test_the_web_filing_stores_the_consent_as_given(people, client, ticked, stored):
    client.force_login(people.alice)
    response = client.post(reverse("web:file_complaint"), _web_form(people, **ticked))
    assert response.status_code == 302
    assert Complaint.objects.get().publish_consent is stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ticked", "shown"),
    [({}, "the description is not published"), ({"publish_consent": "on"}, "the description is published")],
)
def test_the_complaint_page_says_whether_the_description_is_published(people, client, ticked, shown):
    client.force_login(people.alice)
    response = client.post(reverse("web:file_complaint"), _web_form(people, **ticked), follow=True)
    page = response.content.decode()
    assert re.search(r'<dd id="publish-consent">([^<]*)</dd>', page).group(1).startswith(shown)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "stored"), [({}, False), ({"publish_consent": False}, False), ({"publish_consent": True}, True)]
)
def test_the_api_filing_takes_an_optional_consent_that_defaults_to_no(people, api, given, stored):
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, **given))
    assert response.status_code == 201
    assert response.json()["publish_consent"] is stored
    assert Complaint.objects.get().publish_consent is stored


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["perhaps", 2, [True], {"yes": True}])
def test_a_consent_that_is_no_yes_or_no_names_the_field_and_changes_nothing(people, api, value):
    response = api(people.alice).post("/complaints", complaint_payload(people.acme.pk, publish_consent=value))
    assert response.status_code == 422
    assert [issue["loc"][-1] for issue in response.json()["detail"]] == ["publish_consent"]
    assert Complaint.objects.count() == ComplaintEvent.objects.count() == 0


def test_the_openapi_document_explains_the_consent(api):
    schema = api(None).get("/openapi.json").json()["components"]["schemas"]["ComplaintIn"]
    field = schema["properties"]["publish_consent"]
    assert field["type"] == "boolean" and field["default"] is False
    assert "open data" in field["description"] and "publish_consent" not in schema.get("required", [])


@pytest.mark.django_db
def test_cfpb_rows_are_published_unless_their_consent_column_says_otherwise(tmp_path):
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    col = {name: i for i, name in enumerate(rows[0])}
    narrated = next(r for r in rows[1:] if r[col["Consumer complaint narrative"]].strip())
    narrated[col["Consumer consent provided?"]] = "Consent withdrawn"
    path = tmp_path / "cfpb.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with time_machine.travel(NOW, tick=False):
        assert import_file(path).imported == 268
    withdrawn = Complaint.objects.get(external_id="cfpb:" + narrated[col["Complaint ID"]])
    assert withdrawn.publish_consent is False
    # Every other row: a narrative its consumer consented to, or our summary of the CFPB's categories.
    assert Complaint.objects.filter(publish_consent=True).count() == 267


@pytest.mark.django_db
def test_our_own_columns_carry_the_consent_and_refuse_what_is_neither_yes_nor_no(people, tmp_path):
    path = tmp_path / "hotline.csv"
    header = ["external_id", "received_at", "merchant", "category", "wanted_outcome", "description",
              "publish_consent"]  # fmt: skip
    rows = [
        [f"H-{i}", "2026-11-28T09:30:00+08:00", people.acme.credit_code, "delivery", "refund", "x", consent]
        for i, consent in enumerate(["yes", "TRUE", "1", "", "no", "0", "maybe"])
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    with time_machine.travel(NOW, tick=False):
        report = import_file(path)
    stored = dict(Complaint.objects.values_list("external_id", "publish_consent"))
    assert stored == {"H-0": True, "H-1": True, "H-2": True, "H-3": False, "H-4": False, "H-5": False}
    (rejected,) = report.rejected
    assert rejected.external_id == "H-6" and rejected.reason.startswith("publish_consent: 'maybe'")
