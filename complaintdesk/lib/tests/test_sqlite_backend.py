"""The SQLite backend's per-process writer lock: taken by a transaction, given back however it ends, and
threads of one process queue on it instead of failing or polling."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

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
