"""import_complaints: the real CFPB sample, re-runs, planted bad rows, a file cut mid-row."""

import csv
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.complaints.importing import import_file, imported_credit_code, is_imported_shop
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import sweep
from complaintdesk.deadlines.models import SHOP_RUNNING, Deadline
from complaintdesk.deadlines.services import ensure_default_policy
from complaintdesk.merchants.models import Merchant
from complaintdesk.merchants.uscc import validate_credit_code
from complaintdesk.notify.models import OutboxMessage
from complaintdesk.stats import rollups

# A copy of ../shared/data/cfpb-sample-268.csv (268 rows of the CFPB's public complaint database, a US
# government work) kept in the repository, so that these tests run wherever the repository is cloned.
SAMPLE = Path(__file__).resolve().parent / "data" / "cfpb-sample-268.csv"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def sample(tmp_path):
    copy = tmp_path / "cfpb.csv"
    shutil.copy(SAMPLE, copy)
    return copy


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _dicts(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.django_db
def test_the_cfpb_sample_imports_whole_and_a_second_run_adds_nothing(sample, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("import_complaints", str(sample), "--no-progress", "--batch-size", "50")
        first = capsys.readouterr().out
        call_command("import_complaints", str(sample), "--no-progress")
        second = capsys.readouterr().out
    assert "268 rows, 268 imported, 0 already imported, 0 rejected, 92 shops created" in first
    assert "1 descriptions cut to 10000 characters" in first  # one narrative has 21,928
    assert "268 rows, 0 imported, 268 already imported, 0 rejected, 0 shops created" in second
    assert Complaint.objects.count() == 268
    assert Merchant.objects.count() == 92
    assert ComplaintEvent.objects.filter(action="import").count() == 268
    narratives = {f"cfpb:{r['Complaint ID']}": r["Consumer complaint narrative"] for r in _dicts(sample)}
    stored = dict(Complaint.objects.values_list("external_id", "description"))
    assert sum(bool(n) and stored[i][:500] == n.strip()[:500] for i, n in narratives.items()) == 101
    assert not rollups.differences()


@pytest.mark.django_db
def test_a_cfpb_row_maps_to_a_historical_complaint(sample):
    with time_machine.travel(NOW, tick=False):
        import_file(sample)
    c = Complaint.objects.select_related("merchant", "category").get(external_id="cfpb:3384392")
    assert c.reference == f"TS-2019-{c.pk:07d}"
    assert c.received_at == datetime(2019, 9, 24, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (c.channel, c.sector, c.kind, c.category.code) == (
        "web",
        "financial_services",
        "complaint",
        "other",
    )
    assert (c.state, c.resolution_type) == ("closed", "explanation")
    assert c.description.startswith("transworld systems inc.")
    assert c.merchant.name == "TRANSWORLD SYSTEMS INC" and not c.merchant.is_active
    assert is_imported_shop(c.merchant) and validate_credit_code(c.merchant.credit_code)
    assert c.merchant.credit_code == imported_credit_code("Transworld  Systems inc")
    d = c.deadlines.get()
    assert (d.phase, d.status, d.next_check_at) == ("first_response", "met", None)
    event = c.events.get()
    assert (event.action, event.to_state, event.data["us_state"], event.data["timely"]) == (
        "import",
        "closed",
        "FL",
        True,
    )
    assert "335XX" not in str(event.data)  # no ZIP code: part of an address


@pytest.mark.django_db
def test_imported_history_never_wakes_the_worker(sample):
    with time_machine.travel(NOW, tick=False):
        import_file(sample)
        assert sweep.sweep(NOW) == {"reminded": 0, "breached": 0, "unanswered": 0, "terminated": 0}
    assert not Deadline.objects.filter(next_check_at__isnull=False).exists()
    assert not Complaint.objects.filter(state="escalated").exists()
    assert not OutboxMessage.objects.exists()
    statuses = dict(Deadline.objects.values_list("complaint__external_id", "status"))
    assert statuses["cfpb:3287016"] in ("met", "missed", "cancelled")
    # The five untimely answers are missed deadlines of closed complaints: none runs, none is overdue; the
    # one still in progress has no outcome.
    assert Deadline.objects.filter(status="missed").count() == 5
    assert not Deadline.objects.filter(SHOP_RUNNING).exists()
    assert Complaint.objects.filter(state="submitted").count() == 1


@pytest.mark.django_db
def test_planted_bad_rows_are_rejected_with_reasons_and_leave_nothing(sample, tmp_path):
    rows = _rows(sample)
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    bad = [list(r) for r in rows[1:6]]
    bad[0][col["Date received"]] = "2019-13-45"
    bad[1][col["Company"]] = ""
    bad[2][col["Timely response?"]] = "Maybe"
    bad[3][col["Complaint ID"]] = rows[7][col["Complaint ID"]]  # a repeat of a later row's id
    bad[4] = bad[4][:5]  # a row with a column count that does not match
    planted = tmp_path / "planted.csv"
    _write(planted, [header, *bad, *rows[6:]])
    rejects = tmp_path / "rejects.csv"
    with time_machine.travel(NOW, tick=False):
        call_command("import_complaints", str(planted), "--no-progress", "--rejects", str(rejects))
    rejected = _rows(rejects)[1:]
    assert len(rejected) == 5
    ids = [r[col["Complaint ID"]] for r in bad[:4]]
    reasons = {r[1]: r[2] for r in rejected}
    assert "Date received" in reasons[ids[0]] and "not a date" in reasons[ids[0]]
    assert reasons[ids[1]] == "Company: missing"
    assert "Timely response?" in reasons[ids[2]]
    assert reasons[""].startswith("has 5 columns, the header has 18")
    # The planted repeat goes in (it comes first); its twin further down is the one refused.
    twin = next(r for r in rejected if r[1] == ids[3] and r[2].startswith("the same id as line"))
    assert int(twin[0]) > 6
    assert Complaint.objects.count() == 268 - 5
    # Nothing of a rejected row was stored: no deadlines or events without their complaint.
    assert Deadline.objects.count() == ComplaintEvent.objects.count() == 268 - 5
    assert not rollups.differences()


@pytest.mark.django_db
@pytest.mark.parametrize("cut", ["inside_quotes", "after_a_field"])
def test_a_file_cut_mid_row_imports_every_whole_row_and_rejects_the_cut_one(sample, tmp_path, cut):
    raw = sample.read_bytes()
    # Inside the last quoted narrative, or between two fields of the last row (too few columns).
    at = raw.rindex(b'"I ') + 40 if cut == "inside_quotes" else raw.rindex(b",Closed")
    cut_file = tmp_path / "cut.csv"
    cut_file.write_bytes(raw[:at])
    with time_machine.travel(NOW, tick=False):
        report = import_file(cut_file)
    assert len(report.rejected) == 1
    assert "cut mid-row" in report.rejected[0].reason
    assert report.imported == Complaint.objects.count() == report.rows - 1
    assert not rollups.differences()


@pytest.mark.django_db
def test_unknown_columns_are_refused_naming_what_is_missing(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("foo,bar\n1,2\n")
    with pytest.raises(Exception, match="CFPB file lacks Date received"):
        call_command("import_complaints", str(wrong), "--no-progress")


@pytest.mark.django_db
def test_our_own_columns_import_live_and_finished_complaints(people, tmp_path):
    path = tmp_path / "hotline.csv"
    _write(
        path,
        [
            ["external_id", "received_at", "merchant", "category", "channel", "wanted_outcome", "description",
             "amount", "state"],
            ["H-1", "2026-11-28T09:30:00+08:00", people.acme.credit_code, "delivery", "hotline_12315", "refund",
             "包裹丢失，联系电话13812345678", "59.90", ""],
            ["H-2", "2026-11-20", people.acme.credit_code, "quality", "hotline_12315", "repair", "Broken", "", "closed"],
            ["H-3", "2026-11-28T09:30:00", people.acme.credit_code, "delivery", "", "refund", "x", "", ""],
            ["H-4", "2026-11-28T09:30:00+08:00", "91310000MA1T99999X", "delivery", "", "refund", "x", "", ""],
            ["H-5", "2026-11-28T09:30:00+08:00", people.acme.credit_code, "nope", "", "refund", "x", "", ""],
        ],
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        report = import_file(path)
        again = import_file(path)
    assert report.imported == 2 and again.imported == 0 and again.already_imported == 2
    reasons = sorted(r.reason for r in report.rejected)
    assert any(r.startswith("received_at: a time needs its offset") for r in reasons)
    assert any(r.startswith("merchant: no shop has credit code") for r in reasons)
    assert any(r.startswith("category: unknown category 'nope'") for r in reasons)
    live = Complaint.objects.get(external_id="H-1")
    assert live.deadlines.get(phase="first_response").next_check_at is not None  # the worker will chase it
    done = Complaint.objects.get(external_id="H-2")
    assert set(done.deadlines.values_list("status", flat=True)) == {"cancelled"}
    assert not rollups.differences()


@pytest.mark.django_db
def test_a_row_with_bytes_that_are_not_utf8_is_rejected_alone_and_the_progress_bar_counts_every_row(
    sample, tmp_path
):
    raw = sample.read_bytes()
    assert raw.count(b",3384392") == 1  # the first data row's Complaint ID, its last field
    broken = tmp_path / "latin1.csv"
    # That row's id gets a Latin-1 byte; the file is streamed, so the rest still imports.
    broken.write_bytes(raw.replace(b",3384392", b",3384392\xe9"))

    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    with time_machine.travel(NOW, tick=False):
        report = import_file(broken, batch_size=100, progress=bar)
    assert [r.reason for r in report.rejected] == ["contains bytes that are not UTF-8"]
    assert report.imported == Complaint.objects.count() == 267
    assert bar.n == report.rows == 268
    assert not rollups.differences()


@pytest.mark.django_db
def test_an_import_adds_to_the_rollups_of_complaints_already_filed_on_the_same_days(people, sample, tmp_path):
    # Filed complaints and imported ones share rollup keys (same shop, day, hour, category, …): the
    # import's upserts must add to those rows, not replace them.
    filed_at = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(filed_at, tick=False):
        for category in ("delivery", "quality", "delivery"):
            factories.complaint(people.alice, people.acme, category=category, channel="hotline_12315")
    path = tmp_path / "hotline.csv"
    _write(
        path,
        [
            ["external_id", "received_at", "merchant", "category", "channel", "wanted_outcome", "description",
             "state"],
            ["H-1", "2026-11-27", people.acme.credit_code, "delivery", "hotline_12315", "refund", "Lost", ""],
            ["H-2", "2026-11-27T12:30:00+08:00", people.acme.credit_code, "quality", "hotline_12315", "repair",
             "Broken", "resolved"],
            ["H-3", "2026-11-27T12:59:00+08:00", people.bazaar.credit_code, "delivery", "web", "refund", "Late",
             "closed"],
        ],
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        assert import_file(path, batch_size=2).imported == 3
        assert import_file(path).already_imported == 3
        import_file(sample)
    assert not rollups.differences()


@pytest.mark.django_db
def test_our_own_columns_read_the_deadline_policy_once_per_batch_not_once_per_row(people, tmp_path):
    path = tmp_path / "hotline.csv"
    header = ["external_id", "received_at", "merchant", "category", "wanted_outcome", "description"]
    rows = [
        [f"H-{i}", "2026-11-27T10:00:00+08:00", people.acme.credit_code, "delivery", "refund", "x"]
        for i in range(6)
    ]
    _write(path, [header, *rows])
    ensure_default_policy()
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        report = import_file(path, batch_size=3)
    assert report.imported == 6
    policy_reads = [q for q in queries if 'FROM "deadlines_policy"' in q["sql"]]
    assert len(policy_reads) == 2  # two batches of three rows
    assert Deadline.objects.filter(complaint__external_id__startswith="H-", status="open").count() >= 6
