"""Each bureau counts its duties on its own working calendar (SPEC §10–§11): its working hours on the Chinese
statutory calendar, the centre's Monday–Friday 09:00–18:00 when it has none. A duty starts on the calendar of
the bureau that receives the matter, a recomputation moves each running duty on its bureau's calendar, and a
bureau's change of its hours moves its own running duties at once."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaintdesk.centre import duties, matters
from complaintdesk.centre.matters import Filing
from complaintdesk.centre.models import Bureau, MatterKind
from complaintdesk.centre.tests import bureaus
from complaintdesk.centre.tests.bureaus import MONDAY_TO_SATURDAY, MORNINGS, at
from complaintdesk.complaints import services
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.deadlines.recompute import recompute_open_deadlines
from complaintdesk.stats.centre_rollups import WorkingDays

pytestmark = pytest.mark.django_db

# SPEC §11: a complaint transferred on Monday 2026-10-12 at 10:00 is received by the district then; on the
# centre's calendar its seven working days end on Wednesday 2026-10-21 at 18:00 (SPEC §10's rule).
RECEIPT = at(2026, 10, 12, 10)


@pytest.fixture
def city(people):
    return bureaus.build(people)


def acceptance_due(bureau):
    version = duties.version_on(RECEIPT.date())
    return duties.due(version, Phase.ACCEPTANCE, RECEIPT, bureau).due_at


def test_a_bureau_without_hours_of_its_own_works_the_centres(city):
    assert acceptance_due(city.huangpu) == acceptance_due(None) == at(2026, 10, 21, 18)


@pytest.mark.parametrize(
    ("hours", "due"),
    [
        (MONDAY_TO_SATURDAY, at(2026, 10, 20, 18)),  # Saturday the 17th is a working day there
        (MORNINGS, at(2026, 10, 21, 12)),  # the 7th working day ends at noon
    ],
)
def test_a_bureau_with_other_hours_gets_another_due_time_for_the_same_receipt(city, hours, due):
    city.pudong.service_hours = hours
    city.pudong.save()
    assert acceptance_due(city.pudong) == due
    assert acceptance_due(city.huangpu) == at(2026, 10, 21, 18)


def test_a_complaint_reaching_a_bureau_is_due_on_its_calendar(city):
    city.huangpu.service_hours = MONDAY_TO_SATURDAY
    city.huangpu.save()
    with time_machine.travel(RECEIPT, tick=False):
        c = services.file_complaint(city.rita, factories.new_complaint(city.acme, for_centre=True))
    assert c.centre_case.bureau == city.huangpu
    assert Deadline.objects.get(complaint=c, phase=Phase.ACCEPTANCE).due_at == at(2026, 10, 20, 18)


def test_a_report_reaching_a_bureau_is_due_on_its_calendar(city):
    city.pudong.service_hours = MORNINGS
    city.pudong.save()
    with time_machine.travel(RECEIPT, tick=False):
        report = matters.file(
            None,
            Filing(
                kind=MatterKind.REPORT,
                text="Fake chargers.",
                merchant=city.bazaar.pk,
                contact_phone="12345678",
            ),
        )
    assert report.bureau == city.pudong
    # 15 working days from Monday 2026-10-12, in the mornings: Monday 2026-11-02 at noon.
    assert matters.duty_of(report).due_at == at(2026, 11, 2, 12)


def test_a_change_of_a_bureaus_hours_moves_its_running_duties_only(city):
    with time_machine.travel(RECEIPT, tick=False):
        at_huangpu = services.file_complaint(city.rita, factories.new_complaint(city.acme, for_centre=True))
        at_pudong = services.file_complaint(city.rita, factories.new_complaint(city.bazaar, for_centre=True))
    city.pudong.service_hours = MONDAY_TO_SATURDAY
    city.pudong.save()
    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        moved = recompute_open_deadlines(city.rita, "Pudong works on Saturdays", bureau_id=city.pudong.pk)
    assert moved == 1
    due = {
        c: Deadline.objects.get(complaint=c, phase=Phase.ACCEPTANCE).due_at for c in (at_huangpu, at_pudong)
    }
    assert due == {at_huangpu: at(2026, 10, 21, 18), at_pudong: at(2026, 10, 20, 18)}
    event = at_pudong.events.order_by("-id").first()
    assert (event.action, event.message) == ("recompute_deadlines", "Pudong works on Saturdays")
    assert at_huangpu.events.filter(action="recompute_deadlines").count() == 0


def test_a_recomputation_keeps_each_running_duty_on_its_bureaus_calendar(city):
    city.pudong.service_hours = MONDAY_TO_SATURDAY
    city.pudong.save()
    with time_machine.travel(RECEIPT, tick=False):
        at_huangpu = services.file_complaint(city.rita, factories.new_complaint(city.acme, for_centre=True))
        at_pudong = services.file_complaint(city.rita, factories.new_complaint(city.bazaar, for_centre=True))
        report = matters.file(
            None,
            Filing(
                kind=MatterKind.REPORT,
                text="Fake chargers.",
                merchant=city.bazaar.pk,
                contact_phone="12345678",
            ),
        )
    before = {
        d.pk: d.due_at for d in Deadline.objects.filter(phase__in=[Phase.ACCEPTANCE, Phase.REPORT_DECISION])
    }
    # Stored wrong, as if counted on the centre's calendar: a recomputation puts each back on its bureau's.
    Deadline.objects.filter(complaint=at_pudong, phase=Phase.ACCEPTANCE).update(due_at=at(2026, 10, 21, 18))
    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        recompute_open_deadlines(city.rita, "calendar corrected")
    after = {
        d.pk: d.due_at for d in Deadline.objects.filter(phase__in=[Phase.ACCEPTANCE, Phase.REPORT_DECISION])
    }
    assert after == before
    assert Deadline.objects.get(complaint=at_pudong, phase=Phase.ACCEPTANCE).due_at == at(2026, 10, 20, 18)
    assert matters.duty_of(report).due_at == at(2026, 10, 29, 18)  # 15 working days, Saturdays too
    assert at_huangpu.events.filter(action="recompute_deadlines").count() == 0


def test_the_working_days_of_the_figures_count_on_the_bureaus_calendar(city):
    city.pudong.service_hours = MONDAY_TO_SATURDAY
    city.pudong.save()
    # From Friday 2026-10-16 to Monday 2026-10-19: one working day at Huangpu, two at Pudong (the Saturday).
    start, end = at(2026, 10, 16, 10), at(2026, 10, 19, 10)
    assert WorkingDays(bureau=city.huangpu.pk).between(start, end) == 1
    assert WorkingDays(bureau=city.pudong.pk).between(start, end) == 2


@pytest.mark.parametrize("hours", [{"7": [["09:00", "18:00"]]}, {"0": [["18:00", "09:00"]]}, ["09:00"]])
def test_a_bureau_with_hours_that_cannot_be_counted_is_refused_on_its_field(city, hours):
    city.huangpu.service_hours = hours
    with pytest.raises(ValidationError) as refused:
        city.huangpu.full_clean()
    assert "service_hours" in refused.value.message_dict
    assert Bureau.objects.get(pk=city.huangpu.pk).service_hours == {}
