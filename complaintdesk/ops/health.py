"""Whether a worker keeps up: work that has waited longer than a running worker lets anything wait.

An idle worker looks at every due row within seconds; an item that fails is pushed 5 minutes ahead and a
notification being sent holds a 2-minute lease. So a deadline step or a notification due 10 minutes ago
means that no worker runs, or that it cannot keep up. Both counts read the partial indexes the worker
claims by (`next_check_at`, `next_attempt_at`)."""

from datetime import datetime, timedelta

from complaintdesk.deadlines.models import Deadline
from complaintdesk.deadlines.sweep import WORKER_LATE
from complaintdesk.notify.models import OutboxMessage

LATE = WORKER_LATE


def overdue_work(now: datetime, late: timedelta = LATE) -> dict[str, int]:
    before = now - late
    return {
        "deadline_steps": Deadline.objects.filter(next_check_at__lte=before).count(),
        "notifications": OutboxMessage.objects.filter(next_attempt_at__lte=before).count(),
    }
