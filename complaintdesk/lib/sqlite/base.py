"""Django's SQLite backend, waiting for the write lock in short steps, one writing transaction per process.

SQLite lets one connection write at a time. A connection that finds the lock taken waits in SQLite's busy
handler, which polls with growing sleeps (1, 2, 5, 10 … up to 100 ms) and may wake long after the lock
was freed; filings are transactions of a few milliseconds. Here `BEGIN IMMEDIATE` is retried in
0.2–2 ms steps instead: with 2 gunicorn processes × 4 threads, filings went from ~200 to 250–300 per
second (bench/intake.py, 2026-11-28, noisy machine). Threads of one process also queue on a Python lock,
handed over the moment the transaction ends; its own effect was within that noise (gunicorn now runs one
thread per process, gunicorn.conf.py; tests and `runserver` still use threads).

The lock is an efficiency measure, never the guard of correctness (SQLite's own lock is): it is waited
for at most the connection's busy timeout, after which the transaction proceeds to SQLite's lock as
before.
"""

import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base

_write_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _start_transaction_under_autocommit(self):
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        self._holds_write_lock = _write_lock.acquire(timeout=timeout)
        try:
            with self.wrap_database_errors:  # django.db errors, as the stock backend raises
                self._begin(timeout)
        except BaseException:
            self._release_write_lock()
            raise

    def _begin(self, timeout: float) -> None:
        """BEGIN IMMEDIATE, waiting for another process's write lock in short steps of our own instead of
        SQLite's busy handler (whose sleeps grow to 100 ms and outlast the few-millisecond transactions
        that hold it)."""
        raw = self.connection
        give_up = time.monotonic() + timeout
        pause = 0.0002
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    raw.execute(f"BEGIN {self.transaction_mode or ''}")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > give_up:
                        raise
                time.sleep(pause)
                pause = min(pause * 1.5, 0.002)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

    def _release_write_lock(self):
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
