"""Statistics benchmark: the dashboard summary and a 13-month series from the API, against plain GROUP BYs.

1. Makes a throwaway SQLite database (DATA_DIR in a temporary folder) and migrates it.
2. Generates `--complaints` complaints (default 10,000,000) over 2024-01-01 … 2025-12-31 for 50 shops
   inside SQLite (`generate`): random draws materialised once in a temporary table (a recursive CTE),
   then INSERT … SELECT of the complaints, their first-response deadlines (answered or missed) and the
   events of the resolved ones, with no journal and the secondary indexes dropped and rebuilt after the
   load (the migrations' own CREATE INDEX statements). The rollup rows are then built by GROUP BY over
   the raw rows (`build_rollups`).
3. Checks the rollups of `--verify-days` random days row by row against the app's own contribution
   functions (`verify_sample`); `--verify-all` also runs the full `rollups.differences()` (small runs).
4. Times, as the regulator, `GET /api/v1/stats/summary` for 2025 (with 2024 as last year) and
   `GET /api/v1/stats/series` by month over 13 months (through Django's test client, in process): the
   median of `--repeats` runs after a warm-up; and the same figures by plain GROUP BY queries over the
   raw tables: the median of `--raw-repeats` runs.
5. Prints the figures and the ratio; exit status 1 when the targets (< 300 ms, ≥ 20× faster) are missed
   and `--check-target` is given.

Run: `.venv/bin/python bench/stats.py` (10 M complaints: 7 GB of disk, 24 min on 2 busy cores); `--complaints 20000 --verify-all`
for a quick check of the generator.
"""

from __future__ import annotations

import argparse
import atexit
import bisect
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import django
from dataset import SQLite, shop_rollups  # bench/ is on sys.path
from django.db import connection
from django.test import Client
from machine import ROOT, manage

sys.path.insert(0, str(ROOT))
SHOPS = 50
FIRST_DAY, DAYS = date(2024, 1, 1), 731  # two whole years, in the past
RULE_IN, RULE_OUT = (
    "Received in working time: first response within 2 hours",
    "Received outside working time: first response within 12 hours",
)


def _shop_slots(shops: list[int], slots: int = 1000) -> list[tuple[int, int]]:
    """A few big shops, many small: shop i takes a share of the slots proportional to 1 / (i + 1)."""
    cumulative = list(itertools.accumulate(1 / (i + 1) for i in range(len(shops))))
    return [(s, shops[bisect.bisect(cumulative, (s + 0.5) / slots * cumulative[-1])]) for s in range(slots)]


