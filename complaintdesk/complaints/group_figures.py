"""A group complaint's figures on its own row (`ComplaintGroup.member_count`, `answered_count`,
`accepted_count`): members; those whose complaint received the shop's answer (a `group_answer` event); those
whose consumer accepted the shop's proposal or whose mediation ended in an agreement (an accepting event,
read from the log, so a complaint closed after its acceptance still counts).

Counted from the members' events they cost a read of every member's events (at 10 M complaints, 30,000
members and 150,000 events for a list of 41 groups: ~0.5 s); kept here by the writes that change them, a
list reads them from its rows:
- a member counted when it joins (`joined`), or the group recounted when it is opened (`recount`: picked
  complaints may have accepted before);
- a member's first answer or first acceptance counted when its event is stored (`event_recorded`, called by
  `services.record_event`, which every such event goes through: the group's answer, the consumer's
  acceptance, the centre's agreement). Not a post_save receiver: filing writes events by `lib.sql`, which
  sends no signals, and the fence test refuses receivers on what it writes.
Data written around the models (a bulk load) is recounted with `recount`."""

from django.db.models import Count, Exists, F, OuterRef, Q

from complaintdesk.complaints.choices import EventKind
from complaintdesk.complaints.lifecycle import Action
from complaintdesk.complaints.models import Complaint, ComplaintEvent, ComplaintGroup

ACCEPTING_ACTIONS = (Action.ACCEPT, Action.RECORD_AGREEMENT)
# The counter each kind of event adds to, with the kinds that count a member once between them.
_COUNTED = {EventKind.GROUP_ANSWER: ("answered_count", (EventKind.GROUP_ANSWER,))} | {
    action: ("accepted_count", ACCEPTING_ACTIONS) for action in ACCEPTING_ACTIONS
}


def joined(group_id: int, members: int = 1) -> None:
    """`members` new complaints joined the group (with no answer or acceptance yet)."""
    ComplaintGroup.objects.filter(pk=group_id).update(member_count=F("member_count") + members)


def recount(groups=None) -> int:
    """Count the figures of `groups` (a queryset; every group when None) from their members' events again;
    how many groups were written."""
    groups = ComplaintGroup.objects.all() if groups is None else groups
    counted = groups.order_by().annotate(
        counted_members=Count("members", distinct=True),
        counted_answered=Count(
            "members", filter=Q(members__events__action=EventKind.GROUP_ANSWER), distinct=True
        ),
        counted_accepted=Count(
            "members", filter=Q(members__events__action__in=ACCEPTING_ACTIONS), distinct=True
        ),
    )
    written = 0
    for pk, members, answered, accepted in counted.values_list(
        "pk", "counted_members", "counted_answered", "counted_accepted"
    ):
        written += ComplaintGroup.objects.filter(pk=pk).update(
            member_count=members, answered_count=answered, accepted_count=accepted
        )
    return written


def event_recorded(instance: ComplaintEvent) -> None:
    """A member's first event of a counted kind (just stored) adds one to its group's counter, in the
    event's transaction; any other event costs nothing (no query)."""
    if instance.action not in _COUNTED:
        return
    field, kinds = _COUNTED[instance.action]
    earlier = ComplaintEvent.objects.filter(complaint_id=OuterRef("pk"), action__in=kinds).exclude(
        pk=instance.pk
    )
    member = (
        Complaint.objects.filter(pk=instance.complaint_id, group__isnull=False)
        .filter(~Exists(earlier))
        .values("group_id")
    )
    ComplaintGroup.objects.filter(pk__in=member).update(**{field: F(field) + 1})
