"""The SQLite backend's per-process writer lock: taken by a transaction, given back however it ends, and
threads of one process queue on it instead of failing or polling."""

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


def _hold_write_lock(path, seconds: float, holding: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)  # another process, as far as SQLite can tell
    other.execute("BEGIN IMMEDIATE")
    holding.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


def test_begin_waits_for_another_connection_s_write_lock_then_writes(tmp_path):
    wrapper = _file_wrapper(tmp_path, timeout=20)
    holding = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(tmp_path / "lock.sqlite3", 0.3, holding))
    holder.start()
    holding.wait()
    started = time.monotonic()
    wrapper._start_transaction_under_autocommit()
    waited = time.monotonic() - started
    wrapper.connection.execute("INSERT INTO t VALUES (1)")
    wrapper.commit()
    holder.join()
    assert waited >= 0.2  # it did wait for the other writer …
    assert wrapper.connection.execute("SELECT count(*) FROM t").fetchone() == (1,)  # … and then wrote
    assert not base._write_lock.locked()
    wrapper.close()


def test_begin_gives_up_after_the_busy_timeout_and_releases_the_process_lock(tmp_path):
    wrapper = _file_wrapper(tmp_path, timeout=0.2)
    holding = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(tmp_path / "lock.sqlite3", 1.0, holding))
    holder.start()
    holding.wait()
    with pytest.raises(OperationalError, match="locked"):
        wrapper._start_transaction_under_autocommit()
    assert not base._write_lock.locked()
    # The busy timeout is back for statements outside transactions.
    assert wrapper.connection.execute("PRAGMA busy_timeout").fetchone() == (200,)
    holder.join()
    wrapper.close()