def generate(n: int) -> None:
    """`n` complaints with their first-response deadlines and the events that resolved them, then every
    rollup row, all by INSERT … SELECT inside SQLite (no row crosses into Python)."""
    from complaintdesk.accounts.models import Role, User  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.deadlines.models import Deadline  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.merchants.models import Merchant  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.merchants.uscc import check_character  # noqa: PLC0415 - after main()'s django.setup()

    started = time.perf_counter()
    shops = []
    for i in range(SHOPS):
        body = f"91310000MB{i:07d}"
        shops.append(Merchant.objects.create(name=f"Shop {i}", credit_code=body + check_character(body)).pk)
    User.objects.create(username="bench-regulator", role=Role.REGULATOR)
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))

    fixed = {"consumer_name": "", "order_number": "", "promotion_name": "", "wanted_outcome": "refund",
             "description": "Benchmark complaint.", "resume_state": "", "resolution_type": "",
             "resolution_text": "", "external_id": ""}  # fmt: skip
    generated = ["id", "reference", "merchant_id", "category_id", "kind", "channel", "sector", "state",
                 "received_at", "created_at", "updated_at"]  # fmt: skip
    columns, defaults = [], []
    for f in Complaint._meta.concrete_fields:
        if f.attname not in generated:
            columns.append(f.column)
            defaults.append(fixed.get(f.attname, f.get_default()))
    c, d, e = Complaint._meta.db_table, Deadline._meta.db_table, ComplaintEvent._meta.db_table

    connection.ensure_connection()
    db = connection.connection  # the sqlite3 connection itself: qmark parameters, no Django formatting
    run = db.execute
    indexes = run(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ('{c}', '{d}', '{e}')"
    ).fetchall()
    # The load phase of a throwaway database: no journal, no syncs, a big page cache, the tables' secondary
    # indexes built once after loading (the migrations' own CREATE INDEX statements, kept verbatim).
    run("PRAGMA journal_mode = OFF")
    run("PRAGMA synchronous = OFF")
    run("PRAGMA cache_size = -1000000")
    run("PRAGMA temp_store = FILE")
    for name, _ in indexes:
        run(f'DROP INDEX "{name}"')

    def step(label, sql, params=()):
        t = time.perf_counter()
        rows = run(sql, params).rowcount
        print(f"  {label:<42} {rows:>12,} rows {time.perf_counter() - t:7.1f} s", flush=True)

    run("BEGIN")
    run("CREATE TEMP TABLE bench_shop (slot INTEGER PRIMARY KEY, merchant_id INTEGER)")
    db.executemany("INSERT INTO bench_shop VALUES (?, ?)", _shop_slots(shops))
    run("CREATE TEMP TABLE bench_category (slot INTEGER PRIMARY KEY, category_id INTEGER)")
    db.executemany("INSERT INTO bench_category VALUES (?, ?)", list(enumerate(categories)))
    # Every random draw is materialised once, so that the complaint, its deadline and its event agree.
    r = "(random() & 4611686018427387903)"
    step(
        "draws",
        f"CREATE TEMP TABLE draw AS WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) "
        f"SELECT i AS id, {r} % {DAYS} AS day, {r} % 86400 AS sec, {r} % 1000 AS shop_slot, "
        f"{r} % {len(categories)} AS category_slot, {r} % 2 AS kind, {r} % 4 AS channel, {r} % 10 AS sector, "
        f"{r} % 10 AS state, {r} % 1000000 AS u, {r} % 100 AS answered FROM s",
        (n,),
    )
    epoch = int((datetime(2024, 1, 1, tzinfo=UTC) - timedelta(hours=8)).timestamp())  # 2024-01-01 00:00 +08
    received = f"({epoch} + g.day * 86400 + g.sec)"  # seconds since 1970, UTC
    step(
        "complaints",
        f"INSERT INTO {c} ({', '.join(generated + columns)}) "
        f"SELECT g.id, printf('TS-%s-%07d', strftime('%Y', {received} + 28800, 'unixepoch'), g.id), "
        f"sh.merchant_id, ca.category_id, "
        f"CASE g.kind WHEN 0 THEN 'complaint' ELSE 'quality_issue' END, "
        f"CASE g.channel WHEN 0 THEN 'web' WHEN 1 THEN 'hotline_12315' WHEN 2 THEN 'shop_direct' ELSE 'import' END, "
        f"CASE g.sector WHEN 8 THEN 'offline_retail' WHEN 9 THEN 'travel' ELSE 'online_shopping' END, "
        f"CASE WHEN g.state < 4 THEN 'closed' WHEN g.state < 7 THEN 'resolved' WHEN g.state = 7 THEN 'withdrawn' "
        f"WHEN g.state = 8 THEN 'responded' ELSE 'escalated' END, "
        f"datetime({received}, 'unixepoch'), datetime({received}, 'unixepoch'), datetime({received}, 'unixepoch'), "
        f"{', '.join(['?'] * len(columns))} "
        f"FROM draw g JOIN bench_shop sh ON sh.slot = g.shop_slot JOIN bench_category ca ON ca.slot = g.category_slot "
        f"ORDER BY g.id",
        defaults,
    )
    # First response: 2 hours in working time (Monday to Friday, 9:00 to 18:00 local; 2024-01-01 was a
    # Monday), else 12; 93 % answered, after an exponential time with a mean of 50 or 300 minutes.
    step(
        "first-response deadlines",
        f"INSERT INTO {d} (complaint_id, phase, rule_label, clock, starts_at, due_at, remind_at, status, met_at, "
        f"breached_at, paused_total, warning, next_check_at, rule_id) "
        f"SELECT id, 'first_response', CASE WHEN working THEN ? ELSE ? END, 'wall', datetime(t, 'unixepoch'), "
        f"datetime(t + win, 'unixepoch'), datetime(t + win, 'unixepoch'), "
        f"CASE WHEN answered AND delay <= win THEN 'met' ELSE 'breached' END, "
        f"CASE WHEN answered THEN datetime(t + delay, 'unixepoch') END, "
        f"CASE WHEN answered AND delay <= win THEN NULL ELSE datetime(t + win, 'unixepoch') END, 0, '', NULL, NULL "
        f"FROM (SELECT g.id, {received} AS t, g.answered < 93 AS answered, "
        f"g.day % 7 < 5 AND g.sec >= 32400 AND g.sec < 64800 AS working, "
        f"CASE WHEN g.day % 7 < 5 AND g.sec >= 32400 AND g.sec < 64800 THEN 7200 ELSE 43200 END AS win, "
        f"CAST(-ln((g.u + 0.5) / 1000000.0) * 60 * "
        f"CASE WHEN g.day % 7 < 5 AND g.sec >= 32400 AND g.sec < 64800 THEN 50 ELSE 300 END AS INTEGER) AS delay "
        f"FROM draw g ORDER BY g.id)",
        (RULE_IN, RULE_OUT),
    )
    step(
        "events of the resolved complaints",
        f"INSERT INTO {e} (actor_role, action, from_state, to_state, message, data, created_at, actor_id, "
        f"complaint_id) SELECT 'consumer', 'accept', 'resolution_proposed', 'resolved', '', '{{}}', "
        f"datetime(received_at, '+3 days'), NULL, id FROM {c} WHERE state = 'resolved' ORDER BY id",
    )
    run("DROP TABLE draw")
    run("COMMIT")
    loaded = time.perf_counter()
    for name, sql in indexes:
        t = time.perf_counter()
        run(sql)
        print(f"  index {name:<36} {time.perf_counter() - t:7.1f} s", flush=True)
    indexed = time.perf_counter()
    build_rollups(run, step)
    run("PRAGMA analysis_limit = 1000")
    run("ANALYZE")
    run("PRAGMA journal_mode = WAL")
    run("PRAGMA synchronous = NORMAL")
    done = time.perf_counter()
    print(
        f"generated {n:,} complaints in {done - started:.0f} s ({n / (done - started):,.0f} complaints/s): "
        f"rows {loaded - started:.0f} s, indexes {indexed - loaded:.0f} s, rollups {done - indexed:.0f} s"
    )


