"""Intake benchmark: N concurrent API clients filing complaints against gunicorn, next to /api/v1/health.

For each database (SQLite, then PostgreSQL) this script:

1. makes a throwaway data directory (and, without DATABASE_URL, a throwaway PostgreSQL server through
   `scripts/pg_throwaway.sh`), runs `migrate`, `collectstatic` and `seed_demo`;
2. starts gunicorn as in production (DEBUG=0, 2 workers) on a free loopback port;
3. logs the consumers in (outside the timed part) and runs, `--repeats` times, a health phase and an intake
   phase, each a one-second warm-up and then `--seconds` of `--clients` concurrent keep-alive clients;
4. checks that the database holds exactly one new complaint per 201 answer (counted as the regulator);
5. prints requests, errors, req/s, p50/p99 latency and intake/health, with medians over the repeats.

Run: `.venv/bin/python bench/intake.py` (see `--help`); `make bench` runs it with the defaults.
Exit status 1 on any error answer, lost or duplicated complaint, or a server that would not start;
a missed throughput target only fails with `--check-target`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
from machine import (  # bench/ is on sys.path
    ROOT,
    VENV_BIN,
    BenchError,
    Postgres,
    log_tail,
    manage,
    wait_for_health,
)
from machine import machine_info as common_machine_info

GUNICORN = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"
TARGET_RATIO = 0.5
CONSUMERS = [f"consumer{i}" for i in range(1, 21)]
PASSWORD = "demo"
TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------- machine


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over `seconds` (before the benchmark starts: other people's load)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    try:
        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return (busy1 - busy0) / max(1, total1 - total0)


def machine_info() -> dict:
    return {**common_machine_info(), "busy_before": cpu_busy()}


# ---------------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of one process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Server:
    """A gunicorn serving the app with its own data directory and database."""

    label: str
    env: dict
    data_dir: Path
    workers: int
    worker_class: str
    threads: int
    port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        manage(self.env, "migrate", "--noinput", "-v", "0")
        # As scripts/run.sh does, so that WhiteNoise finds its root.
        manage(self.env, "collectstatic", "--noinput", "-v", "0")
        manage(self.env, "seed_demo")

    def start(self) -> None:
        self.port = free_port()
        self.log_path = self.data_dir / "gunicorn.log"
        cmd = [
            GUNICORN, "complaintdesk.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--log-level", "warning",
            "--timeout", "60",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_health(self.proc, self.base_url, self.log_path)

    def cpu(self) -> float:
        if self.proc is None:
            return 0.0
        return cpu_seconds(self.proc.pid) + sum(cpu_seconds(p) for p in child_pids(self.proc.pid))

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""


def app_env(data_dir: Path, database_url: str | None) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="complaintdesk.settings",
        DEBUG="0",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATA_DIR=str(data_dir),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # Every client files from the loopback address: the filing rate limits would refuse most of them.
        COMPLAINT_RATE_PER_ACCOUNT="0",
        COMPLAINT_RATE_PER_ADDRESS="0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# ---------------------------------------------------------------------------------------------- load


@dataclass
class PhaseResult:
    name: str
    requests: int = 0
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    ids: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def p50(self) -> float:
        return self.pct(0.5)

    @property
    def p99(self) -> float:
        return self.pct(0.99)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000


def complaint_body(merchants: list[int], n: int) -> dict:
    return {
        "merchant": merchants[n % len(merchants)],
        "kind": "complaint",
        "category": "delivery",
        "channel": "web",
        "sector": "online_shopping",
        "order_number": f"B{n:06d}",
        "amount": "12.50",
        "order_date": (date.today() - timedelta(days=3)).isoformat(),
        "wanted_outcome": "refund",
        "description": "bench",
    }


class Connection:
    """One keep-alive HTTP/1.1 connection that can send a request and read a Content-Length answer, no more.

    The timed phases use it instead of httpx because the load generator shares the two cores with the
    server it measures: httpx spent ~1.0 ms of CPU per request (measured 2026-11-28), more than gunicorn
    and Django spent answering /api/v1/health, so the ratio mostly measured the client. Load generators
    such as wrk and h2load are built the same way: pre-formatted requests, minimal response parsing."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), self.timeout)
            length = CONTENT_LENGTH.search(head)
            if length is None:
                raise ValueError(f"answer without Content-Length: {head[:200]!r}")
            payload = await asyncio.wait_for(self.reader.readexactly(int(length.group(1))), self.timeout)
        except BaseException:
            await self.close()  # the connection's state is unknown: the next request opens a new one
            raise
        if CLOSE.search(head):
            await self.close()
        return int(head[9:12]), payload


CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
CLOSE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)


async def run_phase(
    name: str,
    clients: list[Connection],
    tokens: list[str],
    merchants: list[int],
    seconds: float,
    cap: int,
    server: Server,
) -> PhaseResult:
    """All clients send back-to-back requests until `seconds` have passed or `cap` requests were sent."""
    result = PhaseResult(name)
    sent = 0
    intake = name == "intake"
    start = time.perf_counter()
    stop_at = start + seconds
    cpu0, srv0 = time.process_time(), server.cpu()

    async def one_client(client: Connection, index: int) -> None:
        nonlocal sent
        while time.perf_counter() < stop_at and sent < cap:
            sent += 1
            n = sent
            t0 = time.perf_counter()
            try:
                if intake:
                    status, body = await client.request(
                        "POST",
                        "/api/v1/complaints",
                        {
                            "Authorization": tokens[index],
                            "Idempotency-Key": uuid.uuid4().hex,
                            "Content-Type": "application/json",
                        },
                        json.dumps(complaint_body(merchants, n + index)).encode(),
                    )
                else:
                    status, body = await client.request("GET", "/api/v1/health", {})
                good = status == 201 if intake else status == 200
                if good and intake:
                    result.ids.append(json.loads(body)["id"])
                elif not good and len(result.samples) < 5:
                    result.samples.append(f"HTTP {status}: {body[:200].decode(errors='replace')}")
            except (TimeoutError, asyncio.IncompleteReadError, OSError, ValueError, KeyError) as exc:
                status, good = type(exc).__name__, False
                if len(result.samples) < 5:
                    result.samples.append(f"{type(exc).__name__}: {exc}")
            result.latencies.append(time.perf_counter() - t0)
            result.requests += 1
            result.statuses[status] += 1
            if good:
                result.ok += 1
            else:
                result.errors += 1

    await asyncio.gather(*(one_client(c, i) for i, c in enumerate(clients)))
    result.elapsed = time.perf_counter() - start
    result.client_cpu = (time.process_time() - cpu0) / result.elapsed
    result.server_cpu = (server.cpu() - srv0) / result.elapsed
    return result


