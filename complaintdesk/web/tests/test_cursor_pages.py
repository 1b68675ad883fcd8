"""The web lists page by cursor (issue 15): following "Next" shows every row once in the list's order, with
the list's filters kept in the links, and "Previous" goes back; rows filed during the walk neither repeat
nor push earlier ones out; the queues by nearest deadline (complaints.shop_queue) list the complaints with
a running deadline of the shop's by its due time, then the others by receipt, the same whichever side
they are read from; a cursor altered or of another list is 400 naming `cursor`; a cursor of another
reader's list shows only the reader's rows; the count stops at the cap ("10,000+")."""

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, parse_qsl

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintdesk.centre import matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import MatterKind
from complaintdesk.complaints import centre_queue, shop_queue
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.queries import NEWEST_FIRST
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import SHOP_PHASES, Deadline, DeadlineStatus
from complaintdesk.lib import cursor as keyset
from complaintdesk.web import paging

pytestmark = pytest.mark.django_db
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=10)
LINK = re.compile(r'<a rel="(next|prev)" href="\?([^"]*)">')


@pytest.fixture(autouse=True)
def _pages_of_three(monkeypatch):
    monkeypatch.setattr(paging, "PER_PAGE", 3)


def links(page: str) -> dict[str, str]:
    return {rel: html.unescape(query) for rel, query in LINK.findall(page)}


def references(page: str) -> list[str]:
    return re.findall(r">(TS-\d{4}-\d{7})</a>", page)


def walk(client, url: str, query: str = "") -> tuple[list[str], list[str]]:
    """Every page of a list by its "Next" links: the references shown, and each page's HTML."""
    shown, pages = [], []
    while True:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        pages.append(response.content.decode())
        shown += references(pages[-1])
        query = links(pages[-1]).get("next")
        if query is None:
            return shown, pages


