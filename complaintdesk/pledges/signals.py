"""Keep each pledge tag's copy of its complaint's bureau in charge (`ComplaintCommitment.bureau`) in step
with the complaint's, however it changes (`centre.jurisdiction`: routing, a transfer, a shop re-routed, a
case deleted), in the same transaction."""

from django.dispatch import receiver

from complaintdesk.centre.jurisdiction import complaints_moved
from complaintdesk.pledges import services


@receiver(complaints_moved, dispatch_uid="pledges.tags_follow_bureau")
def _tags_follow(sender, complaints, **kwargs):
    services.follow_bureau(complaints)
