"""Rollup updates for changes made outside the complaint services, in the transaction that makes them.

- Pledge commitment tags are added and removed by the pledges app: a tag counts on its complaint's day.
- A recomputation after a policy change (`deadlines.recompute`) may give an open deadline another rule:
  its count moves from the old rule's row to the new one. Saves that name their fields and leave the rule
  alone (the lifecycle's) are diffed by `rollups.complaint_changed` instead, so nothing counts twice.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import Deadline
from complaintdesk.pledges.models import ComplaintCommitment
from complaintdesk.stats import rollups


def _facts(complaint_id: int) -> rollups.ComplaintFacts:
    return rollups.ComplaintFacts.of(Complaint.objects.get(pk=complaint_id))


@receiver(post_save, sender=ComplaintCommitment, dispatch_uid="stats_commitment_added")
def commitment_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        deltas = rollups.Deltas()
        rollups.commitment_contribution(deltas, _facts(instance.complaint_id), instance.number)
        rollups.write(deltas)


@receiver(post_delete, sender=ComplaintCommitment, dispatch_uid="stats_commitment_removed")
def commitment_removed(sender, instance, **kwargs):
    deltas = rollups.Deltas()
    rollups.commitment_contribution(deltas, _facts(instance.complaint_id), instance.number, -1)
    rollups.write(deltas)


@receiver(pre_save, sender=Deadline, dispatch_uid="stats_deadline_rule_moved")
def deadline_rule_moved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "rule_label" not in update_fields):
        return
    old = Deadline.objects.filter(pk=instance.pk).values_list(*rollups.DeadlineFacts.FIELDS).first()
    if old is None or old[1] == instance.rule_label:
        return
    deltas = rollups.Deltas()
    facts = _facts(instance.complaint_id)
    rollups.deadline_contribution(deltas, facts, rollups.DeadlineFacts(*old), -1)
    rollups.deadline_contribution(deltas, facts, rollups.DeadlineFacts.of(instance), +1)
    rollups.write(deltas)