def file(consumer, shop, n: int, start: datetime = T0, **overrides) -> list[Complaint]:
    """`n` complaints received every 7 minutes from `start`, two at a time at one instant."""
    return [
        factories.complaint(consumer, shop, received_at=start + timedelta(minutes=7 * (i // 2)), **overrides)
        for i in range(n)
    ]


def newest_first(complaints) -> list[str]:
    return [c.reference for c in sorted(complaints, key=lambda c: (c.received_at, c.pk), reverse=True)]


def test_the_console_list_pages_by_next_and_previous_keeping_its_filters(people, browser_of):
    acme = file(people.alice, people.acme, 8)
    file(people.erin, people.bazaar, 3)
    rita, url = browser_of(people.rita), reverse("web:all_complaints")
    shown, pages = walk(rita, url, f"merchant={people.acme.pk}")
    assert shown == newest_first(acme)
    assert all(f"merchant={people.acme.pk}" in query for page in pages for query in links(page).values())
    assert "8 complaints" in pages[0]
    # Back from the last page by "Previous": the pages as they were, then the first.
    back = rita.get(f"{url}?{links(pages[-1])['prev']}").content.decode()
    assert references(back) == shown[3:6]
    first = rita.get(f"{url}?{links(back)['prev']}").content.decode()
    assert references(first) == shown[:3] and "prev" not in links(first)


def test_complaints_filed_during_the_walk_neither_repeat_nor_push_out_earlier_ones(people, browser_of):
    before = newest_first(file(people.alice, people.acme, 7))
    rita, url = browser_of(people.rita), reverse("web:all_complaints")
    first = rita.get(url).content.decode()
    file(people.alice, people.acme, 2, start=T0 + timedelta(days=1))  # newer: before the cursor
    (oldest,) = file(people.alice, people.acme, 1, start=T0 - timedelta(days=1))  # still to come
    rest, _ = walk(rita, url, links(first)["next"])
    assert references(first) + rest == before + [oldest.reference]


def _running_due(complaint: Complaint):
    due = [
        d.due_at
        for d in complaint.deadlines.all()
        if d.phase in SHOP_PHASES
        and d.met_at is None
        and d.status in (DeadlineStatus.OPEN, DeadlineStatus.BREACHED)
    ]
    return min(due, default=None)


def nearest_deadline_first(complaints) -> list[str]:
    """The queue's order, worked out here from each complaint's deadlines."""
    running = [c for c in complaints if _running_due(c) is not None]
    rest = [c for c in complaints if _running_due(c) is None]
    return [c.reference for c in sorted(running, key=lambda c: (_running_due(c), c.pk))] + [
        c.reference for c in sorted(rest, key=lambda c: (c.received_at, c.pk))
    ]


@pytest.fixture
def queue(people):
    """Escalated, disputed and in-mediation complaints of both shops: some with running deadlines (due at
    various times, one with two running), some with every deadline met, and others not in the queue."""
    queued = file(people.alice, people.acme, 5, state="escalated", kind="quality_issue")
    queued += file(people.erin, people.bazaar, 3, start=T0 + timedelta(hours=3), state="disputed")
    queued += file(people.alice, people.bazaar, 2, start=T0 - timedelta(days=2), state="in_mediation")
    for c in queued[::3]:  # answered: no running deadline, listed after the others by receipt
        Deadline.objects.filter(complaint=c).update(met_at=T0, status=DeadlineStatus.MET)
    file(people.alice, people.acme, 2, state="closed")
    return [Complaint.objects.prefetch_related("deadlines").get(pk=c.pk) for c in queued]


@pytest.mark.parametrize("few", [0, 1000], ids=["walking the deadlines", "from the complaints"])
def test_the_escalation_queue_lists_the_nearest_running_deadline_first_then_by_receipt(
    people, browser_of, queue, monkeypatch, few
):
    monkeypatch.setattr(shop_queue, "FEW", few)
    assert sum(_running_due(c) is not None for c in queue) == 6
    shown, pages = walk(browser_of(people.rita), reverse("web:escalations"))
    assert shown == nearest_deadline_first(queue)
    assert len(pages) == 4
    bob = browser_of(people.bob)  # the shop's own escalations tab: Acme's only
    shown, _ = walk(bob, reverse("web:queue"), "view=escalations")
    assert shown == nearest_deadline_first([c for c in queue if c.merchant_id == people.acme.pk])


def test_both_ways_of_reading_the_queue_give_the_same_pages_and_cursors(people, queue, monkeypatch):
    complaints = Complaint.objects.filter(state__in=["escalated", "disputed", "in_mediation"])
    walks = []
    # A cursor is signed with its second (django.core.signing): both walks in the same one.
    second = signing.TimestampSigner().timestamp()
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda signer: second)
    for few in (0, 1000):
        monkeypatch.setattr(shop_queue, "FEW", few)
        segments = shop_queue.nearest_deadline_first(complaints, count=len(queue))
        pages, cursor = [], None
        while True:
            page = keyset.chained(segments, cursor, 4)
            pages.append(([c.pk for c in page.rows], page.next))
            if not page.next:
                break
            cursor = page.next
        walks.append(pages)
    assert walks[0] == walks[1] and len(walks[0]) == 3


def test_the_queue_goes_back_across_its_two_parts(people, browser_of, queue):
    rita, url = browser_of(people.rita), reverse("web:escalations")
    shown, pages = walk(rita, url)
    back = rita.get(f"{url}?{links(pages[2])['prev']}").content.decode()  # rows 4-6, of both parts
    assert references(back) == shown[3:6]


def test_the_workbench_tabs_page_by_cursor(people, browser_of):
    open_ones = file(people.alice, people.acme, 4)
    finished = file(people.alice, people.acme, 4, state="closed")
    bob, url = browser_of(people.bob), reverse("web:queue")
    shown, pages = walk(bob, url)
    assert shown == nearest_deadline_first(
        [Complaint.objects.prefetch_related("deadlines").get(pk=c.pk) for c in open_ones]
    )
    assert 'hx-get="?"' in pages[0] and 'hx-get="?cursor=' in pages[1]  # the refresh shows its own page
    shown, _ = walk(bob, url, "view=finished")
    assert sorted(shown) == sorted(c.reference for c in finished)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("rita", "web:all_complaints"),
        ("rita", "web:escalations"),
        ("bob", "web:queue"),
        ("alice", "web:my_complaints"),
    ],
)
def test_a_cursor_altered_or_of_another_list_is_refused_naming_it(people, browser_of, who, url):
    file(people.alice, people.acme, 4, state="escalated")
    client = browser_of(getattr(people, who))
    good = NEWEST_FIRST.cursor({"received_at": T0, "id": 2})
    of_the_queue = shop_queue.BY_RECEIPT.cursor({"received_at": T0, "id": 2})
    foreign = of_the_queue if url in ("web:all_complaints", "web:my_complaints") else good
    before = list(Complaint.objects.values_list("pk", "state"))
    for bad in ["nonsense", good[:-1] + ("A" if good[-1] != "A" else "B"), foreign, "x" * 1001]:
        response = client.get(reverse(url), {"cursor": bad})
        assert response.status_code == 400, bad
        page = response.content.decode()
        assert "<code>cursor</code>" in page and not references(page)
    assert list(Complaint.objects.values_list("pk", "state")) == before


