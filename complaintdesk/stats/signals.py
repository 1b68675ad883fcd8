"""Rollup updates for changes made outside the complaint services, in the transaction that makes them.

- Pledge commitment tags are added and removed by the pledges app: a tag counts on its complaint's day.
- A recomputation after a policy change (`deadlines.recompute`) may give an open deadline another rule:
  its count moves from the old rule's row to the new one. Saves that name their fields and leave the rule
  alone (the lifecycle's) are diffed by `rollups.complaint_changed` instead, so nothing counts twice.
  Only a shop's deadlines count in the shops' rollups (`SHOP_PHASES`).
- The 12315 centre's cases, reports and enquiries, their duties and the consumers' ratings change in the
  centre's services: each save or deletion refreshes that matter's share of the centre's rollups
  (`centre_rollups.refresh`, which may run any number of times).
- A consumer's rating counts in its shop's ratings (the scorecards' satisfaction), on the day it was given.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from complaintdesk.centre.models import CentreCase, Matter, Rating
from complaintdesk.complaints.models import Complaint
from complaintdesk.deadlines.models import CENTRE_PHASES, SHOP_PHASES, Deadline
from complaintdesk.pledges.models import ComplaintCommitment
from complaintdesk.stats import centre_rollups, rollups


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
    if instance.phase not in SHOP_PHASES:
        return
    old = Deadline.objects.filter(pk=instance.pk).values_list(*rollups.DeadlineFacts.FIELDS).first()
    if old is None or old[1] == instance.rule_label:
        return
    deltas = rollups.Deltas()
    facts = _facts(instance.complaint_id)
    rollups.deadline_contribution(deltas, facts, rollups.DeadlineFacts(*old), -1)
    rollups.deadline_contribution(deltas, facts, rollups.DeadlineFacts.of(instance), +1)
    rollups.write(deltas)


# A consumer's rating counts in its shop's ratings on the day it was given; a change of score moves its
# score (the values before the save are read under the caller's row lock, `centre.ratings.change`).
@receiver(pre_save, sender=Rating, dispatch_uid="stats_rating_before")
def rating_before(sender, instance, raw=False, **kwargs):
    before = None
    if not raw and instance.pk is not None:
        before = Rating.objects.filter(pk=instance.pk).values_list("created_at", "score").first()
    instance.counted_before = before


@receiver(post_save, sender=Rating, dispatch_uid="stats_rating_counted")
def rating_counted(sender, instance, raw=False, **kwargs):
    if raw:
        return
    deltas = rollups.Deltas()
    shop = Complaint.objects.filter(pk=instance.complaint_id).values_list("merchant_id", flat=True).get()
    before = getattr(instance, "counted_before", None)
    if before is not None:
        rollups.rating_contribution(deltas, shop, *before, -1)
    rollups.rating_contribution(deltas, shop, instance.created_at, instance.score)
    rollups.write(deltas)


@receiver(pre_delete, sender=Rating, dispatch_uid="stats_rating_uncounted")
def rating_uncounted(sender, instance, **kwargs):
    # Before the deletion, while its complaint is still there to name the shop (a complaint's deletion takes
    # its rating with it); the stored values, not the instance's, are what was counted.
    stored = Rating.objects.filter(pk=instance.pk).values_list(
        "complaint__merchant_id", "created_at", "score"
    )
    for shop, rated_at, score in stored:
        deltas = rollups.Deltas()
        rollups.rating_contribution(deltas, shop, rated_at, score, -1)
        rollups.write(deltas)


# A deletion is counted after it happened (post_delete), when the rows left say what remains: a complaint's
# deletion takes its case, duties and rating in one go, in an order Django chooses.
@receiver(post_save, sender=CentreCase, dispatch_uid="stats_centre_case_saved")
@receiver(post_delete, sender=CentreCase, dispatch_uid="stats_centre_case_deleted")
@receiver(post_save, sender=Rating, dispatch_uid="stats_rating_saved")
@receiver(post_delete, sender=Rating, dispatch_uid="stats_rating_deleted")
def centre_complaint_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        centre_rollups.refresh(complaint_id=instance.complaint_id)


@receiver(post_save, sender=Matter, dispatch_uid="stats_matter_saved")
@receiver(post_delete, sender=Matter, dispatch_uid="stats_matter_deleted")
def centre_matter_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        centre_rollups.refresh(matter_id=instance.pk)


@receiver(post_save, sender=Deadline, dispatch_uid="stats_centre_duty_saved")
@receiver(post_delete, sender=Deadline, dispatch_uid="stats_centre_duty_deleted")
def centre_duty_changed(sender, instance, raw=False, **kwargs):
    # A shop's deadline returns here at once: its saves are the hot path, and `complaint_changed` counts it.
    if raw or instance.phase not in CENTRE_PHASES:
        return
    if instance.complaint_id is not None:
        centre_rollups.refresh(complaint_id=instance.complaint_id)
    else:
        centre_rollups.refresh(matter_id=instance.matter_id)
