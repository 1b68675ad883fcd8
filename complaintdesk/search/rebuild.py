"""The index built anew from the stored complaints and their messages: after a restore from an older
backup, a bulk load that bypassed the app (the benchmarks' generators), or to be sure
(`manage.py rebuild_search_index`; the migration that made the index ran it once)."""

from collections import defaultdict
from collections.abc import Callable

from django.db import connection, transaction

from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.models import Complaint, ComplaintEvent
from complaintdesk.search import index
from complaintdesk.search.models import FTS_TABLE, ComplaintText

BATCH_SIZE = 5000


def rebuild(batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> int:
    """Every complaint's row written again, `batch_size` complaints per transaction in id order; returns
    how many. Filings and messages meanwhile index themselves as usual (a complaint filed during the
    rebuild is either past the batches' end or written again with the same row)."""
    ComplaintText.objects.all().delete()
    done, last = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                Complaint.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "description", "product", "order_number")[:batch_size]
            )
            if not batch:
                break
            first, last = batch[0][0], batch[-1][0]
            messages = defaultdict(list)
            events = (
                ComplaintEvent.objects.filter(complaint_id__gte=first, complaint_id__lte=last)
                .filter(actor__isnull=False)
                .exclude(message="")
                .exclude(action=EventKind.SUBMIT)
                .order_by("complaint_id", "created_at", "id")
                .values_list("complaint_id", "message")
            )
            for complaint_id, message in events:
                if message.strip():
                    messages[complaint_id].append(message)
            # A filing of this batch's ids committed meanwhile has its row already: written again.
            ComplaintText.objects.filter(complaint_id__gte=first, complaint_id__lte=last).delete()
            index.write_rows([index.row(*c, *messages.get(c[0], ())) for c in batch])
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    optimise()
    return done


def optimise() -> None:
    """SQLite: merge the FTS5 index's segments into one b-tree (a search reads one instead of many);
    PostgreSQL: refresh the planner's statistics of the table (how common each term is)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {connection.ops.quote_name(ComplaintText._meta.db_table)}")