def build_rollups(run, step) -> None:
    """Every rollup row by GROUP BY over the raw rows, following the contribution functions of
    `stats/rollups.py` (checked against them by `verify_sample`): `dataset.shop_rollups`, which
    bench/scale.py shares."""
    from django.conf import settings  # noqa: PLC0415 - after main()'s django.setup()

    run("BEGIN")
    shop_rollups(SQLite(settings.COMPLAINTDESK_TIME_ZONE), step)
    run("COMMIT")


def verify_sample(days: int, seed: int = 5) -> None:
    """The stored rollups of `days` random days (every shop, and all shops) against the app's own
    contribution functions (`rollups.complaint_contribution`, `deadline_contribution`) over those
    days' raw rows: the rollups are what filing and answering the complaints would have written."""
    from complaintdesk.complaints.models import Complaint, ComplaintEvent  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.deadlines.models import Deadline  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.stats import periods, rollups  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.stats.models import ALL_SHOPS  # noqa: PLC0415 - after main()'s django.setup()
    from complaintdesk.stats.periods import Period  # noqa: PLC0415 - after main()'s django.setup()

    rng = random.Random(seed)
    picked = sorted(FIRST_DAY + timedelta(days=rng.randrange(DAYS)) for _ in range(days))
    t = time.perf_counter()
    problems, checked = [], 0
    for day in picked:
        start, end = Period(day, day).instants()
        complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).order_by()
        fields = ("id", "received_at", "merchant_id", "category_id", "kind", "channel", "sector", "state")
        rows = list(complaints.values_list(*fields))
        ids = [r[0] for r in rows]
        resolved = set()
        deadlines = []
        for i in range(0, len(ids), 5000):
            part = ids[i : i + 5000]
            resolved.update(
                ComplaintEvent.objects.filter(complaint_id__in=part, to_state="resolved").values_list(
                    "complaint_id", flat=True
                )
            )
            deadlines += Deadline.objects.filter(complaint_id__in=part).values_list(
                "complaint_id", *rollups.DeadlineFacts.FIELDS
            )
        deltas = rollups.Deltas()
        facts = {}
        for row in rows:
            f = facts[row[0]] = rollups.ComplaintFacts(*row[1:7])
            rollups.complaint_contribution(
                deltas, f, resolved=row[0] in resolved, finished=row[7] in rollups.TERMINAL
            )
        for row in deadlines:
            rollups.deadline_contribution(deltas, facts[row[0]], rollups.DeadlineFacts(*row[1:]))
        for name, table in rollups.TABLES.items():
            if name in rollups.BY_MONTH.values():
                continue  # a month's row sums its days' rows, not one day's (checked by the stats tests)
            if name == "hours":
                stored_rows = table.model.objects.filter(hour__gte=start, hour__lt=end)
            else:
                stored_rows = table.model.objects.filter(day=day)
            n = len(table.keys)
            have = {tuple(r[:n]): list(r[n:]) for r in stored_rows.values_list(*table.keys, *table.counters)}
            want = deltas.nonzero(name)
            if name == "hours":
                have = {(periods.local_hour(k[0]), *k[1:]): v for k, v in have.items()}
            checked += len(want)
            for key in want.keys() | have.keys():
                if want.get(key) != have.get(key):
                    problems.append(
                        f"{name} {key}: stored {have.get(key)}, contributions say {want.get(key)}"
                    )
        assert deltas.nonzero("shops").get((day, ALL_SHOPS), [0])[0] == len(rows)
    print(
        f"rollups of {days} random days ({', '.join(map(str, picked))}): {checked:,} rows checked against "
        f"the contribution functions, {len(problems)} differ ({time.perf_counter() - t:.1f} s)"
    )
    if problems:
        raise SystemExit("\n".join(problems[:20]))


