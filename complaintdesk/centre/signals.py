"""Keep each shop's bureau in charge (`Merchant.jurisdiction`) in step with its address and its platform's
seat, however the row is saved (admin, profile, seed, commands). Bulk writes (`bulk_create`, `update`)
bypass signals: their callers call `jurisdiction.assign` themselves."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from complaintdesk.centre import jurisdiction
from complaintdesk.centre.models import PlatformSeat
from complaintdesk.merchants.models import Merchant


@receiver(pre_save, sender=Merchant, dispatch_uid="centre.merchant_jurisdiction")
def _route_shop(sender, instance, update_fields=None, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures carry the stored value
    jurisdiction.assign(instance)
    if update_fields is not None and "jurisdiction" not in update_fields:
        # A partial save of the fields routing reads must store the new answer too.
        routing = {"registered_address", "registered_district", "address_unreachable", "platform"}
        if routing & set(update_fields):
            Merchant.objects.filter(pk=instance.pk).update(jurisdiction=instance.jurisdiction)


@receiver(post_save, sender=PlatformSeat, dispatch_uid="centre.platform_seat_saved")
@receiver(post_delete, sender=PlatformSeat, dispatch_uid="centre.platform_seat_deleted")
def _reroute_platform(sender, instance, **kwargs):
    jurisdiction.reassign_platform(instance.platform)
