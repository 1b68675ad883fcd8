"""Keep each search row's scope in step with its complaint's bureau in charge, however it changes
(`centre.jurisdiction`: routing, a transfer, a shop re-routed, a case deleted), in the same transaction."""

from django.dispatch import receiver

from complaintdesk.centre.jurisdiction import complaints_moved
from complaintdesk.search import index


@receiver(complaints_moved, dispatch_uid="search.scope_follows_bureau")
def _scope_follows(sender, complaints, **kwargs):
    index.complaints_moved(complaints)
