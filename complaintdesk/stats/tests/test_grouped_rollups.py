"""Grouped rollup contributions (bulk imports) equal the per-row contributions they stand in for."""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from complaintdesk.stats import rollups

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Instants around a year's and a day's end in the regulator's zone, in two zones.
instants = st.builds(
    lambda minutes, zone: (
        datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    ).astimezone(zone),
    st.integers(-1500, 1500),
    st.sampled_from([SHANGHAI, ZoneInfo("UTC")]),
)
complaint_groups = st.tuples(
    instants,
    st.integers(1, 3),  # shop
    st.integers(1, 3),  # category
    st.sampled_from(["complaint", "quality_issue"]),
    st.sampled_from(["web", "import"]),
    st.sampled_from(["online_shopping", "financial_services"]),
    st.sampled_from(["submitted", "resolved", "closed", "withdrawn"]),
)
deadline_groups = st.tuples(
    instants,
    st.integers(1, 3),
    st.sampled_from(["first_response", "resolution"]),
    st.sampled_from(["CFPB rule", "2 working hours"]),
    st.sampled_from(["open", "met", "breached", "cancelled", "paused"]),
    st.one_of(st.none(), st.integers(-10, 3000)),  # met_at, minutes after the start
    st.integers(0, 2000),  # due_at, minutes after the start
)


@settings(max_examples=200, deadline=None)
@given(st.lists(complaint_groups, max_size=30), st.lists(deadline_groups, max_size=30))
def test_bulk_rollups_equal_the_per_row_contributions(complaints, deadlines):
    deltas = rollups.Deltas()
    counted, deadlines_counted = Counter(), Counter()
    for received_at, shop, category, kind, channel, sector, state in complaints:
        facts = rollups.ComplaintFacts(received_at, shop, category, kind, channel, sector)
        resolved, finished = state == "resolved", state in rollups.TERMINAL
        rollups.complaint_contribution(deltas, facts, resolved=resolved, finished=finished)
        counted[received_at, shop, category, kind, channel, sector, state] += 1
    for received_at, shop, phase, rule, status, met_after, due_after in deadlines:
        facts = rollups.ComplaintFacts(received_at, shop, 1, "complaint", "web", "online_shopping")
        met_at = None if met_after is None else received_at + timedelta(minutes=met_after)
        due_at = received_at + timedelta(minutes=due_after)
        rollups.deadline_contribution(
            deltas, facts, rollups.DeadlineFacts(phase, rule, status, met_at, due_at, received_at)
        )
        deadlines_counted[received_at, shop, phase, rule, status, met_at, due_at, received_at] += 1

    got = rollups.grouped(counted, deadlines_counted)

    for name in rollups.TABLES:
        assert got.nonzero(name) == deltas.nonzero(name), name
