"""Smoke tests of the benchmarks in bench/: each runs the benchmark's own command line, as `make bench` does,
at the smallest sizes its options allow, and checks what it reports, so a change that breaks a benchmark
fails `make test` rather than the next `make bench`. None of the figures mean anything at these sizes.

Which database each one runs on follows the pass of the suite (scripts/test.sh runs it twice):
- sweep.py and intake.py run on SQLite in the SQLite pass and, in the PostgreSQL pass, on DATABASE_URL's
  server (sweep.py makes its own scratch databases there; intake.py gets one from `scratch_database`);
- search.py and scale.py run on SQLite in the SQLite pass and on a scratch database in the PostgreSQL pass;
- load.py runs on PostgreSQL only (it kills processes mid-transaction and checks the rows with psycopg),
  so only in the PostgreSQL pass, on a scratch database;
- deadlines.py uses no database, and import.py and stats.py measure SQLite only (they drop DATABASE_URL
  themselves), so these three run in the SQLite pass only: the PostgreSQL pass would repeat them as they are.

The processes they start see tests/bench_site/ on PYTHONPATH, whose sitecustomize.py makes password hashing
cheap (its docstring says why).
"""

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SITE = Path(__file__).resolve().parent / "bench_site"
ON_POSTGRES = connection.vendor == "postgresql"
# Far beyond what any of them takes (under a minute on a busy machine): a hung benchmark fails, never hangs.
TIMEOUT = 600

sqlite_pass_only = pytest.mark.skipif(
    ON_POSTGRES, reason="uses no database or measures SQLite only: it runs in the SQLite pass"
)
postgres_pass_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="load.py runs on PostgreSQL only: it runs in the PostgreSQL pass"
)


def bench(script: str, *args: str, database_url: str | None = None) -> str:
    """Run bench/`script` with `args` as `make bench` would (DATABASE_URL set to `database_url` or unset);
    its standard output, after checking that it exited with status 0."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        # SIGTERM first: the benchmarks then stop their gunicorn, workers and throwaway servers themselves.
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        pytest.fail(f"bench/{script} did not finish within {TIMEOUT} s:\n{out[-3000:]}\n{err[-3000:]}")
    assert proc.returncode == 0, (
        f"bench/{script} exited with {proc.returncode}:\n{out[-4000:]}\n{err[-4000:]}"
    )
    return out


@pytest.fixture
def scratch_database():
    """The URL of a new, empty database on DATABASE_URL's server, dropped afterwards: the benchmark migrates
    and seeds it, as it would the empty database the benchmarks' docs ask for."""
    server = os.environ["DATABASE_URL"]
    name = f"bench_smoke_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_for_this_pass(request) -> str | None:
    return request.getfixturevalue("scratch_database") if ON_POSTGRES else None


@sqlite_pass_only
def test_deadlines_benchmark_agrees_with_businesstimedelta():
    out = bench("deadlines.py", "--n", "300", "--check", "300", "--repeats", "1")

    assert "identical results:  300 of 300" in out
    assert "MISMATCH" not in out
    per_deadline = re.search(r"BusinessCalendar:\s+([\d.]+) µs per deadline", out)
    assert per_deadline and float(per_deadline.group(1)) > 0
    assert re.search(r"^\| .* \| 300/300 identical \| n=300 \|", out, re.MULTILINE)


@sqlite_pass_only
def test_import_benchmark_imports_every_row_once_and_its_rollups_agree():
    out = bench("import.py", "--rows", "300", "--repeats", "1", "--verify")

    assert "wrote 300 rows" in out
    assert "300 rows, 300 imported, 0 already imported, 0 rejected" in out
    assert "300 rows, 0 imported, 300 already imported, 0 rejected" in out
    assert "rollups.differences(): 0" in out
    assert re.search(r"^median of 1: [\d,]+ rows/s", out, re.MULTILINE)


@sqlite_pass_only
def test_stats_benchmark_generates_rollups_that_agree_and_times_the_api():
    out = bench(
        "stats.py", "--complaints", "2000", "--repeats", "1", "--raw-repeats", "1",
        "--verify-days", "2", "--verify-all",
    )  # fmt: skip

    assert "generated 2,000 complaints" in out
    assert re.search(r"rows checked against the contribution functions, 0 differ", out)
    assert "rollups.differences(): 0 differences" in out
    # The API's figures were checked against the plain GROUP BYs before these lines are printed.
    for name in ("summary", r"series \(13 months\)"):
        assert re.search(rf"^{name}\s+API\s+[\d.]+ ms\s+raw GROUP BY\s+[\d.]+ ms", out, re.MULTILINE)


