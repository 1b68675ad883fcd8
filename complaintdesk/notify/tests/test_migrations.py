"""Migration 0002 (finished messages leave the worker's index) goes back to 0001 and forward again."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("notify", "0001_initial")]
AFTER = [("notify", "0002_outbox_live_rows_index")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps.get_model("notify", "OutboxMessage")


def times(model):
    return dict(model.objects.values_list("status", "next_attempt_at"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0002_reverses_with_finished_messages_present():
    now = timezone.now().replace(microsecond=0)
    message = migrate(AFTER)
    for status, sent_at, next_attempt_at in [
        ("pending", None, now + timedelta(minutes=5)),
        ("sent", now, None),
        ("failed", None, None),
    ]:
        message.objects.create(
            kind="email", target=f"{status}@acme.test", dedupe_key="k", event="e", subject="s", body="b",
            status=status, sent_at=sent_at, next_attempt_at=next_attempt_at,
        )  # fmt: skip
    failed_created = message.objects.get(status="failed").created_at
    try:
        old = migrate(BEFORE)
        assert times(old) == {
            "pending": now + timedelta(minutes=5),
            "sent": now,
            "failed": failed_created,
        }
    finally:
        # Back to the app's latest state, which later tests expect.
        new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("notify"))
    assert times(new) == {"pending": now + timedelta(minutes=5), "sent": None, "failed": None}
