"""Keep each shop's bureau in charge (`Merchant.jurisdiction`) in step with its address and its platform's
seat, and each complaint's (`Complaint.bureau`) with its case and its shop, however the rows are saved
(filing, the centre's steps, admin, profile, seed, commands). Bulk writes (`bulk_create`, `update`) bypass
signals: their callers call `jurisdiction` themselves (`assign`, `hold`, `follow_shop`).

Each matter's nearest running duty (`Matter.next_due`) follows its duties' rows: starting, meeting and
recomputing a duty all save its row (`duties.settle`)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from complaintdesk.centre import duties, jurisdiction
from complaintdesk.centre.models import CentreCase, Matter, PlatformSeat
from complaintdesk.deadlines.models import Deadline
from complaintdesk.merchants.models import Merchant

# What routing reads: a partial save of any of these stores the new answer too.
ROUTING = frozenset({"registered_address", "registered_district", "address_unreachable", "platform"})


@receiver(pre_save, sender=Merchant, dispatch_uid="centre.merchant_jurisdiction")
def _route_shop(sender, instance, update_fields=None, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures carry the stored value
    stored = None
    if not instance._state.adding:
        stored = Merchant.objects.filter(pk=instance.pk).values_list("jurisdiction_id", flat=True).first()
    jurisdiction.assign(instance)
    written = update_fields is None or "jurisdiction" in update_fields or bool(ROUTING & set(update_fields))
    if update_fields is not None and "jurisdiction" not in update_fields and written:
        Merchant.objects.filter(pk=instance.pk).update(jurisdiction=instance.jurisdiction)
    # Its complaints follow once the shop's row is saved (`_reroute_complaints`).
    instance._rerouted = not instance._state.adding and written and stored != instance.jurisdiction_id


@receiver(post_save, sender=Merchant, dispatch_uid="centre.merchant_complaints_rerouted")
def _reroute_complaints(sender, instance, **kwargs):
    if getattr(instance, "_rerouted", False):
        instance._rerouted = False
        jurisdiction.follow_shop(instance.pk, instance.jurisdiction_id)


@receiver(post_save, sender=PlatformSeat, dispatch_uid="centre.platform_seat_saved")
@receiver(post_delete, sender=PlatformSeat, dispatch_uid="centre.platform_seat_deleted")
def _reroute_platform(sender, instance, **kwargs):
    jurisdiction.reassign_platform(instance.platform)


# The complaints' model is a layer above: named by its label, not imported.
@receiver(pre_save, sender="complaints.Complaint", dispatch_uid="centre.complaint_filed")
def _file_complaint(sender, instance, **kwargs):
    if not kwargs.get("raw") and instance._state.adding:
        jurisdiction.file(instance)


@receiver(post_save, sender=CentreCase, dispatch_uid="centre.case_held")
def _hold_complaint(sender, instance, created=False, update_fields=None, **kwargs):
    if kwargs.get("raw"):
        return
    if created or update_fields is None or "bureau" in update_fields:
        jurisdiction.hold(instance)


@receiver(post_delete, sender=CentreCase, dispatch_uid="centre.case_deleted")
def _release_complaint(sender, instance, **kwargs):
    jurisdiction.release(instance)


@receiver(post_save, sender=Deadline, dispatch_uid="centre.matter_next_due")
@receiver(post_delete, sender=Deadline, dispatch_uid="centre.matter_next_due_deleted")
def _settle_matter(sender, instance, **kwargs):
    """A matter's duty started, met, moved or gone: its `next_due` follows (`duties.settle`)."""
    if instance.matter_id is not None and not kwargs.get("raw"):
        duties.settle(Matter.objects.filter(pk=instance.matter_id))