def test_search_benchmark_loads_indexes_and_times_every_reader(request):
    url = database_for_this_pass(request)
    database = ["--database", "postgresql"] if url else []
    out = bench(
        "search.py", "--complaints", "300", "--repeats", "1", "--rebuild", *database, database_url=url
    )

    assert "import with indexing: 300 complaints" in out
    assert "rebuild_search_index:" in out
    assert out.count("API q=") == 21 and out.count("web /console/complaints/?q=") == 7
    regulator = re.search(r"^API q=退款 as regulator\s+([\d,]+)", out, re.MULTILINE)
    assert regulator and int(regulator.group(1).replace(",", "")) > 0  # about a third say 退款
    assert re.search(r"^worst p95: [\d.]+ ms", out, re.MULTILINE)


def test_sweep_benchmark_idles_and_escalates_exactly_the_overdue(tmp_path):
    db = "postgres" if ON_POSTGRES else "sqlite"
    results = tmp_path / "sweep.json"
    out = bench(
        "sweep.py", "--sizes", "30", "--escalations", "20", "--passes", "2", "--db", db,
        "--json", str(results), database_url=os.environ.get("DATABASE_URL") if ON_POSTGRES else None,
    )  # fmt: skip

    runs = json.loads(results.read_text())["results"]
    assert sorted((r["scenario"], r["size"], r["db"]) for r in runs) == [
        ("escalate", 20, db),
        ("idle", 30, db),
    ]
    escalate, idle = sorted(runs, key=lambda r: r["scenario"])
    assert idle["found_work"] == []
    assert len(idle["run_ms"]) == len(idle["history_run_ms"]) == len(idle["sweep_ms"]) == 2
    assert idle["open_complaints"] >= 30
    assert "deadline due query" in idle["plans"]
    for count in ("due_before", "breach_events", "breached_deadlines", "escalated", "outbox_breach_sent"):
        assert escalate[count] == 20, count
    assert escalate["still_due"] == 0
    assert "exactly 20 breach events, breached deadlines, escalations and sent e-mails: OK" in out


def test_intake_benchmark_files_complaints_that_all_reach_the_database(request, tmp_path):
    results = tmp_path / "intake.json"
    out = bench(
        "intake.py", "--db", "postgres" if ON_POSTGRES else "sqlite", "--clients", "2",
        "--seconds", "0.5", "--warmup", "0.2", "--repeats", "1", "--workers", "1", "--json", str(results),
        database_url=database_for_this_pass(request),
    )  # fmt: skip

    (result,) = json.loads(results.read_text())["results"]
    assert result["db"] == ("PostgreSQL" if ON_POSTGRES else "SQLite")
    assert not result["skipped"] and result["errors"] == 0
    assert result["created"] > 0
    assert result["count_after"] - result["count_before"] == result["created"]
    assert {run["phase"] for run in result["runs"] if run["ok"] > 0} == {"health", "intake"}
    assert "duplicate ids 0: OK" in out


@postgres_pass_only
def test_load_benchmark_loses_nothing_and_checks_everything(scratch_database):
    # No kill within the phase (--kill-every beyond --seconds): a worker killed while it sends leaves the
    # message to the outbox's two-minute lease (notify.outbox.LEASE), so a run with kills takes minutes.
    # The kills themselves are tested below, on the benchmark's own Fleet.
    out = bench(
        "load.py", "--clients", "3", "--seconds", "2", "--kill-every", "60", "--skip-steady",
        "--back-office", "2", "--drain", "60", "--web-processes", "1", "--workers", "1",
        database_url=scratch_database,
    )  # fmt: skip

    assert re.search(r"^== phase kill -9: 3 clients, .*\n(?:   .*\n)*?   OK$", out, re.MULTILINE), out
    (checked,) = [json.loads(line) for line in re.findall(r"^   (\{\".*\})$", out, re.MULTILINE)]
    assert checked["acknowledged"] == checked["acknowledged_found"] > 0
    assert checked["lost"] == checked["duplicates"] == checked["outbox_unsent"] == 0
    assert checked["back_office_escalated"] == checked["back_office"] >= 2
    assert checked["webhooks_sent"] > 0 and checked["webhooks_never_received"] == 0


