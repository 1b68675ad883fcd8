"""The demo's group complaint (`complaints.demo_groups`, issue 14 item 6): open, with members, the shop's answer
on every member's complaint, a later joiner with the standing answer, one acceptance; made once."""

import pytest

from complaintdesk.accounts.models import Role, User
from complaintdesk.complaints import demo_groups, groups
from complaintdesk.complaints.choices import State
from complaintdesk.complaints.models import Complaint, ComplaintEvent, GroupPost
from complaintdesk.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(people):
    consumers = [User.objects.create(username=f"consumer{i}", role=Role.CONSUMER) for i in range(1, 21)]
    return people.rita, [(people.acme, (people.bob, people.carol))], consumers


def test_the_demo_group_is_open_with_members_and_the_shops_answer(cast):
    regulator, shops, consumers = cast

    group = demo_groups.load(regulator, shops, consumers)

    view = groups.public_view(group.pk)
    assert (view["state"], view["shop"]["id"]) == ("open", shops[0][0].pk)
    assert (view["members"], view["answered"], view["accepted"]) == (demo_groups.COMPLAINTS, 5, 1)
    assert [(p["side"], p["resolution_type"]) for p in view["timeline"]] == [
        ("shop", ""),
        ("shop", "replacement"),
        ("centre", ""),
    ]
    states = sorted(group.members.values_list("state", flat=True))
    assert states == sorted([State.RESOLVED, State.DISPUTED] + [State.RESOLUTION_PROPOSED] * 3)
    joiner = group.members.get(consumer=consumers[demo_groups.JOINER.consumer - 1])
    # The standing answer at once, then the proposal with everyone: a quality issue's first answer a reply.
    assert list(joiner.events.filter(actor_role="merchant_agent").values_list("action", flat=True)) == [
        "reply",
        "group_answer",
        "propose_resolution",
        "group_answer",
    ]
    # Steps of the demo's past tell nobody (a filing whose deadlines still run tells the shop, as any does).
    assert not OutboxMessage.objects.filter(
        event__in=["complaint_propose_resolution", "complaint_accept"]
    ).exists()


def test_the_demo_group_is_made_once(cast):
    first = demo_groups.load(*cast)
    counts = (Complaint.objects.count(), ComplaintEvent.objects.count(), GroupPost.objects.count())
    assert demo_groups.load(*cast) == first
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), GroupPost.objects.count()) == counts
