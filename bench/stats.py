"""Statistics benchmark: the dashboard summary and a 13-month series from the API, against plain GROUP BYs.

1. Makes a throwaway SQLite database (DATA_DIR in a temporary folder) and migrates it.
2. Generates `--complaints` complaints (default 10,000,000) over 2024-01-01 … 2025-12-31 for 50 shops,
   straight into the tables with executemany, each with its first-response deadline (answered or missed),
   and their rollup rows added up in memory by day as filing would have left them.
3. Times, as the regulator, `GET /api/v1/stats/summary` for 2025 (with 2024 as last year) and
   `GET /api/v1/stats/series` by month over 13 months (through Django's test client, in process), and the
   same figures by plain GROUP BY queries over the raw tables; medians of `--repeats` runs after a warm-up.
4. Prints the figures and the ratio; exit status 1 when the targets (< 300 ms, ≥ 20× faster) are missed
   and `--check-target` is given.

Run: `.venv/bin/python bench/stats.py --complaints 2000000` (the full 10 M needs ~15 GB of disk and some
minutes to generate).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHOPS = 50
FIRST_DAY, DAYS = date(2024, 1, 1), 731  # two whole years, in the past
RULE_IN, RULE_OUT = (
    "Received in working time: first response within 2 hours",
    "Received outside working time: first response within 12 hours",
)


def migrate(data_dir: str) -> None:
    env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "complaintdesk.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def generate(n: int, seed: int = 5) -> None:
    from django.db import connection, transaction

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.complaints.models import Category, Complaint
    from complaintdesk.deadlines.models import Deadline
    from complaintdesk.merchants.models import Merchant
    from complaintdesk.merchants.uscc import check_character
    from complaintdesk.stats import buckets, rollups

    rng = random.Random(seed)
    shops = []
    for i in range(SHOPS):
        body = f"91310000MB{i:07d}"
        shops.append(Merchant.objects.create(name=f"Shop {i}", credit_code=body + check_character(body)).pk)
    User.objects.create(username="bench-regulator", role=Role.REGULATOR)
    categories = list(Category.objects.values_list("pk", flat=True))
    cumulative = list(itertools.accumulate(1 / (i + 1) for i in range(SHOPS)))  # a few big shops, many small
    kinds, channels = ["complaint", "quality_issue"], ["web", "hotline_12315", "shop_direct", "import"]
    sectors = ["online_shopping"] * 8 + ["offline_retail", "travel"]
    states = ["closed"] * 4 + ["resolved"] * 3 + ["withdrawn", "responded", "escalated"]

    fixed = {"consumer_name": "", "order_number": "", "promotion_name": "", "wanted_outcome": "refund",
             "description": "Benchmark complaint.", "resume_state": "", "resolution_type": "",
             "resolution_text": "", "external_id": ""}  # fmt: skip
    generated = ["id", "reference", "merchant_id", "category_id", "kind", "channel", "sector", "state",
                 "received_at", "created_at", "updated_at"]  # fmt: skip
    columns, defaults = [], []
    for f in Complaint._meta.concrete_fields:
        if f.attname in generated:
            continue
        columns.append(f.column)
        defaults.append(fixed.get(f.attname, f.get_default()))
    c_sql = (
        f"INSERT INTO {Complaint._meta.db_table} ({', '.join(generated + columns)}) "
        f"VALUES ({', '.join(['%s'] * (len(generated) + len(columns)))})"
    )
    d_cols = ["complaint_id", "phase", "rule_label", "clock", "starts_at", "due_at", "remind_at", "status",
              "met_at", "breached_at", "paused_total", "warning"]  # fmt: skip
    d_sql = f"INSERT INTO {Deadline._meta.db_table} ({', '.join(d_cols)}) VALUES ({', '.join(['%s'] * len(d_cols))})"

    def adapt(value):  # SQLite stores naive UTC text; str() is 20× faster than the backend's adapter
        return str(value.replace(tzinfo=None))

    deltas = rollups.Deltas()
    rows = deltas.rows
    batch_c, batch_d = [], []
    epoch = datetime(2024, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # 2024-01-01 00:00 Shanghai
    started = time.perf_counter()
    for pk in range(1, n + 1):
        day = rng.randrange(DAYS)
        second = rng.randrange(86400)
        received = epoch + timedelta(days=day, seconds=second)
        local_day = FIRST_DAY + timedelta(days=day)
        shop = shops[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        category = rng.choice(categories)
        kind, channel, sector = rng.choice(kinds), rng.choice(channels), rng.choice(sectors)
        state = rng.choice(states)
        resolved, finished = state == "resolved", state in ("resolved", "closed", "withdrawn")
        received_s = adapt(received)
        batch_c.append((pk, f"TS-{local_day.year}-{pk:07d}", shop, category, kind, channel, sector, state,
                        received_s, received_s, received_s, *defaults))  # fmt: skip
        working = local_day.weekday() < 5 and 9 * 3600 <= second < 18 * 3600
        rule, window = (RULE_IN, timedelta(hours=2)) if working else (RULE_OUT, timedelta(hours=12))
        due = received + window
        answer = received + timedelta(minutes=rng.expovariate(1 / (50 if working else 300)))
        met = answer if rng.random() < 0.93 else None
        status = "breached" if met is None or met > due else "met"
        batch_d.append((pk, "first_response", rule, "wall", received_s, adapt(due), adapt(due), status,
                        adapt(met) if met else None, adapt(due) if status == "breached" else None, 0, ""))  # fmt: skip
        for table, key in (("complaints", (local_day, shop, category, kind, channel, sector)),
                           ("shops", (local_day, shop))):  # fmt: skip
            for s in (key[1], 0):
                counters = rows[table][(key[0], s, *key[2:])]
                counters[0] += 1
                counters[1] += resolved
                counters[2] += finished
        outcome = None if met is None else ("met_in_time" if met <= due else "met_late")
        bucket = buckets.bucket_of(met - received) if met else None
        for s in (shop, 0):
            counters = rows["deadlines"][(local_day, s, "first_response", rule)]
            counters[0] += 1
            if outcome:
                counters[1 if outcome == "met_in_time" else 2] += 1
                rows["response"][(local_day, s, bucket)][0] += 1
        if len(batch_c) >= 20000:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(c_sql, batch_c)
                cur.executemany(d_sql, batch_d)
            batch_c, batch_d = [], []
            if pk % 1_000_000 == 0:
                print(f"  {pk:,} complaints, {time.perf_counter() - started:.0f} s", flush=True)
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(c_sql, batch_c)
        cur.executemany(d_sql, batch_d)
        rollups.write(deltas, chunk=500)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"generated {n:,} complaints in {time.perf_counter() - started:.0f} s; rollup rows: "
          + ", ".join(f"{t} {len(r):,}" for t, r in rows.items() if r))  # fmt: skip


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
        f"SELECT d.phase, d.rule_label, COUNT(*), SUM(d.met_at <= d.due_at), SUM(d.met_at > d.due_at) "
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


def timed(fn, repeats: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--check-target", action="store_true")
    parser.add_argument("--keep", help="Use (and keep) this data directory instead of a temporary one.")
    args = parser.parse_args()
    data_dir = args.keep or tempfile.mkdtemp(prefix="complaintdesk-bench-stats-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    fresh = not (Path(data_dir) / "complaintdesk.sqlite3").exists()
    os.environ.update(DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="complaintdesk.settings", DEBUG="1")
    os.environ.pop("DATABASE_URL", None)
    if fresh:
        migrate(data_dir)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from complaintdesk.accounts.models import ApiToken, User

    if fresh:
        generate(args.complaints)
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
    figures, previous, _, _ = raw_sum()
    assert summary["count"] == figures[0] and summary["previous_year_count"] == previous[0], "figures differ"
    assert sum(p["count"] for p in api_series()["points"]) == sum(n for _, n in raw_ser())
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM complaints_complaint")
        n = cur.fetchone()[0]
    results = {
        "summary": (timed(api_summary, args.repeats), timed(raw_sum, max(1, args.repeats // 2))),
        "series (13 months)": (timed(api_series, args.repeats), timed(raw_ser, max(1, args.repeats // 2))),
    }
    print(f"SQLite {connection.Database.sqlite_version}, {n:,} complaints, data in {data_dir}")
    print(f"2025: {summary['count']:,} complaints, {summary['growth']['text_percent']} on 2024")
    ok = True
    for name, (api_ms, raw_ms) in results.items():
        ratio = raw_ms / api_ms
        ok &= api_ms < 300 and ratio >= 20
        print(f"{name:<20} API {api_ms:8.1f} ms   raw GROUP BY {raw_ms:9.1f} ms   {ratio:6.1f}× faster")
    return 0 if ok or not args.check_target else 1


if __name__ == "__main__":
    sys.exit(main())
