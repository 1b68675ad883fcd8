"""Which hours and zone were in force when: a change of working time applies to complaints received after
it, so the shop's history answers for complaints received before (`Merchant.working_time_at`)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintdesk.merchants import profile
from complaintdesk.merchants.models import Merchant, ServiceInfoRevision

SH = ZoneInfo("Asia/Shanghai")
DEFAULT = {str(d): [["09:00", "18:00"]] for d in range(5)}
MORNINGS = {str(d): [["09:00", "13:00"]] for d in range(5)}
EVENINGS = {str(d): [["14:00", "22:00"]] for d in range(1, 6)}
T1 = datetime(2026, 6, 3, 10, tzinfo=SH)
T2 = datetime(2026, 6, 10, 10, tzinfo=SH)
T3 = datetime(2026, 6, 17, 10, tzinfo=SH)


def _acme() -> Merchant:
    return Merchant.objects.get(name="Acme Online")


@pytest.mark.django_db
def test_a_shop_that_never_changed_its_working_time_answers_from_its_row_without_a_query(
    people, django_assert_num_queries
):
    profile.publish_service_info(people.acme.pk, people.carol, {"service_phone": "400-820-8820"})
    acme = _acme()
    assert acme.working_time_since is None  # contacts are no working time
    with django_assert_num_queries(0):
        assert acme.working_time_at(T1 - timedelta(days=365)) == (DEFAULT, "Asia/Shanghai")


@pytest.mark.django_db
def test_each_change_applies_from_its_instant_and_the_history_answers_before(people):
    with time_machine.travel(T1, tick=False):
        profile.publish_service_info(
            people.acme.pk, people.carol, {"service_phone": "400-820-8820", "service_hours": MORNINGS}
        )
    with time_machine.travel(T2, tick=False):
        acme = _acme()
        acme.time_zone = "Asia/Urumqi"
        acme.save()
        profile.record_revision(acme, people.rita, ["time_zone"])
    with time_machine.travel(T3, tick=False):
        profile.publish_service_info(people.acme.pk, people.carol, {"service_hours": EVENINGS})

    acme = _acme()
    assert acme.working_time_since == T3
    assert [acme.working_time_at(t) for t in (T1 - timedelta(minutes=1), T1, T2, T3, None)] == [
        (DEFAULT, "Asia/Shanghai"),  # the hours the shop was created with, kept at its first change
        (MORNINGS, "Asia/Shanghai"),
        (MORNINGS, "Asia/Urumqi"),
        (EVENINGS, "Asia/Urumqi"),
        (EVENINGS, "Asia/Urumqi"),
    ]
    assert list(ServiceInfoRevision.objects.order_by("id").values_list("changed_fields", "changed_by")) == [
        ([], None),
        (["service_hours", "service_phone"], people.carol.pk),
        (["time_zone"], people.rita.pk),
        (["service_hours"], people.carol.pk),
    ]
