"""The demo's flagged complainants (complaints.demo_flags): two consumers file again about a finished
complaint's order, each filing raises a repeat flag, the officer cleared one with a note; loading twice adds
nothing."""

import pytest

from complaintdesk.centre.models import Flag, FlagReason
from complaintdesk.complaints import demo_flags
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_files_two_repeats_one_flag_open_one_cleared_and_loads_once(people):
    closed = factories.complaint(people.alice, people.acme, State.CLOSED, order_number="JD-7")
    withdrawn = factories.complaint(people.erin, people.bazaar, State.WITHDRAWN, order_number="TB-9")

    assert demo_flags.load(people.rita, [people.alice, people.erin]) == demo_flags.COMPLAINTS == 2

    open_flag = Flag.objects.get(complaint__consumer=people.alice, complaint__order_number="JD-7")
    assert (open_flag.reason, open_flag.evidence, open_flag.cleared_at) == (
        FlagReason.REPEAT,
        [closed.pk],
        None,
    )
    assert open_flag.complaint.description == closed.description and open_flag.complaint.channel == "web"
    cleared = Flag.objects.get(complaint__consumer=people.erin)
    assert (cleared.evidence, cleared.cleared_by) == ([withdrawn.pk], people.rita)
    assert cleared.raised_at == cleared.complaint.received_at < cleared.cleared_at
    assert cleared.note == demo_flags.REPEATS[1].clearing
    assert cleared.complaint.events.filter(action=EventKind.CLEAR_FLAG).count() == 1
    assert Complaint.objects.filter(state=State.SUBMITTED).count() == 2  # filed as any complaint

    assert demo_flags.load(people.rita, [people.alice, people.erin]) == 0
    assert Flag.objects.count() == 2
