"""What every benchmark shares: the machine, time and commit it reports, and how it runs the app:
`manage.py` commands, the app's environment, gunicorn served as `make run` serves it and the wait for its
health, the PostgreSQL server to run on, and the percentiles of the figures."""

import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"
HEALTH_TIMEOUT = 30


class BenchError(RuntimeError):
    pass


def machine_info() -> dict:
    cpu, mem_kb = "", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
                break
    except OSError:
        pass

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu or platform.processor() or "unknown",
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "kernel": platform.release(),
        # A run from an exported tree (git archive) names its commit in BENCH_COMMIT.
        "commit": os.environ.get("BENCH_COMMIT") or (commit + ("+dirty" if dirty else "")) or "unknown",
    }


def manage(env: Mapping[str, str], *args: str) -> str:
    """`manage.py args` in the benchmark's environment `env`: its standard output, or BenchError with the
    end of what it wrote."""
    out = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{out.stdout[-2000:]}{out.stderr[-4000:]}")
    return out.stdout


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`-th percentile of `values` (p95 of 20 runs is the 19th fastest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def app_env(data_dir: Path, database_url: str | None = None, **settings: str) -> dict:
    """The environment the app runs in for a benchmark, as in production (DEBUG=0) on loopback: its data in
    `data_dir`, on `database_url` (SQLite in `data_dir` when None), with `settings` on top."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="complaintdesk.settings", DEBUG="0", SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", DATA_DIR=str(data_dir), LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )  # fmt: skip
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(settings)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: Mapping[str, str], log: Path, workers: int, worker_class: str, threads: int):
    """gunicorn serving the app in `env` on a free loopback port, its output in `log`, once it answers
    /api/v1/health: (the process, its base URL). Stop it with `stop`."""
    port = free_port()
    cmd = [
        GUNICORN, "complaintdesk.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", worker_class, "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    with open(log, "wb") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(server, base, log)
    except BenchError:
        stop(server)
        raise
    return server, base


def stop(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn finishes its requests), SIGKILL after 20 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_for_health(server: subprocess.Popen, base_url: str, log: Path) -> None:
    """Until the gunicorn started as `server` answers /api/v1/health; BenchError with the end of its `log`
    when it exits first or does not answer within HEALTH_TIMEOUT seconds."""
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}:\n{log_tail(log)}")
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise BenchError(f"gunicorn did not answer /api/v1/health within {HEALTH_TIMEOUT} s:\n{log_tail(log)}")


class Postgres:
    """The PostgreSQL server a benchmark runs on: DATABASE_URL's when that is set, else a throwaway one
    from `scripts/pg_throwaway.sh` (fsync off, under /tmp), which stop() removes again."""

    def __init__(self) -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        self.throwaway = not self.url
        self.pgtmp: str | None = None

    def start(self) -> str:
        if not self.throwaway:
            return self.url
        out = subprocess.run(
            ["bash", "scripts/pg_throwaway.sh", "start"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        exports = dict(
            re.findall(r"(\w+)=(\S+)", " ".join(ln for ln in out.stdout.splitlines() if "export" in ln))
        )
        self.pgtmp = exports.get("PGTMP")
        if out.returncode != 0 or "DATABASE_URL" not in exports:
            self.stop()
            reason = (out.stdout + out.stderr).strip() or f"exit status {out.returncode}"
            raise BenchError(f"throwaway PostgreSQL did not start: {reason}")
        self.url = exports["DATABASE_URL"]
        return self.url

    def stop(self) -> None:
        if self.pgtmp:
            subprocess.run(["bash", "scripts/pg_throwaway.sh", "stop", self.pgtmp], cwd=ROOT, check=False)
            self.pgtmp = None
