"""The SQLite backend's per-process writer lock: taken by a transaction, given back however it ends, and
threads of one process queue on it instead of failing or polling."""

import contextlib
import sqlite3
import threading
import time

import pytest
from django.db import DatabaseError, OperationalError, connection, connections, transaction

from complaintdesk.complaints.models import Category
from complaintdesk.lib.sqlite import base

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_lock_is_held_inside_a_transaction_and_given_back_on_commit_and_on_error():
    assert not base._write_lock.locked()
    with transaction.atomic():
        assert base._write_lock.locked()
    assert not base._write_lock.locked()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Category.objects.create(code="tmp-lock", name_en="x", name_zh="x")
        raise ZeroDivisionError
    assert not base._write_lock.locked()
    assert not Category.objects.filter(code="tmp-lock").exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        connection.cursor().execute("INSERT INTO no_such_table VALUES (1)")
    assert not base._write_lock.locked()


def test_threads_of_one_process_write_one_after_another_and_all_succeed():
    errors, done = [], []

    def write(i: int) -> None:
        try:
            for j in range(20):
                with transaction.atomic():
                    Category.objects.create(code=f"t{i}-{j}", name_en="x", name_zh="x")
            done.append(i)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(done) == [0, 1, 2, 3]
    assert Category.objects.filter(code__regex=r"^t[0-3]-[0-9]+$").count() == 80
    assert not base._write_lock.locked()


def _file_wrapper(tmp_path, timeout: float) -> base.DatabaseWrapper:
    """A second connection of our backend to a file database (the test database lives in memory)."""
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "lock.sqlite3")}
    settings["OPTIONS"] = {**settings["OPTIONS"], "timeout": timeout}
    wrapper = base.DatabaseWrapper(settings, alias="lockcheck")
    wrapper.ensure_connection()
    wrapper.connection.execute("CREATE TABLE IF NOT EXISTS t (n integer)")
    return wrapper


@contextlib.contextmanager
def _another_writer(tmp_path, seconds: float):
    """Another connection holds the write lock for `seconds` (another process, as far as SQLite can tell)."""
    holding = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(tmp_path / "lock.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    try:
        yield
    finally:
        holder.join()


def test_begin_waits_for_another_connection_s_write_lock_then_writes(tmp_path):
    wrapper = _file_wrapper(tmp_path, timeout=20)
    with _another_writer(tmp_path, 0.3):
        started = time.monotonic()
        wrapper._start_transaction_under_autocommit()
        waited = time.monotonic() - started
        wrapper.connection.execute("INSERT INTO t VALUES (1)")
        wrapper.commit()
    assert waited >= 0.2  # it did wait for the other writer …
    assert wrapper.connection.execute("SELECT count(*) FROM t").fetchone() == (1,)  # … and then wrote
    assert not base._write_lock.locked()
    wrapper.close()


def test_begin_gives_up_after_the_busy_timeout_and_releases_the_process_lock(tmp_path):
    wrapper = _file_wrapper(tmp_path, timeout=0.2)
    with _another_writer(tmp_path, 1.0), pytest.raises(OperationalError, match="locked"):
        wrapper._start_transaction_under_autocommit()
    assert not base._write_lock.locked()
    # The busy timeout is back for statements outside transactions.
    assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone() == (200,)
    wrapper.close()