def raw_summary(cur, start, end, prev_start, prev_end):
    """The summary's figures by plain queries over the raw tables."""
    c, d = "complaints_complaint", "deadlines_deadline"
    cur.execute(
        f"SELECT COUNT(*), SUM(sector = 'online_shopping'), SUM(state = 'resolved'), "
        f"SUM(state IN ('resolved', 'closed', 'withdrawn')) FROM {c} WHERE received_at >= %s AND received_at < %s",
        [start, end],
    )
    figures = cur.fetchone()
    cur.execute(
        f"SELECT COUNT(*) FROM {c} WHERE received_at >= %s AND received_at < %s", [prev_start, prev_end]
    )
    previous = cur.fetchone()
    cur.execute(
        f"SELECT d.phase, d.rule_label, COUNT(*), SUM(d.met_at <= d.due_at), SUM(d.met_at IS NOT NULL AND d.met_at > d.due_at) "
        f"FROM {d} d JOIN {c} c ON c.id = d.complaint_id WHERE c.received_at >= %s AND c.received_at < %s "
        f"GROUP BY d.phase, d.rule_label",
        [start, end],
    )
    rules = cur.fetchall()
    cur.execute(
        f"SELECT COUNT(*) FROM {d} d JOIN {c} c ON c.id = d.complaint_id WHERE c.received_at >= %s "
        f"AND c.received_at < %s AND d.phase = 'first_response' AND d.met_at IS NOT NULL",
        [start, end],
    )
    answered = cur.fetchone()[0]
    medians = []
    for rank in (answered // 2, answered * 9 // 10):
        cur.execute(
            f"SELECT julianday(d.met_at) - julianday(d.starts_at) AS t FROM {d} d JOIN {c} c "
            f"ON c.id = d.complaint_id WHERE c.received_at >= %s AND c.received_at < %s "
            f"AND d.phase = 'first_response' AND d.met_at IS NOT NULL ORDER BY t LIMIT 1 OFFSET %s",
            [start, end, rank],
        )
        medians.append(cur.fetchone())
    return figures, previous, rules, medians


def raw_series(cur, start, end):
    cur.execute(
        "SELECT strftime('%%Y-%%m', received_at, '+8 hours') AS m, COUNT(*) FROM complaints_complaint "
        "WHERE received_at >= %s AND received_at < %s GROUP BY m",
        [start, end],
    )
    return cur.fetchall()


def timed(fn, repeats: int, warm_up: bool = True, runs: list[float] | None = None) -> list[float]:
    """Milliseconds of `repeats` runs (after one untimed warm-up run), added to `runs`."""
    runs = list(runs or [])
    if warm_up:
        fn()
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs


def clocked(fn):
    t = time.perf_counter()
    return fn(), (time.perf_counter() - t) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5, help="Timed runs of each API call (median).")
    parser.add_argument(
        "--raw-repeats",
        type=int,
        default=3,
        help="Timed runs of each plain GROUP BY (median; they are slow).",
    )
    parser.add_argument("--verify-days", type=int, default=3, help="Days of rollups checked row by row.")
    parser.add_argument(
        "--verify-all",
        action="store_true",
        help="Also compare every rollup with rollups.differences() (a full recomputation: small runs only).",
    )
    parser.add_argument("--check-target", action="store_true")
    parser.add_argument("--keep", help="Use (and keep) this data directory instead of a temporary one.")
    args = parser.parse_args()
    data_dir = args.keep or tempfile.mkdtemp(prefix="complaintdesk-bench-stats-")
    if not args.keep:  # ~7 GB at the default size: gone when the run ends, however it ends
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    fresh = not (Path(data_dir) / "complaintdesk.sqlite3").exists()
    os.environ.update(DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="complaintdesk.settings", DEBUG="1")
    os.environ.pop("DATABASE_URL", None)
    if fresh:
        manage(os.environ, "migrate", "-v", "0")
    django.setup()
    from complaintdesk.accounts.models import ApiToken, User  # noqa: PLC0415 - after main()'s django.setup()

    if fresh:
        generate(args.complaints)
    if args.verify_days:
        verify_sample(args.verify_days)
    if args.verify_all:
        from complaintdesk.stats import rollups  # noqa: PLC0415 - after main()'s django.setup()

        problems = rollups.differences()
        print(f"rollups.differences(): {len(problems)} differences")
        if problems:
            raise SystemExit("\n".join(problems))
    _, token = ApiToken.issue(User.objects.get(username="bench-regulator"))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def api_summary():
        r = client.get("/api/v1/stats/summary", {"start": "2025-01-01", "end": "2025-12-31"})
        assert r.status_code == 200, r.content
        return r.json()

    def api_series():
        r = client.get(
            "/api/v1/stats/series", {"start": "2024-12-01", "end": "2025-12-31", "interval": "month"}
        )
        assert r.status_code == 200, r.content
        return r.json()

    adapt = connection.ops.adapt_datetimefield_value
    sh = lambda d: adapt(datetime.combine(d, datetime.min.time(), UTC) - timedelta(hours=8))  # noqa: E731
    bounds = (sh(date(2025, 1, 1)), sh(date(2026, 1, 1)), sh(date(2024, 1, 1)), sh(date(2025, 1, 1)))

    def raw_sum():
        with connection.cursor() as cur:
            return raw_summary(cur, *bounds)

    def raw_ser():
        with connection.cursor() as cur:
            return raw_series(cur, sh(date(2024, 12, 1)), sh(date(2026, 1, 1)))

    summary = api_summary()
    (figures, previous, _, _), raw_sum_first = clocked(raw_sum)
    assert summary["count"] == figures[0] and summary["previous_year_count"] == previous[0], "figures differ"
    raw_points, raw_ser_first = clocked(raw_ser)
    assert sum(p["count"] for p in api_series()["points"]) == sum(n for _, n in raw_points)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM complaints_complaint")
        n = cur.fetchone()[0]
    results = {
        # The plain GROUP BYs' first runs (checking the figures above) count as runs too: they are slow.
        "summary": (
            timed(api_summary, args.repeats),
            timed(raw_sum, args.raw_repeats - 1, False, [raw_sum_first]),
        ),
        "series (13 months)": (
            timed(api_series, args.repeats),
            timed(raw_ser, args.raw_repeats - 1, False, [raw_ser_first]),
        ),
    }
    print(f"SQLite {connection.Database.sqlite_version}, {n:,} complaints, data in {data_dir}")
    print(f"2025: {summary['count']:,} complaints, {summary['growth']['text_percent']} on 2024")
    ok = True
    for name, (api_runs, raw_runs) in results.items():
        api_ms, raw_ms = statistics.median(api_runs), statistics.median(raw_runs)
        ratio = raw_ms / api_ms
        ok &= api_ms < 300 and ratio >= 20
        print(f"{name:<20} API {api_ms:8.1f} ms   raw GROUP BY {raw_ms:9.1f} ms   {ratio:6.1f}× faster")
        print(f"{'':<20} runs: API {', '.join(f'{t:.1f}' for t in api_runs)} ms; raw GROUP BY "
              f"{', '.join(f'{t:.0f}' for t in raw_runs)} ms")  # fmt: skip
    return 0 if ok or not args.check_target else 1


if __name__ == "__main__":
    sys.exit(main())
