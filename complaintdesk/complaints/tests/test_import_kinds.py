"""Imports: a row's kind follows its category, as a filing's does."""

import csv
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.complaints.importing import import_file
from complaintdesk.complaints.models import Complaint
from complaintdesk.stats import rollups

SAMPLE = Path(__file__).resolve().parent / "data" / "cfpb-sample-268.csv"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.django_db
def test_our_own_columns_derive_the_kind_and_reject_a_contradicting_one(people, tmp_path):
    path = tmp_path / "hotline.csv"
    code = people.acme.credit_code
    _write(
        path,
        [
            ["external_id", "received_at", "merchant", "category", "kind", "wanted_outcome", "description"],
            ["H-1", "2026-11-28T09:30:00+08:00", code, "quality", "", "repair", "Broken"],
            ["H-2", "2026-11-28T09:30:00+08:00", code, "delivery", "", "refund", "Lost"],
            ["H-3", "2026-11-28T09:30:00+08:00", code, "quality", "quality_issue", "repair", "Broken"],
            ["H-4", "2026-11-28T09:30:00+08:00", code, "quality", "complaint", "repair", "Broken"],
            ["H-5", "2026-11-28T09:30:00+08:00", code, "delivery", "quality_issue", "refund", "Lost"],
        ],
    )
    with time_machine.travel(NOW, tick=False):
        report = import_file(path)
    assert report.imported == 3
    kinds = dict(Complaint.objects.values_list("external_id", "kind"))
    assert kinds == {"H-1": "quality_issue", "H-2": "complaint", "H-3": "quality_issue"}
    assert Complaint.objects.get(external_id="H-1").deadlines.filter(phase="reply").exists()
    reasons = sorted(r.reason for r in report.rejected)
    assert reasons == [
        "kind: must be 'complaint' for category 'delivery', or left out",
        "kind: must be 'quality_issue' for category 'quality', or left out",
    ]


@pytest.mark.django_db
def test_cfpb_rows_about_defective_goods_are_quality_issues(tmp_path):
    copy = tmp_path / "cfpb.csv"
    shutil.copy(SAMPLE, copy)
    with time_machine.travel(NOW, tick=False):
        import_file(copy)
    pairs = set(Complaint.objects.values_list("category__code", "kind"))
    assert ("quality", "quality_issue") in pairs
    assert all((kind == "quality_issue") == (category == "quality") for category, kind in pairs)
    assert not rollups.differences()
