"""The rejects file of import_complaints is a CSV the product writes: its cells are never formulas."""

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_a_rejected_rows_id_written_as_a_formula_is_text_in_the_rejects_file(people, tmp_path):
    source, rejects = tmp_path / "hotline.csv", tmp_path / "rejects.csv"
    header = ["external_id", "received_at", "merchant", "category", "wanted_outcome", "description"]
    bad = [
        '=HYPERLINK("https://evil.example/","x")',
        "2026-11-27",
        people.acme.credit_code,
        "nope",
        "refund",
        "x",
    ]
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, bad])
    with time_machine.travel(NOW, tick=False):
        call_command("import_complaints", str(source), "--no-progress", "--rejects", str(rejects))
    with rejects.open(encoding="utf-8", newline="") as f:
        (line, external_id, reason) = list(csv.reader(f))[1]
    assert (line, external_id) == ("2", "'" + bad[0])
    assert reason.startswith("category: unknown category 'nope'")