def test_a_cursor_of_the_console_shows_a_consumer_only_her_own_complaints(people, browser_of):
    alices = file(people.alice, people.acme, 4)
    file(people.erin, people.bazaar, 4, start=T0 + timedelta(minutes=1))
    first = browser_of(people.rita).get(reverse("web:all_complaints")).content.decode()
    cursor = links(first)["next"]
    shown, _ = walk(browser_of(people.alice), reverse("web:my_complaints"), cursor)
    _, values = NEWEST_FIRST.read(parse_qs(cursor)["cursor"][0])
    later = Complaint.objects.filter(NEWEST_FIRST.beyond(values), consumer=people.alice)
    assert shown == newest_first(later) and set(shown) <= {c.reference for c in alices}


def test_the_count_stops_at_the_cap(people, browser_of, monkeypatch):
    monkeypatch.setattr(keyset, "CAP", 5)
    file(people.alice, people.acme, 6)
    file(people.erin, people.bazaar, 2)
    rita, url = browser_of(people.rita), reverse("web:all_complaints")
    assert "5+ complaints" in rita.get(url).content.decode()
    assert "2 complaints" in rita.get(url, {"merchant": people.bazaar.pk}).content.decode()
    shown, _ = walk(rita, url)  # the pages go on past the cap
    assert len(shown) == 8


def test_the_escalation_queue_walks_the_index_of_running_deadlines(people, queue, monkeypatch):
    """Its first part's page comes from the partial index of the running deadlines by due time, in order:
    no sort of every queued complaint, no scan (PostgreSQL told not to, as on a large table)."""
    monkeypatch.setattr(shop_queue, "FEW", 0)
    complaints = Complaint.objects.filter(state__in=["escalated", "disputed", "in_mediation"])
    segments = shop_queue.nearest_deadline_first(complaints, count=None)
    for cursor in (None, keyset.chained(segments, None, 2).next):
        with CaptureQueriesContext(connection) as queries:
            keyset.chained(segments, cursor, 2)
        with connection.cursor() as db:
            if connection.vendor == "postgresql":
                db.execute("SET LOCAL enable_seqscan = off")
                db.execute("SET LOCAL enable_sort = off")
                db.execute(f"EXPLAIN {queries.captured_queries[0]['sql']}")
            else:
                db.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[0]['sql']}")
            plan = "\n".join(str(row[-1]) for row in db.fetchall())
        assert "deadline_shop_running_due" in plan, plan
        assert "TEMP B-TREE" not in plan and not re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE), plan
        assert "Seq Scan" not in plan, plan


@pytest.mark.parametrize("query", ["", "state=received", "kind=report"])
def test_the_centres_queue_pages_by_cursor(people, browser_of, query):
    for n in range(7):
        matters.file(None, Filing(MatterKind.REPORT, f"Fakes {n}", merchant=people.acme.pk, anonymous=True))
    filters = centre_queue.Filters(**dict(parse_qsl(query)))
    expected = [entry.item.reference for entry in centre_queue.entries(centre_queue.queue(filters))]
    rita, url = browser_of(people.rita), reverse("web:centre_queue")
    shown, pages = [], []
    while query is not None:
        pages.append(rita.get(f"{url}?{query}").content.decode())
        shown += re.findall(r">(JB-\d{4}-\d{7})</a>", pages[-1])
        query = links(pages[-1]).get("next")
    assert shown == expected and len(expected) == 7 and len(pages) == 3
    # Not counted: the queue is read a page at a time, and its total is said only when one page holds it.
    assert 'id="queue-count"' not in pages[0]
