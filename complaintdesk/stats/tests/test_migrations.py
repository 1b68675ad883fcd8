"""Migration 0002 (response times by phase) goes back to 0001 and forward again: the way back keeps the
first responses only, in the old buckets; the way forward counts the replies and resolutions in and puts
the first responses of more than 14 days in their new buckets, as a recomputation would."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.stats import rollups
from complaintdesk.stats.tests import response_times

BEFORE = [("stats", "0001_initial")]
RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps.get_model("stats", "ResponseTimeCount")


def histogram(model, *fields):
    return {row[:-1]: row[-1] for row in model.objects.values_list(*fields, "n")}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0002_reverses_and_counts_every_phase_in_again(people):
    response_times.build(people)
    with time_machine.travel(RECEIVED, tick=False):
        slow = factories.complaint(people.erin, people.acme)
    services.perform(slow.pk, people.bob, "respond", "Sorry", at=RECEIVED + timedelta(days=20))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("stats")
    stored = histogram(migrate(latest), "day", "shop", "phase", "bucket")
    try:
        old = histogram(migrate(BEFORE), "day", "shop", "bucket")
        acme = {bucket: n for (day, shop, bucket), n in old.items() if shop == people.acme.pk}
        # Ten and one quality issues answered within 10 hours, and a first response 20 days late: it goes
        # back into the old last bucket, the one of everything past 14 days.
        assert acme == {**{m: 1 for m in (*response_times.REPLY_MINUTES, 600)}, 20520: 1}
    finally:
        # Back to the app's latest state, which later tests expect.
        new = migrate(latest)
    assert histogram(new, "day", "shop", "phase", "bucket") == stored
    assert stored[(RECEIVED.date(), people.acme.pk, "first_response", 20 * 1440)] == 1
    assert rollups.differences() == []