async def login(base_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        resp = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        if resp.status_code != 200:
            raise BenchError(f"login as {username}: HTTP {resp.status_code} {resp.text[:200]}")
        return resp.json()["token"]


async def complaint_count(base_url: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        resp = await client.get(
            "/api/v1/complaints", params={"page": 1}, headers={"Authorization": f"Bearer {token}"}
        )
        if resp.status_code != 200:
            raise BenchError(f"counting complaints: HTTP {resp.status_code} {resp.text[:200]}")
        return resp.json()["count"]


@dataclass
class DbResult:
    label: str
    health: list[PhaseResult] = field(default_factory=list)
    intake: list[PhaseResult] = field(default_factory=list)
    created: int = 0
    count_before: int = 0
    count_after: int = 0
    duplicate_ids: int = 0
    server_log_problems: Counter = field(default_factory=Counter)
    skipped: str = ""

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.health + self.intake)

    @property
    def count_ok(self) -> bool:
        return self.count_after - self.count_before == self.created and not self.duplicate_ids

    def median(self, phase: str, attr: str) -> float:
        values = [getattr(r, attr) for r in getattr(self, phase)]
        return statistics.median(values) if values else float("nan")

    @property
    def ratio(self) -> float:
        health = self.median("health", "rate")
        return self.median("intake", "rate") / health if health else float("nan")


async def bench_server(server: Server, args: argparse.Namespace, result: DbResult) -> None:
    users = [CONSUMERS[i % len(CONSUMERS)] for i in range(args.clients)]
    tokens = dict(
        zip(
            sorted(set(users)),
            await asyncio.gather(*(login(server.base_url, u) for u in sorted(set(users)))),
            strict=True,
        )
    )
    regulator = await login(server.base_url, "regulator")
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        merchants = [
            m["id"]
            for m in (await client.get("/api/v1/merchants/directory", params={"page_size": 1000})).json()[
                "items"
            ]
        ]
    if not merchants:
        raise BenchError("the shop directory is empty: seed_demo made no shops")
    result.count_before = await complaint_count(server.base_url, regulator)

    # One keep-alive connection per client, as N independent API clients would have.
    clients = [Connection("127.0.0.1", server.port, args.timeout) for _ in users]
    bearers = [f"Bearer {tokens[u]}" for u in users]
    ids: list[int] = []
    try:
        for rep in range(1, args.repeats + 1):
            for name in ("health", "intake"):
                warm = await run_phase(
                    name, clients, bearers, merchants, args.warmup, args.max_requests, server
                )
                measured = await run_phase(
                    name, clients, bearers, merchants, args.seconds, args.max_requests, server
                )
                ids += warm.ids + measured.ids
                # A warm-up error is still an error of the app: count it in the measured phase's tally.
                measured.errors += warm.errors
                measured.samples = (warm.samples + measured.samples)[:5]
                getattr(result, name).append(measured)
                print(
                    f"  [{server.label}] run {rep}/{args.repeats} {name:6}: {measured.ok:6d} ok "
                    f"{measured.errors:4d} err  {measured.rate:8.1f}/s  p50 {measured.pct(0.5):7.1f} ms  "
                    f"p99 {measured.pct(0.99):7.1f} ms  cpu client {measured.client_cpu:4.0%} "
                    f"server {measured.server_cpu:4.0%}",
                    flush=True,
                )
                for sample in measured.samples:
                    print(f"      {sample}", flush=True)
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    result.created = len(ids)
    result.duplicate_ids = len(ids) - len(set(ids))
    result.count_after = await complaint_count(server.base_url, regulator)


def run_database(label: str, database_url: str | None, args: argparse.Namespace) -> DbResult:
    result = DbResult(label)
    data_dir = Path(tempfile.mkdtemp(prefix=f"complaintdesk-bench-{label.lower()}-"))
    server = Server(
        label=label, env=app_env(data_dir, database_url), data_dir=data_dir,
        workers=args.workers, worker_class=args.worker_class, threads=args.threads,
    )  # fmt: skip
    try:
        t0 = time.monotonic()
        server.prepare()
        server.start()
        print(
            f"  [{label}] migrated, seeded and serving in {time.monotonic() - t0:.1f} s at {server.base_url}"
        )
        asyncio.run(bench_server(server, args, result))
    finally:
        server.stop()
        log = server.log_text()
        for needle in (
            "database is locked",
            "Traceback",
            "Internal Server Error",
            "WORKER TIMEOUT",
            "OperationalError",
        ):
            if log.count(needle):
                result.server_log_problems[needle] = log.count(needle)
        if result.server_log_problems:
            print(f"  [{label}] server log ({server.log_path}) tail:\n{log_tail(server.log_path)}")
        if args.keep:
            print(f"  [{label}] kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------- report


def report(results: list[DbResult], info: dict, args: argparse.Namespace) -> list[str]:
    lines = [
        "",
        f"Intake benchmark — {info['date']}, commit {info['commit']}",
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, load {info['loadavg']}, "
        f"{info['busy_before']:.0%} busy before start, Python {info['python']}, Linux {info['kernel']}",
        f"server: gunicorn {args.workers} workers, {args.worker_class} x {args.threads} threads, DEBUG=0; "
        f"{args.clients} clients, {args.seconds:g} s per phase after {args.warmup:g} s warm-up; "
        f"medians of {args.repeats} runs",
        "",
        "| DB | intake requests | errors | complaints/s | p50 ms | p99 ms | health req/s "
        "| health p50/p99 ms | intake/health |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for r in results:
        if r.skipped:
            lines.append(f"| {r.label} | skipped: {r.skipped} | | | | | | | |")
            continue
        intake = {k: r.median("intake", k) for k in ("rate", "p50", "p99", "client_cpu", "server_cpu")}
        health = {k: r.median("health", k) for k in ("rate", "p50", "p99", "client_cpu", "server_cpu")}
        lines.append(
            f"| {r.label} | {sum(x.requests for x in r.intake)} | {r.errors} | {intake['rate']:.1f} "
            f"| {intake['p50']:.1f} | {intake['p99']:.1f} | {health['rate']:.1f} "
            f"| {health['p50']:.1f} / {health['p99']:.1f} | {r.ratio:.2f} |"
        )
        per_run = ", ".join(f"{i.rate:.0f}/{h.rate:.0f}" for i, h in zip(r.intake, r.health, strict=True))
        notes.append(
            f"{r.label}: intake/health req/s per run {per_run}; CPU (100% = one core) intake: client "
            f"{intake['client_cpu']:.0%} server {intake['server_cpu']:.0%}, health: client "
            f"{health['client_cpu']:.0%} server {health['server_cpu']:.0%}"
        )
        notes.append(
            f"{r.label}: complaints in DB {r.count_before} → {r.count_after} "
            f"(+{r.count_after - r.count_before}), 201 answers {r.created}, duplicate ids {r.duplicate_ids}: "
            f"{'OK' if r.count_ok else 'MISMATCH'}"
        )
        if r.server_log_problems:
            notes.append(f"{r.label}: server log: {dict(r.server_log_problems)}")
    lines += ["", *notes]
    return lines


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per phase (default 15)")
    parser.add_argument(
        "--warmup", type=float, default=1, help="warm-up seconds before each phase (default 1)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each phase; medians are quoted (default 3)"
    )
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap on requests per phase")
    parser.add_argument("--timeout", type=float, default=60, help="client timeout per request, seconds")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    served = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # as `make run` serves the app
    parser.add_argument("--workers", type=int, default=served["workers"])
    parser.add_argument("--worker-class", default=served["worker_class"], help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=served["threads"], help="threads per gthread worker")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the data directories (and gunicorn logs)")
    parser.add_argument(
        "--check-target", action="store_true", help=f"fail if SQLite intake/health < {TARGET_RATIO}"
    )
    args = parser.parse_args(argv)

    # SIGTERM (make interrupted, CI timeout) unwinds like Ctrl-C so gunicorn and PostgreSQL are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    info = machine_info()
    print(f"== intake benchmark: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB, {info['date']}")
    if info["busy_before"] > 0.15:
        print(
            f"  WARNING: the machine was {info['busy_before']:.0%} busy before we started (load {info['loadavg']}): "
            "figures will be low and noisy"
        )
    results: list[DbResult] = []
    failures: list[str] = []

    def run(label: str, database_url: str | None) -> None:
        try:
            results.append(run_database(label, database_url, args))
        except BenchError as exc:
            # One database failing (server would not start, migrate broke) still reports the other.
            reason = str(exc).splitlines()[0]
            print(f"  {label} FAILED: {exc}", flush=True)
            failures.append(f"{label}: {reason}")
            results.append(DbResult(label, skipped=f"failed: {reason}"))

    if args.db in ("sqlite", "both"):
        print("== SQLite", flush=True)
        run("SQLite", None)
    if args.db in ("postgres", "both"):
        print("== PostgreSQL", flush=True)
        pg = Postgres()
        if not pg.throwaway:
            print("  using DATABASE_URL: this benchmark migrates it and adds demo data and complaints to it")
        try:
            try:
                url = pg.start()
            except BenchError as exc:
                print(f"  PostgreSQL skipped: {exc}")
                results.append(DbResult("PostgreSQL", skipped=str(exc).splitlines()[0]))
            else:
                run("PostgreSQL", url)
        finally:
            pg.stop()

    lines = report(results, info, args)
    print("\n".join(lines))
    for r in results:
        if r.skipped:
            continue
        if r.errors:
            failures.append(f"{r.label}: {r.errors} error answers")
        if not r.count_ok:
            failures.append(f"{r.label}: database complaint count does not match the 201 answers")
    sqlite = next((r for r in results if r.label == "SQLite" and not r.skipped), None)
    if sqlite is not None:
        met = sqlite.ratio >= TARGET_RATIO and not sqlite.errors
        print(f"target: SQLite intake/health ≥ {TARGET_RATIO} with zero errors: {'MET' if met else 'MISSED'} "
              f"({sqlite.ratio:.2f}, {sqlite.errors} errors, {args.clients} clients)")  # fmt: skip
        if not met and args.check_target:
            failures.append("SQLite intake/health target missed")
    if args.json:
        payload = {
            "machine": info,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "results": [
                {
                    "db": r.label, "skipped": r.skipped, "errors": r.errors, "ratio": r.ratio,
                    "count_before": r.count_before, "count_after": r.count_after, "created": r.created,
                    "runs": [
                        {"phase": x.name, "requests": x.requests, "ok": x.ok, "errors": x.errors,
                         "elapsed": x.elapsed, "rate": x.rate, "p50_ms": x.pct(0.5), "p99_ms": x.pct(0.99),
                         "client_cpu": x.client_cpu, "server_cpu": x.server_cpu, "statuses": dict(x.statuses)}
                        for x in r.health + r.intake
                    ],
                }
                for r in results
            ],
        }  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
