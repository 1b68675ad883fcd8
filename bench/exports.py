"""Export benchmark: the complaint list (CSV and XLSX) and the open data, streamed by gunicorn from a large
database, with the serving process's memory watched.

1. Reuses the SQLite database in `--keep DIR`, or makes one there (or in a throwaway folder) with
   `bench/stats.py --complaints N` (50 shops of very different sizes, 2024–2025, first-response deadlines
   answered or missed). Once per database it gives the complaints free text as long as real ones (a
   product, an order number, one of eight Chinese or mixed descriptions, some with a phone number; a
   third consent to publishing theirs): the generator's one-word rows would flatter the figures. And,
   unless `--layout generated`, it renumbers the complaints in the order they were received, as a real
   database holds them (`file_in_received_order` says why).
2. Serves it with gunicorn as `make run` does (gunicorn.conf.py: 2 gthread workers, 1 thread; DEBUG=0).
3. Downloads as the regulator, `--repeats` times each after a one-day warm-up download: the complaint list
   of both years as CSV (`GET /api/v1/stats/export?table=complaints`: every complaint) and as XLSX, and
   the open data of 2025 as CSV (366 days, the most it serves at once).
4. For each download: first byte (request sent → first byte of the body), first row (→ end of the first
   data row; CSV only), rows/s (data rows ÷ the whole download), the workers' CPU time a row (the rate a
   core of its own would give: the machine may be shared), MB, and the memory growth of the gunicorn
   worker that served it (its RSS sampled every 20 ms, peak minus before). The rows are counted: the CSV's
   lines, the XLSX's rows inside its zip (first run), each against the database's count.
5. Prints the medians; with `--check-target`, exit status 1 when the CSV list misses ≥ 50,000 rows/s, a
   first byte misses < 300 ms or a worker grows by 100 MB or more (issue 15, item 3).

Run: `.venv/bin/python bench/exports.py --complaints 1000000 --keep /tmp/bench-1m` (building the database
takes ~4 min on 2 cores, each CSV pass of 1 M rows under a minute, the XLSX pass longer); `make bench`
runs it with the defaults (1,000,000 complaints, in a throwaway folder).
"""

from __future__ import annotations

import argparse
import atexit
import os
import runpy
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from machine import (
    PYTHON,
    ROOT,
    BenchError,
    app_env,
    machine_info,
    manage,
    serve,
    stop,
)  # bench/ on sys.path

TARGET_ROWS_PER_S, TARGET_FIRST_BYTE_MS, TARGET_GROWTH_MB = 50_000, 300, 100
TICKS = os.sysconf("SC_CLK_TCK")
BOTH_YEARS = {"start": "2024-01-01", "end": "2025-12-31"}  # every complaint bench/stats.py makes
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}
WARM_UP = {"start": "2025-06-01", "end": "2025-06-01"}
DONE_MARK = "exports-texts.done"
RECEIVED_ORDER_MARK = "exports-received-order.done"

# What consumers write (made up for the benchmark, as long as real complaints are): the exports' work per
# row depends on it (CSV quoting, XML escaping, the open data's scrubbing of phone numbers).
DESCRIPTIONS = [
    "收到的蓝牙耳机左耳没有声音，联系客服三天没有回复，要求退款。订单已签收，包装完好。",
    "充电宝使用两天后外壳鼓包发烫，担心安全问题，商家只同意换货不同意退款，请求12315协调。",
    "面包在保质期内发霉，购买后第二天打开就发现有霉点，要求退一赔十。联系电话13812345678。",
    "Ordered an iPhone 15 Pro 256GB, received a used phone with scratches; the shop refuses a refund.",
    "商家承诺七天无理由退货，但退回商品后一直不退款，已经超过十五天，客服电话打不通。",
    "外卖送达时餐品洒漏，平台客服让找商家，商家让找骑手，互相推诿，要求全额退款。",
    '小米14 Pro 屏幕出现绿线, "官方旗舰店"说是人为损坏要收维修费，我没有摔过手机。',
    "Delivery marked as signed but never arrived; courier says it was left at the door, nothing there.",
]
PRODUCTS = ["蓝牙耳机 Pro 2", "20000mAh 充电宝", "全麦吐司 400g", "Apple iPhone 15 Pro 256GB",
            "连衣裙 M码", "外卖套餐", "小米14 Pro 16+512", "Running shoes size 42"]  # fmt: skip


