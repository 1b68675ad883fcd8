"""A complaint's kind follows its category: the taxonomy says which categories are quality problems."""

from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.tests.factories import complaint_payload
from complaintdesk.deadlines.models import Deadline

# A Wednesday in working time (SPEC §3's example).
WEDNESDAY = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_the_default_taxonomy_marks_only_quality_as_a_quality_problem():
    flagged = Category.objects.filter(is_quality_problem=True).values_list("code", flat=True)
    assert list(flagged) == ["quality"]


@pytest.mark.django_db
def test_a_quality_category_without_kind_files_a_quality_issue_with_its_reply_deadline(people, api):
    payload = complaint_payload(people.acme.pk, category="quality")
    del payload["kind"]
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(people.alice).post("/complaints", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "quality_issue"
    assert body["reply_due"] is not None
    assert Deadline.objects.filter(complaint_id=body["id"], phase="reply").exists()


@pytest.mark.django_db
def test_another_category_without_kind_files_a_complaint(people, api):
    payload = complaint_payload(people.acme.pk, category="delivery")
    del payload["kind"]
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(people.alice).post("/complaints", payload)
    assert response.status_code == 201
    assert response.json()["kind"] == "complaint"
    assert not Deadline.objects.filter(phase="reply").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "category, kind, expected",
    [("quality", "complaint", "quality_issue"), ("delivery", "quality_issue", "complaint")],
)
def test_a_kind_that_contradicts_the_category_is_refused_naming_the_field(
    people, api, category, kind, expected
):
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, category=category, kind=kind)
        )
    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["loc"][-1] == "kind"
    assert f"must be '{expected}' for category '{category}', or left out" in issue["msg"]
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_kind_that_agrees_with_the_category_is_still_accepted(people, api):
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(people.alice).post(
            "/complaints", complaint_payload(people.acme.pk, category="quality", kind="quality_issue")
        )
    assert response.status_code == 201
    assert response.json()["kind"] == "quality_issue"


@pytest.mark.django_db
def test_a_category_the_regulator_marks_as_a_quality_problem_files_quality_issues(people, api):
    Category.objects.filter(code="after_sales_repair").update(is_quality_problem=True)
    payload = complaint_payload(people.acme.pk, category="after_sales_repair")
    del payload["kind"]
    with time_machine.travel(WEDNESDAY, tick=False):
        response = api(people.alice).post("/complaints", payload)
    assert response.status_code == 201
    assert response.json()["kind"] == "quality_issue"


@pytest.mark.django_db
def test_the_migration_step_run_again_after_a_flush_restores_the_flag():
    # The browser tests put the taxonomy back with 0002's own function and the live app registry.
    Category.objects.all().delete()
    import_module("complaintdesk.complaints.migrations.0002_default_categories").create(apps, None)
    assert Category.objects.count() == 9
    assert list(Category.objects.filter(is_quality_problem=True).values_list("code", flat=True)) == [
        "quality"
    ]
