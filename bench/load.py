"""Nothing lost: concurrent clients filing and answering complaints while processes are killed with SIGKILL.

On a throwaway PostgreSQL (scripts/pg_throwaway.sh, or DATABASE_URL of an empty database), loopback only:

1. migrate and seed_demo; a local webhook receiver (counting deliveries by X-ComplaintDesk-Delivery id)
   is registered as a channel of every shop and of the regulator;
2. gunicorn (2 processes) and 2 `manage.py worker` processes;
3. phase "steady": `--clients` clients for `--seconds`: consumers file with an Idempotency-Key, agents
   respond to their shop's new complaints; the back office files complaints received days ago (overdue at
   once) and, when the calendar allows, ones whose first-response deadline falls due mid-phase;
4. phase "kill -9": the same, while every `--kill-every` seconds a gunicorn process and a worker are killed
   with SIGKILL (and, every other time, the whole gunicorn: master and workers), then restarted. Clients
   retry a request that got no answer, with the same Idempotency-Key;
5. after each phase the workers drain, then the database is checked: every acknowledged complaint is there
   exactly once, no complaint without an acknowledgement, every reminder, breach and escalation happened
   once, every outbox message is unique per (dedupe_key, kind, target), sent, and reached the receiver.

Run: `.venv/bin/python bench/load.py` (`--clients 200 --seconds 60` by default; see `--help`).
Exit status 1 on any error or lost/duplicated complaint, reminder, escalation or notification.
The filing rate limit is switched off (COMPLAINT_RATE_PER_*=0): all clients share one loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg
from intake import (  # the intake benchmark's server helpers; bench/ is on sys.path
    CONSUMERS,
    GUNICORN,
    app_env,
    child_pids,
    free_port,
    login,
    machine_info,
)
from machine import PYTHON, ROOT, BenchError, Postgres, manage, wait_for_health

STAFF = [f"shop{i}-{r}" for i in range(1, 6) for r in ("agent", "coordinator")]
RETRYABLE = (httpx.TransportError,)
GIVE_UP_SECONDS = 90  # a request still unanswered after this long (servers down) counts as an error


# ----------------------------------------------------------------------------------------------- receiver


class Receiver:
    """A webhook endpoint on loopback that counts deliveries per message id."""

    def __init__(self) -> None:
        self.deliveries: Counter = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with receiver.lock:
                    receiver.deliveries[self.headers.get("X-ComplaintDesk-Delivery", "?")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


# ---------------------------------------------------------------------------------------------- processes


class Fleet:
    """gunicorn (master + N workers) and N `manage.py worker` processes, each killable with SIGKILL."""

    def __init__(self, env: dict, data_dir: Path, web_processes: int, workers: int) -> None:
        self.env, self.data_dir = env, data_dir
        self.web_processes, self.worker_count = web_processes, workers
        self.port = free_port()
        self.gunicorn: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.kills = Counter()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        cmd = [
            GUNICORN, "complaintdesk.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.web_processes),
            "--log-level", "warning", "--timeout", "60",
        ]  # fmt: skip
        log_path = self.data_dir / "gunicorn.log"
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it open
        self.gunicorn = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_health(self.gunicorn, self.base_url, log_path)

    def start_worker(self) -> subprocess.Popen:
        log = open(self.data_dir / "worker.log", "ab")  # noqa: SIM115 - the child keeps it open
        proc = subprocess.Popen(
            [PYTHON, "manage.py", "worker", "--interval", "0.5"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    def start(self) -> None:
        self.start_web()
        for _ in range(self.worker_count):
            self.start_worker()

    def kill_web_process(self) -> None:
        """SIGKILL one gunicorn worker process; the master starts another."""
        children = child_pids(self.gunicorn.pid) if self.gunicorn else []
        if children:
            os.kill(random.choice(children), signal.SIGKILL)
            self.kills["gunicorn worker process"] += 1

    def kill_all_web(self) -> None:
        """SIGKILL the master and every gunicorn process, then start gunicorn again on the same port."""
        children = child_pids(self.gunicorn.pid)
        self.gunicorn.send_signal(signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.gunicorn.wait()
        self.kills["whole gunicorn (master + workers)"] += 1
        self.start_web()

    def kill_worker(self) -> None:
        victim = random.choice([w for w in self.workers if w.poll() is None])
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.workers.remove(victim)
        self.kills["manage.py worker"] += 1
        self.start_worker()

    def stop(self) -> None:
        for proc in [*self.workers, self.gunicorn]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers, self.gunicorn]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ------------------------------------------------------------------------------------------------ clients


@dataclass
class Tally:
    requests: int = 0
    ok: int = 0
    retried: int = 0  # requests sent again after getting no answer (connection refused/reset, timeout)
    errors: int = 0
    replayed_409: int = 0  # a retried respond that had been applied before the connection broke
    statuses: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)  # Idempotency-Key -> complaint id
    responded: set[int] = field(default_factory=set)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.samples) < 8:
            self.samples.append(text[:300])


async def send(client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs):
    """One logical request, sent again on a connection-level failure until answered (or GIVE_UP_SECONDS)."""
    give_up = time.monotonic() + GIVE_UP_SECONDS
    attempt = 0
    while True:
        tally.requests += 1
        try:
            response = await client.request(method, url, **kwargs)
        except RETRYABLE as exc:
            tally.statuses[type(exc).__name__] += 1
            if time.monotonic() > give_up:
                tally.error(f"{method} {url}: gave up after {type(exc).__name__}: {exc}")
                return None, attempt
            tally.retried += 1
            attempt += 1
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0))
            continue
        tally.statuses[response.status_code] += 1
        return response, attempt


def complaint_body(run: str, merchant: int, n: int) -> dict:
    return {
        "merchant": merchant,
        "kind": "complaint",
        "category": "delivery",
        "channel": "web",
        "sector": "online_shopping",
        "order_number": f"{run}-{n}",
        "amount": "12.50",
        "order_date": (date.today() - timedelta(days=3)).isoformat(),
        "wanted_outcome": "refund",
        "description": "load test",
    }


async def consumer_loop(base_url, token, merchants, run, index, stop_at, tally: Tally):
    counter = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        while time.monotonic() < stop_at:
            counter += 1
            key = f"{run}-{index}-{counter}"
            body = complaint_body(
                run, merchants[(index + counter) % len(merchants)], index * 100000 + counter
            )
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
            response, _ = await send(client, tally, "POST", "/api/v1/complaints", json=body, headers=headers)
            if response is None:
                continue
            if response.status_code in (200, 201):
                tally.ok += 1
                tally.acked[key] = response.json()["id"]
            else:
                tally.error(f"file: HTTP {response.status_code} {response.text}")


async def agent_loop(base_url, token, merchant, run_start, slot, slots, stop_at, tally: Tally):
    """Respond to the shop's new complaints whose id falls in this agent's slot (no two agents collide)."""
    headers = {"Authorization": f"Bearer {token}"}
    params = {"state": "submitted", "merchant": merchant, "received_from": run_start}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        while time.monotonic() < stop_at:
            response, _ = await send(
                client, tally, "GET", "/api/v1/complaints", params=params, headers=headers
            )
            if response is None:
                continue
            if response.status_code != 200:
                tally.error(f"queue: HTTP {response.status_code} {response.text}")
                continue
            tally.ok += 1
            mine = [c["id"] for c in response.json()["items"] if c["id"] % slots == slot]
            if not mine:
                await asyncio.sleep(0.2)
                continue
            for complaint_id in mine[:5]:
                if time.monotonic() >= stop_at:
                    break
                response, attempts = await send(
                    client,
                    tally,
                    "POST",
                    f"/api/v1/complaints/{complaint_id}/respond",
                    json={"message": "We are on it."},
                    headers=headers,
                )
                if response is None:
                    continue
                if response.status_code == 200:
                    tally.ok += 1
                    tally.responded.add(complaint_id)
                elif response.status_code == 409 and attempts:
                    tally.replayed_409 += 1  # applied by the attempt whose answer was lost
                    tally.responded.add(complaint_id)
                else:
                    tally.error(f"respond: HTTP {response.status_code} {response.text}")


# ---------------------------------------------------------------------------------------------- deadlines


async def back_office(base_url: str, token: str, merchants: list[int], run: str, count: int, due_in: float):
    """File `count` complaints received three days ago (overdue at once) and, if the calendar has such an
    instant, `count` whose first-response deadline falls due `due_in` seconds from now. Returns their ids
    and a note on the mid-run ones."""
    headers = {"Authorization": f"Bearer {token}"}
    ids: list[int] = []
    note = ""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        now = datetime.now(UTC)
        target = now + timedelta(seconds=due_in)

        async def first_due(received: datetime) -> datetime:
            r = await client.get(
                "/api/v1/calendar/deadlines",
                params={
                    "merchant": merchants[0],
                    "received_at": received.isoformat(),
                    "category": "delivery",
                },
            )
            r.raise_for_status()
            return datetime.fromisoformat(r.json()["first_response_due"])

        # The first-response due time grows with the time of receipt: bisect for the one due at `target`.
        lo, hi = now - timedelta(days=14), now
        for _ in range(30):
            mid = lo + (hi - lo) / 2
            if await first_due(mid) < target:
                lo = mid
            else:
                hi = mid
        mid_run = hi if abs((await first_due(hi) - target).total_seconds()) < 60 else None
        batches = [("overdue", now - timedelta(days=3))]
        if mid_run is not None:
            batches.append(("due mid-phase", mid_run))
            note = f"{count} received {mid_run.isoformat(timespec='seconds')}: first response due mid-phase"
        else:
            note = "outside working time no receipt instant falls due mid-phase; only overdue ones filed"
        for label, received in batches:
            for n in range(count):
                body = complaint_body(f"{run}-bo-{label[:3]}", merchants[n % len(merchants)], n)
                body["received_at"] = received.isoformat()
                r = await client.post("/api/v1/complaints", json=body, headers=headers)
                if r.status_code != 201:
                    raise BenchError(f"back-office filing: HTTP {r.status_code} {r.text[:300]}")
                ids.append(r.json()["id"])
    return ids, note


# -------------------------------------------------------------------------------------------------- checks


def wait_for_drain(dsn: str, seconds: float) -> bool:
    """Until no outbox message is pending and no deadline check is due (the workers are done)."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(dsn, autocommit=True) as db:
        while time.monotonic() < deadline:
            pending = db.execute(
                "SELECT count(*) FROM notify_outboxmessage WHERE status IN ('pending', 'sending')"
            ).fetchone()[0]
            due = db.execute(
                "SELECT count(*) FROM deadlines_deadline WHERE next_check_at <= now()"
            ).fetchone()[0]
            if pending == 0 and due == 0:
                return True
            time.sleep(0.5)
    return False