def database(args) -> Path:
    """The data directory with a database of `args.complaints` complaints with realistic text in it."""
    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="complaintdesk-bench-exports-"))
    if not args.keep:
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    db = data_dir / "complaintdesk.sqlite3"
    if not db.exists():
        print(f"making {args.complaints:,} complaints with bench/stats.py in {data_dir} …", flush=True)
        started = time.monotonic()
        out = subprocess.run(
            [PYTHON, "bench/stats.py", "--complaints", str(args.complaints), "--keep", str(data_dir),
             "--repeats", "1", "--raw-repeats", "1", "--verify-days", "0"],
            cwd=ROOT, capture_output=True, text=True, check=False, env=_without_database_url(),
        )  # fmt: skip
        if out.returncode != 0:
            raise BenchError(f"bench/stats.py failed:\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
        print(f"  made in {time.monotonic() - started:.0f} s", flush=True)
    if args.layout == "received" and not (data_dir / RECEIVED_ORDER_MARK).exists():
        started = time.monotonic()
        file_in_received_order(db)
        (data_dir / RECEIVED_ORDER_MARK).touch()
        print(f"  complaints renumbered in received order in {time.monotonic() - started:.0f} s", flush=True)
    if not (data_dir / DONE_MARK).exists():
        started = time.monotonic()
        with sqlite3.connect(db) as conn:
            # By id, so every shop and month gets every text; one statement inside SQLite.
            cases = lambda texts: " ".join(f"WHEN {i} THEN ?" for i in range(len(texts)))  # noqa: E731
            conn.execute(
                f"UPDATE complaints_complaint SET "
                f"product = CASE id % {len(PRODUCTS)} {cases(PRODUCTS)} END, "
                f"order_number = printf('%d%012d', 2024 + id % 2, id * 7919), "
                f"description = CASE id % {len(DESCRIPTIONS)} {cases(DESCRIPTIONS)} END, "
                f"amount = (id % 50000) / 100.0, publish_consent = (id % 3 = 0)",
                [*PRODUCTS, *DESCRIPTIONS],
            )
        (data_dir / DONE_MARK).touch()
        print(f"  realistic text written in {time.monotonic() - started:.0f} s", flush=True)
    return data_dir


def file_in_received_order(db: Path) -> None:
    """Renumber the complaints in the order they were received, and their deadlines with them, as a
    database that filed them as they came holds them. bench/stats.py draws each complaint's day at random,
    so the complaints of one day lie all over the table and reading a period in order costs SQLite a random
    page per row (10 µs a row against 3 in received order, measured 2026-12-05): a layout no real database
    has. The events follow their complaints; any other table that refers to complaints must be empty."""
    conn = sqlite3.connect(db, isolation_level=None)
    run = conn.execute
    referring = run(
        "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
        "WHERE m.type = 'table' AND f.\"table\" = 'complaints_complaint'"
    ).fetchall()
    for (table,) in referring:
        followed = table in ("deadlines_deadline", "complaints_complaintevent")
        if not followed and run(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]:
            raise BenchError(f"{table} refers to complaints: the benchmark cannot renumber them")
    for pragma in (
        "foreign_keys = OFF",
        "legacy_alter_table = ON",
        "journal_mode = OFF",
        "synchronous = OFF",
    ):
        run(f"PRAGMA {pragma}")
    run("BEGIN")
    run("CREATE TEMP TABLE renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    run(
        "INSERT INTO renumber SELECT id, ROW_NUMBER() OVER (ORDER BY received_at, id) FROM complaints_complaint"
    )
    _rebuild(run, "complaints_complaint", {"id": "r.new"}, "JOIN renumber r ON r.old = t.id")
    _rebuild(
        run, "deadlines_deadline",
        {"id": "ROW_NUMBER() OVER (ORDER BY r.new, t.phase, t.id)", "complaint_id": "r.new"},
        "LEFT JOIN renumber r ON r.old = t.complaint_id",
    )  # fmt: skip
    run(
        "UPDATE complaints_complaintevent SET complaint_id = (SELECT new FROM renumber WHERE old = complaint_id)"
    )
    run("COMMIT")
    run("PRAGMA analysis_limit = 1000")
    run("ANALYZE")
    run("PRAGMA journal_mode = WAL")
    conn.close()


def _rebuild(run, table: str, columns: dict[str, str], join: str) -> None:
    """`table` written again in the order of its new ids, `columns` computed by the SQL given (over the old
    rows `t` and `join`), with its own CREATE statements."""
    create = run("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    indexes = run(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).fetchall()
    names = [row[1] for row in run(f'PRAGMA table_info("{table}")')]
    run(f'ALTER TABLE "{table}" RENAME TO "{table}__old"')
    run(create)
    values = ", ".join(columns.get(name, f't."{name}"') for name in names)
    quoted = ", ".join(f'"{name}"' for name in names)
    run(f'INSERT INTO "{table}" ({quoted}) SELECT {values} FROM "{table}__old" t {join} ORDER BY 1')
    run(f'DROP TABLE "{table}__old"')
    for (sql,) in indexes:
        run(sql)


def _without_database_url() -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    return env


def regulator_token(env: dict) -> str:
    code = (
        "from complaintdesk.accounts.models import ApiToken, User;"
        "print(ApiToken.issue(User.objects.get(username='bench-regulator'))[1])"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def count(db: Path, period: dict) -> int:
    """Complaints received in the period's Shanghai days (bench/stats.py stores UTC text)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (n,) = conn.execute(
            "SELECT COUNT(*) FROM complaints_complaint WHERE received_at >= datetime(?, '-8 hours') "
            "AND received_at < datetime(?, '+1 day', '-8 hours')",
            (period["start"], period["end"]),
        ).fetchone()
    return n


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of one process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def workers_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class MemoryWatch:
    """The peak RSS of each gunicorn worker, sampled every 20 ms while a download runs, and the CPU time the
    workers spent on it."""

    def __init__(self, pids: list[int]) -> None:
        self.before = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.before)
        self.cpu_before = sum(cpu_seconds(pid) for pid in pids)
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for pid in self.peak:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.cpu = sum(cpu_seconds(pid) for pid in self.peak) - self.cpu_before
        self._stop.set()
        self._thread.join()

    def growth_mb(self) -> tuple[float, float]:
        """The largest growth of one worker (MB), and that worker's RSS before (MB)."""
        pid = max(self.peak, key=lambda p: self.peak[p] - self.before[p])
        return (self.peak[pid] - self.before[pid]) / 1024, self.before[pid] / 1024


@dataclass
class Run:
    first_byte_ms: float
    first_row_ms: float | None
    seconds: float
    rows: int
    megabytes: float
    growth_mb: float
    rss_before_mb: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def server_us_per_row(self) -> float:
        """The server's CPU time a row: what the rate would be with a core to itself (the machine is shared)."""
        return self.server_cpu_s / self.rows * 1e6

    @property
    def client_us_per_row(self) -> float:
        return self.client_cpu_s / self.rows * 1e6


@dataclass
class Case:
    label: str
    path: str
    params: dict
    fmt: str
    expected_rows: int
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else None


def download(client: httpx.Client, case: Case, workers: list[int], keep_file: Path | None) -> Run:
    """One download of `case`, read as fast as it comes; the rows counted (CSV: lines; XLSX: afterwards,
    from the file kept in `keep_file`)."""
    newlines, size, first_byte, first_row = 0, 0, None, None
    out = keep_file.open("wb") if keep_file else None
    with MemoryWatch(workers) as memory:
        started, client_cpu = time.perf_counter(), time.process_time()
        with client.stream("GET", case.path, params={**case.params, "format": case.fmt}) as response:
            if response.status_code != 200:
                raise BenchError(f"{case.label}: {response.status_code} {response.read()[:300]!r}")
            for chunk in response.iter_raw():
                now = time.perf_counter()
                if first_byte is None:
                    first_byte = now - started
                size += len(chunk)
                if out:
                    out.write(chunk)
                if case.fmt == "csv":
                    newlines += chunk.count(b"\n")
                    if first_row is None and newlines >= 2:
                        first_row = now - started
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
    if out:
        out.close()
    if case.fmt == "csv":
        rows = newlines - 1  # the header; no field of these rows holds a line break
    else:
        rows = xlsx_rows(keep_file) - 1 if keep_file else case.expected_rows
    if rows != case.expected_rows:
        raise BenchError(f"{case.label}: {rows:,} rows, the database holds {case.expected_rows:,}")
    growth, before = memory.growth_mb()
    return Run(
        first_byte * 1000, first_row * 1000 if first_row else None, seconds, rows, size / 1e6, growth, before,
        memory.cpu, client_cpu,
    )  # fmt: skip


def xlsx_rows(path: Path) -> int:
    """The rows of the sheet inside the XLSX file at `path`, counted as it decompresses (the zip's central
    directory and every part's CRC checked on the way)."""
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as book:
        if book.testzip() is not None:
            raise BenchError(f"{path}: a part of the XLSX file is damaged")
        with book.open("xl/worksheets/sheet1.xml") as sheet:
            while block := sheet.read(1 << 20):
                # The 4 bytes before the block: a "<row " cut in two is counted once, here.
                rows += (tail + block).count(b"<row ")
                tail = block[-4:]
    return rows


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--complaints", type=int, default=1_000_000, help="when making the database (1,000,000)"
    )
    parser.add_argument("--keep", help="use (and keep) this data directory; made there when empty")
    parser.add_argument("--repeats", type=int, default=3, help="downloads of each kind; medians quoted (3)")
    parser.add_argument("--skip-xlsx", action="store_true", help="only the CSV list and the open data")
    parser.add_argument(
        "--layout",
        choices=["received", "generated"],
        default="received",
        help="renumber the complaints in received order once (default), or keep bench/stats.py's ids",
    )
    served = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # as `make run` serves the app
    parser.add_argument("--workers", type=int, default=served["workers"])
    parser.add_argument("--worker-class", default=served["worker_class"])
    parser.add_argument("--threads", type=int, default=served["threads"])
    parser.add_argument("--check-target", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)

    info = machine_info()
    data_dir = database(args)
    env = app_env(data_dir)
    manage(env, "migrate", "--noinput", "-v", "0")  # a kept database made by an older commit
    manage(env, "collectstatic", "--noinput", "-v", "0")
    token = regulator_token(env)
    db = data_dir / "complaintdesk.sqlite3"
    cases = [
        Case("complaint list, CSV", "/api/v1/stats/export", {**BOTH_YEARS, "table": "complaints"}, "csv",
             count(db, BOTH_YEARS)),
        Case("complaint list, XLSX", "/api/v1/stats/export", {**BOTH_YEARS, "table": "complaints"}, "xlsx",
             count(db, BOTH_YEARS)),
        Case("open data 2025, CSV", "/api/v1/stats/open-data", YEAR_2025, "csv", count(db, YEAR_2025)),
    ]  # fmt: skip
    if args.skip_xlsx:
        cases = [c for c in cases if c.fmt != "xlsx"]

    server, base = serve(
        env, data_dir / "gunicorn-exports.log", args.workers, args.worker_class, args.threads
    )
    try:
        workers = workers_of(server.pid)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=httpx.Timeout(600, connect=10)) as client:
            for case in cases:
                # Every worker answers one small download first: imports and caches are not memory growth.
                for _ in workers:
                    client.get(
                        case.path, params={**case.params, **WARM_UP, "format": case.fmt}
                    ).raise_for_status()
                for i in range(args.repeats):
                    kept = data_dir / "bench-exports.xlsx" if case.fmt == "xlsx" and i == 0 else None
                    run = download(client, case, workers, kept)
                    if kept:
                        kept.unlink()
                    case.runs.append(run)
                    first_row = f"{run.first_row_ms:.0f} ms" if run.first_row_ms is not None else "—"
                    print(f"  {case.label:<22} run {i + 1}: first byte {run.first_byte_ms:.0f} ms, first row "
                          f"{first_row}, {run.seconds:.1f} s, {run.rows_per_s:,.0f} rows/s, {run.megabytes:,.0f} MB, "
                          f"worker +{run.growth_mb:.1f} MB (from {run.rss_before_mb:.0f} MB), server CPU "
                          f"{run.server_us_per_row:.1f} µs/row, client {run.client_us_per_row:.1f} µs/row", flush=True)  # fmt: skip
    finally:
        stop(server)

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        total = conn.execute("SELECT COUNT(*) FROM complaints_complaint").fetchone()[0]
        sqlite_version = conn.execute("SELECT sqlite_version()").fetchone()[0]
    print(f"\n== exports: {total:,} complaints, SQLite {sqlite_version}; gunicorn {args.workers} × "
          f"{args.worker_class} × {args.threads} threads, DEBUG=0; {info['nproc']} CPU ({info['cpu']}), "
          f"{info['ram_gib']} GiB, load {info['loadavg']}, commit {info['commit']}, {info['date']}; "
          f"medians of {args.repeats}")  # fmt: skip
    print(
        "| download | rows | first byte | first row | rows/s | server CPU a row | MB | worker RSS growth (max) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for case in cases:
        first_row = case.median("first_row_ms")
        print(f"| {case.label} | {case.expected_rows:,} | {case.median('first_byte_ms'):.0f} ms | "
              f"{f'{first_row:.0f} ms' if first_row is not None else '—'} | {case.median('rows_per_s'):,.0f} | "
              f"{case.median('server_us_per_row'):.1f} µs | {case.median('megabytes'):,.0f} | "
              f"{max(r.growth_mb for r in case.runs):.1f} MB |")  # fmt: skip
        ok &= case.median("first_byte_ms") < TARGET_FIRST_BYTE_MS
        ok &= max(r.growth_mb for r in case.runs) < TARGET_GROWTH_MB
    csv_list = cases[0]
    ok &= csv_list.median("rows_per_s") >= TARGET_ROWS_PER_S
    print(f"targets (CSV list ≥ {TARGET_ROWS_PER_S:,} rows/s; every first byte < {TARGET_FIRST_BYTE_MS} ms; "
          f"worker growth < {TARGET_GROWTH_MB} MB): {'MET' if ok else 'MISSED'}")  # fmt: skip
    return 0 if ok or not args.check_target else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/exports.py: {exc}", file=sys.stderr)
        sys.exit(1)
