"""gunicorn's settings for `make run` and the benchmarks; gunicorn reads ./gunicorn.conf.py by itself, and
command-line options override it. In production set `--workers` to the cores you give the web tier.

One thread per worker: the app is CPU-bound Python (the GIL lets one thread run at a time) and SQLite has
one writer, so more threads only add switching. Measured with bench/intake.py on 2 cores (2026-11-28,
2 workers, medians of 2 runs of 10 s): filings per second with 1 / 2 / 4 threads, SQLite 390 / 271 / 256,
PostgreSQL 215 / — / 171, lower latency too (SQLite p99 125 ms against 270 ms). gthread still keeps idle
keep-alive connections in its poller, not in a thread, so one thread serves many API clients; a reverse
proxy in front buffers slow uploads.
"""

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 1