def check(dsn: str, run: str, tally: Tally, back_office_ids: list[int], receiver: Receiver) -> dict:
    with psycopg.connect(dsn, autocommit=True) as db:

        def one(sql, *params):
            return db.execute(sql, params).fetchone()[0]

        acked_ids = list(tally.acked.values())
        prefix = f"{run}-%"
        found = one("SELECT count(*) FROM complaints_complaint WHERE id = ANY(%s)", acked_ids)
        in_db = one(
            "SELECT count(*) FROM complaints_complaint WHERE order_number LIKE %s AND order_number NOT LIKE %s",
            prefix,
            f"{run}-bo-%",
        )
        duplicates = one(
            "SELECT count(*) FROM (SELECT order_number FROM complaints_complaint WHERE order_number LIKE %s "
            "GROUP BY order_number HAVING count(*) > 1) d",
            prefix,
        )
        # Every reminder and breach once per deadline, every automatic escalation once per complaint.
        repeated_deadline_events = one(
            "SELECT count(*) FROM (SELECT complaint_id, action, data->>'deadline' FROM complaints_complaintevent "
            "WHERE action IN ('deadline_reminder', 'deadline_breach') GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        )
        repeated_escalations = one(
            "SELECT count(*) FROM (SELECT complaint_id FROM complaints_complaintevent WHERE action = 'escalate' "
            "AND actor_id IS NULL GROUP BY 1 HAVING count(*) > 1) d"
        )
        breached = one(
            "SELECT count(DISTINCT complaint_id) FROM complaints_complaintevent "
            "WHERE action = 'deadline_breach' AND complaint_id = ANY(%s)",
            back_office_ids,
        )
        escalated = one(
            "SELECT count(DISTINCT complaint_id) FROM complaints_complaintevent "
            "WHERE action = 'escalate' AND complaint_id = ANY(%s)",
            back_office_ids,
        )
        reminders = one("SELECT count(*) FROM complaints_complaintevent WHERE action = 'deadline_reminder'")
        breaches = one("SELECT count(*) FROM complaints_complaintevent WHERE action = 'deadline_breach'")
        outbox_duplicates = one(
            "SELECT count(*) FROM (SELECT dedupe_key, kind, target FROM notify_outboxmessage "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        )
        outbox_total = one("SELECT count(*) FROM notify_outboxmessage")
        outbox_unsent = one("SELECT count(*) FROM notify_outboxmessage WHERE status <> 'sent'")
        webhook_ids = {
            str(r[0])
            for r in db.execute(
                "SELECT id FROM notify_outboxmessage WHERE kind = 'webhook' AND status = 'sent'"
            ).fetchall()
        }
    with receiver.lock:
        delivered = dict(receiver.deliveries)
    return {
        "acknowledged": len(tally.acked),
        "acknowledged_distinct_ids": len(set(acked_ids)),
        "acknowledged_found": found,
        "complaints_in_db": in_db,
        "lost": len(set(acked_ids)) - found,
        "unacknowledged_in_db": in_db - len(set(acked_ids)),
        "duplicates": duplicates,
        "responded": len(tally.responded),
        "back_office": len(back_office_ids),
        "back_office_breached": breached,
        "back_office_escalated": escalated,
        "reminders": reminders,
        "breaches": breaches,
        "repeated_deadline_events": repeated_deadline_events,
        "repeated_escalations": repeated_escalations,
        "outbox_messages": outbox_total,
        "outbox_duplicates": outbox_duplicates,
        "outbox_unsent": outbox_unsent,
        "webhooks_sent": len(webhook_ids),
        "webhooks_never_received": len(webhook_ids - delivered.keys()),
        "webhook_redeliveries": sum(n - 1 for i, n in delivered.items() if i in webhook_ids),
    }


def failures(result: dict, tally: Tally, drained: bool) -> list[str]:
    problems = []
    for name in (
        "lost",
        "unacknowledged_in_db",
        "duplicates",
        "repeated_deadline_events",
        "repeated_escalations",
        "outbox_duplicates",
        "outbox_unsent",
        "webhooks_never_received",
    ):
        if result[name]:
            problems.append(f"{name}: {result[name]}")
    if result["acknowledged"] != result["acknowledged_distinct_ids"]:
        problems.append("two Idempotency-Keys acknowledged with the same complaint id")
    if result["back_office_escalated"] != result["back_office"]:
        problems.append(f"escalated {result['back_office_escalated']} of {result['back_office']} overdue")
    if tally.errors:
        problems.append(f"errors: {tally.errors}")
    if not drained:
        problems.append("the workers did not drain the outbox and due deadlines in time")
    return problems


# ---------------------------------------------------------------------------------------------------- run


async def phase(fleet: Fleet, args, name: str, tokens: dict, merchants: list[int], kills: bool):
    run = f"L{uuid.uuid4().hex[:6]}"
    tally = Tally()
    regulator = tokens["regulator"]
    bo_ids, note = await back_office(
        fleet.base_url, regulator, merchants, run, args.back_office, args.seconds / 2
    )
    run_start = datetime.now(UTC).isoformat()
    stop_at = time.monotonic() + args.seconds
    agents = max(1, args.clients // 5)
    consumers = args.clients - agents
    shop_staff = {m: [u for u in STAFF if u.startswith(f"shop{i + 1}-")] for i, m in enumerate(merchants[:5])}
    tasks = [
        consumer_loop(
            fleet.base_url, tokens[CONSUMERS[i % len(CONSUMERS)]], merchants[:5], run, i, stop_at, tally
        )
        for i in range(consumers)
    ]
    per_shop = max(1, agents // len(shop_staff))
    for merchant, staff in shop_staff.items():
        for slot in range(per_shop):
            token = tokens[staff[slot % len(staff)]]
            tasks.append(
                agent_loop(fleet.base_url, token, merchant, run_start, slot, per_shop, stop_at, tally)
            )

    async def killer():
        n = 0
        while time.monotonic() + args.kill_every < stop_at:
            await asyncio.sleep(args.kill_every)
            n += 1
            await asyncio.to_thread(fleet.kill_worker)
            if n % 2:
                await asyncio.to_thread(fleet.kill_web_process)
            else:
                await asyncio.to_thread(fleet.kill_all_web)

    if kills:
        tasks.append(killer())
    t0 = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t0
    drained = await asyncio.to_thread(wait_for_drain, fleet.env["DATABASE_URL"], args.drain)
    result = check(fleet.env["DATABASE_URL"], run, tally, bo_ids, fleet.receiver)
    problems = failures(result, tally, drained)
    print(f"\n== phase {name}: {args.clients} clients, {elapsed:.0f} s ({note})")
    print(
        f"   requests {tally.requests}, ok {tally.ok}, errors {tally.errors}, retried after no answer "
        f"{tally.retried}, respond replays answered 409 {tally.replayed_409}"
    )
    print(f"   statuses {dict(tally.statuses)}")
    if kills:
        print(f"   kills {dict(fleet.kills)}")
    print("   " + json.dumps(result))
    for sample in tally.samples:
        print(f"   sample: {sample}")
    print("   " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
    return {"name": name, "tally": tally, "result": result, "problems": problems, "elapsed": elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-every", type=float, default=10, help="seconds between kills (phase 2)")
    parser.add_argument("--back-office", type=int, default=30, help="overdue complaints filed per phase")
    parser.add_argument("--drain", type=float, default=180, help="max seconds for the workers to finish")
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-steady", action="store_true", help="only the kill -9 phase")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (logs)")
    args = parser.parse_args(argv)

    info = machine_info()
    print(f"{info['date']}: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB, {info['commit']}")
    pg = Postgres()
    database_url = pg.start()
    data_dir = Path(tempfile.mkdtemp(prefix="complaintdesk-load-"))
    env = app_env(data_dir, database_url)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    receiver = Receiver()
    fleet = Fleet(env, data_dir, args.web_processes, args.workers)
    fleet.receiver = receiver
    results = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        manage(
            env,
            "shell",
            "-c",
            "from complaintdesk.merchants.models import Merchant\n"
            "from complaintdesk.notify.models import NotificationChannel\n"
            f"for m in [None, *Merchant.objects.all()]:\n"
            f"    NotificationChannel.objects.create(merchant=m, kind='webhook', target='{receiver.url}',"
            " secret='load')\n",
        )
        fleet.start()
        # The demo's own overdue complaints are swept before the clock starts, so the phases count only theirs.
        wait_for_drain(database_url, args.drain)

        async def go():
            users = ["regulator", *CONSUMERS, *STAFF]
            tokens = dict(
                zip(users, await asyncio.gather(*(login(fleet.base_url, u) for u in users)), strict=True)
            )
            async with httpx.AsyncClient(base_url=fleet.base_url) as client:
                merchants = [
                    m["id"]
                    for m in (
                        await client.get("/api/v1/merchants/directory", params={"page_size": 1000})
                    ).json()["items"]
                ]
            merchants.sort()
            if not args.skip_steady:
                results.append(await phase(fleet, args, "steady", tokens, merchants, kills=False))
            results.append(await phase(fleet, args, "kill -9", tokens, merchants, kills=True))

        asyncio.run(go())
    finally:
        fleet.stop()
        receiver.stop()
        pg.stop()
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