@postgres_pass_only
def test_load_benchmark_kills_and_restarts_the_web_server_and_the_workers(
    scratch_database, tmp_path, monkeypatch
):
    monkeypatch.syspath_prepend(str(BENCH))
    load = importlib.import_module(
        "load"
    )  # bench/load.py, which imports bench/intake.py and bench/machine.py

    env = load.app_env(tmp_path, scratch_database)
    load.manage(env, "migrate", "--noinput", "-v", "0")
    fleet = load.Fleet(env, tmp_path, web_processes=1, workers=1)
    try:
        fleet.start()
        (worker,) = fleet.workers
        fleet.kill_worker()
        assert worker.returncode == -signal.SIGKILL
        assert len(fleet.workers) == 1 and fleet.workers[0].poll() is None

        (web_process,) = load.child_pids(fleet.gunicorn.pid)
        fleet.kill_web_process()
        load.wait_for_health(fleet.gunicorn, fleet.base_url, tmp_path / "gunicorn.log")
        assert load.child_pids(fleet.gunicorn.pid) not in ([], [web_process])

        master = fleet.gunicorn
        fleet.kill_all_web()  # starts gunicorn again on the same port and waits until it answers
        assert master.returncode == -signal.SIGKILL
        assert fleet.gunicorn is not master and fleet.gunicorn.poll() is None
        assert fleet.kills == {
            "manage.py worker": 1,
            "gunicorn worker process": 1,
            "whole gunicorn (master + workers)": 1,
        }
    finally:
        fleet.stop()
        for name in ("load", "intake", "machine"):
            sys.modules.pop(name, None)


@sqlite_pass_only
def test_exports_benchmark_streams_every_row_of_each_download():
    out = bench("exports.py", "--complaints", "2000", "--repeats", "1")

    # Each download's rows were counted against the database's (the XLSX's inside its zip) before these.
    for name in ("complaint list, CSV", "complaint list, XLSX", "open data 2025, CSV"):
        assert re.search(rf"^\| {name} \| [\d,]+ \| \d+ ms \| ", out, re.MULTILINE), name
    assert re.search(r"^\| complaint list, CSV \| 2,000 \|", out, re.MULTILINE)
    assert "targets (CSV list" in out


def test_scale_benchmark_makes_its_database_and_requests_every_get_as_every_role(request, tmp_path):
    from complaintdesk.api.api import api  # noqa: PLC0415 - the app's own list of operations
    from complaintdesk.web import urls  # noqa: PLC0415

    url = database_for_this_pass(request)
    database = ["--database", "postgresql"] if url else []
    results = tmp_path / "scale.json"
    out = bench(
        "scale.py", "--complaints", "2000", "--repeats", "1", "--explain", "2", "--verify",
        "--json", str(results), *database, database_url=url,
    )  # fmt: skip

    assert "made 2,000 complaints" in out
    # The generated rows add up to what the app's own rollups would hold (shops' and the centre's).
    assert "rollups.differences(): 0 differences" in out
    runs = json.loads(results.read_text())["results"]
    requested = {(r["surface"], r["route"]) for r in runs}
    operations = {path for path, ops in api.get_openapi_schema()["paths"].items() if "get" in ops}
    assert {route for surface, route in requested if surface == "api"} == operations
    assert {route for surface, route in requested if surface == "web"} == {
        "/" + str(pattern.pattern) for pattern in urls.urlpatterns
    }
    status = {(r["route"], r["role"], r["variant"]): r["status"] for r in runs}
    for role in ("regulator", "district", "agent", "consumer"):
        assert status[("/api/v1/complaints", role, "")] == 200, role
        assert status[("/api/v1/complaints/{complaint_id}", role, "")] == 200, role
    assert status[("/console/", "regulator", "")] == status[("/console/", "district", "")] == 200
    assert status[("/workbench/", "agent", "")] == status[("/my/complaints/", "consumer", "")] == 200
    assert status[("/console/", "anonymous", "")] == 302  # to the login page
    timed = [r for r in runs if 200 <= r["status"] < 300]
    assert timed and all(len(r["runs_ms"]) == 1 and r["p95_x_health"] > 0 for r in timed)
    # The 2 slowest answers' queries planned (and those at 150 ms or more: a busy machine has some).
    planned = [r for r in runs if r["plan"] and r["plan"].get("plan")]
    assert len(planned) >= 2 and all(r["plan"]["queries"] > 0 for r in planned)
    assert "== for docs/benchmarks.md" in out
