"""Import benchmark: rows per second of `manage.py import_complaints` on a 1,000,000-row CFPB file.

1. Writes a CFPB-shaped CSV of `--rows` rows (default 1,000,000) from the real sample
   complaintdesk/complaints/tests/data/cfpb-sample-268.csv (a copy of ../shared/data's): its rows in
   turn, each with a new Complaint ID, a Date received spread over 2016-01-01 … 2020-12-31 (in date
   order, as a download of the database sorted by date comes; `--order random` shuffles them) and the
   company renamed into one of five variants (460 shops).
   Narratives, products, issues, answers and timeliness are the sample's (half the rows have a
   narrative; one of 21,928 characters is cut at 10,000).
2. For each of `--repeats` runs: a fresh throwaway SQLite database (DATA_DIR in a temporary folder,
   migrated, DEBUG off), then `call_command("import_complaints", FILE)` in a fresh process, timed from the
   call to its return (the progress bar on, as a user sees it; the CPU seconds of the process are
   reported beside the wall-clock time); then the same file again (every row already imported).
3. Prints rows per second of each run and the median; `--verify` also compares every rollup with a
   recomputation from the raw rows (`rollups.differences()`, slow: minutes at 1 M); exit status 1 when
   the median is under the target (50,000 rows/s) and `--check-target` is given.

Run: `.venv/bin/python bench/import.py` (≈ 1 GB of CSV and 2 GB of database in /tmp per run).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from machine import ROOT, machine_info, manage  # bench/ is on sys.path

SAMPLE = ROOT / "complaintdesk" / "complaints" / "tests" / "data" / "cfpb-sample-268.csv"
FIRST_DAY, DAYS = date(2016, 1, 1), 1827  # 2016-01-01 … 2020-12-31
TARGET = 50_000


def make_csv(path: Path, rows: int, order: str, seed: int = 5) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        sample = list(reader)
    col = {name: i for i, name in enumerate(header)}
    days = [FIRST_DAY + timedelta(days=i * DAYS // rows) for i in range(rows)]
    if order == "random":
        random.Random(seed).shuffle(days)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(rows):
            row = list(sample[i % len(sample)])
            variant = (i // len(sample)) % 5
            if variant:
                row[col["Company"]] = f"{row[col['Company']]} {'ABCD'[variant - 1]}"
            row[col["Complaint ID"]] = str(10_000_000 + i)
            row[col["Date received"]] = row[col["Date sent to company"]] = days[i].isoformat()
            writer.writerow(row)


def run_once(csv_path: Path, verify: bool) -> tuple[float, float, str]:
    """A fresh database; the import and a second run of the same file. Seconds of each, the summary."""
    data_dir = tempfile.mkdtemp(prefix="complaintdesk-bench-import-")
    # As in production: DEBUG off (no SQL logging), with a throwaway secret key for the throwaway database.
    env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "complaintdesk.settings",
           "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    try:
        manage(env, "migrate", "-v", "0")
        # One process per run: Django's settings (DATA_DIR) are read once per process.
        code = (
            "import io, sys, time, django\n"
            "from contextlib import redirect_stdout\n"
            "django.setup()\n"
            "from django.core.management import call_command\n"
            "out = io.StringIO()\n"
            "times, cpu = [], []\n"
            "for _ in range(2):\n"
            "    t, c = time.perf_counter(), time.process_time()\n"
            "    with redirect_stdout(out):\n"
            f"        call_command('import_complaints', {str(csv_path)!r})\n"
            "    times.append(time.perf_counter() - t)\n"
            "    cpu.append(time.process_time() - c)\n"
            f"if {verify!r}:\n"
            "    from complaintdesk.stats import rollups\n"
            "    problems = rollups.differences()\n"
            "    print(f'rollups.differences(): {len(problems)}', *problems[:5], sep='\\n  ')\n"
            "print('cpu', *cpu)\n"
            "print(*times)\n"
            "print(out.getvalue().strip().replace('\\n', ' | '))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        lines = done.stdout.strip().splitlines()
        first, again = map(float, lines[-2].split())
        cpu_first, cpu_again = map(float, lines[-3].split()[1:])
        for line in lines[:-3]:
            print(line)
        return first, again, f"CPU {cpu_first:.1f} s, second run {cpu_again:.1f} s | {lines[-1]}"
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--order", choices=["date", "random"], default="date")
    parser.add_argument("--verify", action="store_true", help="rollups.differences() after each run (slow).")
    parser.add_argument("--check-target", action="store_true")
    parser.add_argument("--csv", type=Path, help="Keep the generated file here (reused when it exists).")
    args = parser.parse_args()
    if not SAMPLE.exists():
        print(f"the CFPB sample is missing: {SAMPLE}", file=sys.stderr)
        return 1
    info = machine_info()
    print(
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, load {info['loadavg']}, "
        f"Python {info['python']}; {info['date']}, commit {info['commit']}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="complaintdesk-bench-import-csv-"))
    csv_path = args.csv or workdir / "cfpb.csv"
    try:
        if not csv_path.exists():
            t = time.perf_counter()
            make_csv(csv_path, args.rows, args.order)
            print(
                f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.0f} MB, {args.order} order) "
                f"in {time.perf_counter() - t:.0f} s"
            )
        speeds, again_speeds = [], []
        for i in range(args.repeats):
            first, again, summary = run_once(csv_path, args.verify)
            speeds.append(args.rows / first)
            again_speeds.append(args.rows / again)
            print(
                f"run {i + 1}: import {first:6.1f} s = {args.rows / first:9,.0f} rows/s;  "
                f"second run (all already imported) {again:5.1f} s = {args.rows / again:9,.0f} rows/s"
            )
            print(f"       {summary}")
        median = statistics.median(speeds)
        print(
            f"median of {args.repeats}: {median:,.0f} rows/s = {median / TARGET:.2f} × the target "
            f"({TARGET:,}); second runs {statistics.median(again_speeds):,.0f} rows/s"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if median >= TARGET or not args.check_target else 1


if __name__ == "__main__":
    sys.exit(main())
