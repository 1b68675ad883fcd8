"""Bureau scoping of every regulator-side read (SPEC §11, issue 14 item 1), without HTTP: a district
bureau's officer sees the shops in its charge and everything about them, and the complaints and matters its
bureau holds; nothing of another district's in any list, count or statistic. A city-level officer (or one
without a bureau) sees every bureau's, and may narrow to one.

The world (`bureau_world`): D1 has Acme, D2 has Bazaar; one of Acme's complaints was transferred to D2."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from complaintdesk.centre.jurisdiction import in_charge, shops_in_charge
from complaintdesk.centre.models import BureauLevel, CentreCase, FollowUpCall, Matter, MatterState
from complaintdesk.centre.tests.bureau_world import world_fixture  # noqa: F401 (the `world` fixture)
from complaintdesk.complaints import centre_queue, followup, services
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines import notices
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.notify import outbox
from complaintdesk.notify.models import USER, USER_DIGEST, OutboxMessage
from complaintdesk.promotions import queries as filing_queries
from complaintdesk.search import highlight
from complaintdesk.search import query as search
from complaintdesk.search.text import parse
from complaintdesk.stats import queries
from complaintdesk.stats.models import ALL_BUREAUS, ALL_SHOPS
from complaintdesk.stats.periods import Period
from complaintdesk.stats.scope import bureau_scope, bureaus_in_scope, shop_scope

pytestmark = pytest.mark.django_db


def this_year() -> Period:
    today = timezone.localdate()
    return Period(today.replace(month=1, day=1), today)


# ------------------------------------------------------------------------------------------------ shops


def test_a_district_officer_is_in_charge_of_its_district_shops_only(world):
    assert list(shops_in_charge(world.d1.officer)) == [world.d1.shop]
    assert list(shops_in_charge(world.d2.officer)) == [world.d2.shop]


def test_a_city_level_officer_and_one_without_a_bureau_are_in_charge_of_every_shop(world):
    for officer in (world.city_officer, world.rita):
        assert set(shops_in_charge(officer)) == {world.d1.shop, world.d2.shop}
        assert in_charge(officer, "merchant__") == in_charge(officer)  # no condition at all


# ------------------------------------------------------------------------------------------- statistics


def test_shop_scope_gives_a_district_officer_the_shops_in_its_charge(world):
    assert shop_scope(world.d1.officer) == frozenset({world.d1.shop.pk})
    assert shop_scope(world.d1.officer, world.d1.shop.pk) == world.d1.shop.pk
    with pytest.raises(Http404):
        shop_scope(world.d1.officer, world.d2.shop.pk)


def test_shop_scope_gives_a_city_level_officer_every_shop_or_the_one_asked_for(world):
    assert shop_scope(world.city_officer) == ALL_SHOPS
    assert shop_scope(world.city_officer, world.d2.shop.pk) == world.d2.shop.pk


def test_a_district_officers_figures_are_its_shops_summed(world):
    period = this_year()
    d1 = queries.summary(period, shop_scope(world.d1.officer))
    d2 = queries.summary(period, shop_scope(world.d2.officer))
    every = queries.summary(period, shop_scope(world.city_officer))
    # Acme's three complaints (the one transferred to D2 is still Acme's: the shop's figures are D1's).
    assert (d1["count"], d2["count"], every["count"]) == (3, 2, 5)
    assert d1["merchant"] is None
    first = d1["compliance"]["phases"]["first_response"]
    assert first["deadlines"] == 3
    assert every["compliance"]["phases"]["first_response"]["deadlines"] == 5
    by_shop = queries.breakdown(period, "shop", shop_scope(world.d1.officer))
    assert [r["key"] for r in by_shop["rows"]] == [str(world.d1.shop.pk)]
    points = queries.series(period, "month", shop_scope(world.d1.officer))["points"]
    assert sum(p["count"] for p in points) == 3


def test_several_shops_sum_to_what_each_shop_has(world):
    period = this_year()
    both = queries.summary(period, frozenset({world.d1.shop.pk, world.d2.shop.pk}))
    assert both["count"] == queries.summary(period, ALL_SHOPS)["count"]
    assert both["compliance"]["phases"] == queries.summary(period, ALL_SHOPS)["compliance"]["phases"]
    assert queries.summary(period, frozenset())["count"] == 0


def test_bureau_scope_gives_a_district_officer_its_own_bureau_only(world):
    assert bureau_scope(world.d1.officer) == world.d1.bureau.pk
    assert bureau_scope(world.d1.officer, world.d1.bureau.pk) == world.d1.bureau.pk
    for other in (world.d2.bureau.pk, world.city.pk, 999999):
        with pytest.raises(Http404):
            bureau_scope(world.d1.officer, other)
    assert list(bureaus_in_scope(world.d1.officer)) == [world.d1.bureau]


def test_bureau_scope_gives_a_city_level_officer_every_bureau_or_one(world):
    assert bureau_scope(world.city_officer) == ALL_BUREAUS
    assert bureau_scope(world.rita, world.d2.bureau.pk) == world.d2.bureau.pk
    with pytest.raises(Http404):
        bureau_scope(world.city_officer, 999999)
    assert list(bureaus_in_scope(world.city_officer)) == [world.city, world.d1.bureau, world.d2.bureau]
    assert list(bureaus_in_scope(world.city_officer, world.d1.bureau.pk)) == [world.d1.bureau]


# ---------------------------------------------------------------------------------------------- filings


def test_a_district_officer_sees_the_filings_of_its_shops_only(world):
    assert list(filing_queries.visible(world.d1.officer)) == [world.d1.filing]
    assert set(filing_queries.visible(world.city_officer)) == {world.d1.filing, world.d2.filing}
    assert list(filing_queries.visible(world.d2.staff)) == [world.d2.filing]  # a shop's own, as before


# ------------------------------------------------------------------------------------ the centre's queue


def queue_keys(viewer, **filters) -> set:
    rows = centre_queue.queue(centre_queue.Filters(**filters), viewer=viewer)
    return {("c", r["complaint_id"]) if r["complaint_id"] else ("m", r["matter_id"]) for r in rows}


def held(district) -> set:
    return {("c", district.escalated.pk), ("m", district.report.pk)}


def test_the_queue_of_a_district_officer_holds_what_its_bureau_holds(world):
    assert queue_keys(world.d1.officer) == held(world.d1)
    # The complaint of D1's shop transferred to D2 is in D2's queue, not D1's.
    assert queue_keys(world.d2.officer) == held(world.d2) | {("c", world.transferred.pk)}
    assert queue_keys(world.d1.officer, state="escalated") == {("c", world.d1.escalated.pk)}
    assert queue_keys(world.d2.officer, state="received") == {("m", world.d2.report.pk)}


def test_a_city_level_officer_sees_every_bureau_and_filters_by_one(world):
    every = held(world.d1) | held(world.d2) | {("c", world.transferred.pk)}
    assert queue_keys(world.city_officer) == queue_keys(world.rita) == every
    assert queue_keys(world.city_officer, bureau=world.d1.bureau.pk) == held(world.d1)
    assert queue_keys(world.city_officer, bureau=world.d2.bureau.pk, state="escalated") == {
        ("c", world.d2.escalated.pk),
        ("c", world.transferred.pk),
    }
    assert queue_keys(world.city_officer, bureau=world.city.pk) == set()


def test_a_district_officer_filtering_by_another_bureau_sees_nothing(world):
    assert queue_keys(world.d1.officer, bureau=world.d2.bureau.pk) == set()
    assert queue_keys(world.d1.officer, bureau=world.d2.bureau.pk, state="escalated") == set()
    assert queue_keys(world.d1.officer, bureau=world.d1.bureau.pk) == held(world.d1)


# -------------------------------------------------------------------------------------- follow-up calls


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def closed_this_week(world):
    """D1's and D2's complaints withdrawn, D1's report decided, now."""
    for district in (world.d1, world.d2):
        services.perform(district.complaint.pk, district.consumer, "withdraw", "Sorted it out myself.")
    Matter.objects.filter(pk=world.d1.report.pk).update(
        state=MatterState.NO_CASE, decided_at=timezone.now(), reason="No breach found."
    )


def test_the_follow_up_sample_of_a_district_is_drawn_from_its_own_closed_matters(world):
    closed_this_week(world)
    monday = this_monday()

    def found(bureau):
        return {(c.kind, c.item.pk) for c in followup.sample(monday, size=10, bureau=bureau)}

    assert found(world.d1.bureau.pk) == {("complaint", world.d1.complaint.pk), ("matter", world.d1.report.pk)}
    assert found(world.d2.bureau.pk) == {("complaint", world.d2.complaint.pk)}
    assert found(None) == found(world.d1.bureau.pk) | found(world.d2.bureau.pk)


def test_a_district_sees_the_calls_about_its_own_matters_only(world):
    now = timezone.now()
    for about in (
        {"complaint": world.d1.escalated},
        {"matter": world.d2.report},
        {"complaint": world.transferred},
    ):
        FollowUpCall.objects.create(officer=world.city_officer, called_at=now, outcome="satisfied", **about)
    monday = this_monday()

    def about(bureau):
        return {(c.complaint_id, c.matter_id) for c in followup.calls_in(monday, bureau)}

    assert about(world.d1.bureau.pk) == {(world.d1.escalated.pk, None)}
    assert about(world.d2.bureau.pk) == {(None, world.d2.report.pk), (world.transferred.pk, None)}
    assert len(about(None)) == 3


# --------------------------------------------------------------------------------------------- search


def test_a_district_officers_search_reads_the_matches_of_its_bureaus_complaints(world):
    def matches(district) -> set[int]:
        return set(search.ranked_ids(parse("parcel"), search.Scope.of(district.officer)))

    # D2 holds one of Acme's (D1's shop's) complaints, transferred to it: its words find it for D2, and no
    # longer for D1, in the index itself (the rows' scope names the bureau in charge).
    assert matches(world.d2) == {world.d2.complaint.pk, world.d2.escalated.pk, world.transferred.pk}
    assert matches(world.d1) == {world.d1.complaint.pk, world.d1.escalated.pk}
    # Its case deleted, the complaint is back in the charge of its shop's bureau, and found there.
    CentreCase.objects.filter(complaint=world.transferred).delete()
    assert world.transferred.pk in matches(world.d1)
    assert world.transferred.pk not in matches(world.d2)
    # D2's shop moves to D1's district: its complaint still with it follows; the one at the centre stays.
    world.d2.shop.registered_district = world.d1.bureau
    world.d2.shop.save()
    assert world.d2.complaint.pk in matches(world.d1)
    assert matches(world.d2) == {world.d2.escalated.pk}


def test_a_search_finds_what_the_officer_sees(world):
    def found(officer):
        matches = search.matching(visible_complaints(officer), "parcel", search.Scope.of(officer))
        return set(matches.values_list("pk", flat=True))

    assert found(world.d1.officer) == {world.d1.complaint.pk, world.d1.escalated.pk}
    assert found(world.d2.officer) == {world.d2.complaint.pk, world.d2.escalated.pk, world.transferred.pk}
    assert len(found(world.city_officer)) == 5
    assert search.Scope.of(world.city_officer) == search.Scope()


def test_a_district_officers_search_is_ranked_and_highlighted_as_anyones(world):
    def filed(district, description):
        return factories.complaint(district.consumer, district.shop, description=description)

    once = filed(
        world.d2, "快递外箱破损，台灯灯罩碎了，另外充电宝有一点鼓包，客服让我先拍照再说，一个星期了没有答复。"
    )
    thrice = filed(world.d2, "电池鼓包！鼓包越来越大，鼓包的地方很烫。")
    elsewhere = filed(world.d1, "电池鼓包了。")
    officer = world.d2.officer
    found = list(search.matching(visible_complaints(officer), "鼓包", search.Scope.of(officer)))
    assert found == [thrice, once]
    city = search.matching(
        visible_complaints(world.city_officer), "鼓包", search.Scope.of(world.city_officer)
    )
    assert [c for c in city if c != elsewhere] == found
    assert "<mark>鼓包</mark>" in highlight.excerpt([found[0].description], "鼓包")


# ------------------------------------------------------------------------------------------- who hears


def officers_told(targets) -> set[str]:
    return {target for kind, target, _channel in targets if kind in (USER, USER_DIGEST)}


def test_a_districts_news_reaches_its_own_officers_and_the_city_levels_only(world):
    city_level = {str(world.city_officer.pk), str(world.rita.pk)}
    assert officers_told(outbox.officer_targets(world.d1.bureau.pk)) == city_level | {
        str(world.d1.officer.pk)
    }
    assert officers_told(outbox.officer_targets(world.d2.bureau.pk)) == city_level | {
        str(world.d2.officer.pk)
    }
    assert officers_told(outbox.officer_targets(world.city.pk)) == city_level
    assert officers_told(outbox.officer_targets()) == city_level
    assert outbox.DISTRICT == BureauLevel.DISTRICT


def test_an_alert_about_a_shop_reaches_the_officers_in_charge_of_it(world):
    told = set(
        OutboxMessage.objects.filter(dedupe_key=f"alert:{world.d2.alert.pk}", kind=USER).values_list(
            "target", flat=True
        )
    )
    assert str(world.d2.officer.pk) in told and str(world.city_officer.pk) in told
    assert str(world.d1.officer.pk) not in told


def test_a_centre_duty_of_a_transferred_complaint_reaches_the_receiving_bureau(world):
    duty = Deadline.objects.get(complaint=world.transferred, phase=Phase.ACCEPTANCE)
    notices.centre_reminder(duty, {})
    notices.centre_breach(duty, {})
    report_duty = Deadline.objects.get(matter=world.d1.report)
    notices.centre_reminder(report_duty, {})
    for key, district, other in (
        (f"reminder:{duty.pk}", world.d2, world.d1),
        (f"breach:{duty.pk}", world.d2, world.d1),
        (f"reminder:{report_duty.pk}", world.d1, world.d2),
    ):
        told = set(OutboxMessage.objects.filter(dedupe_key=key, kind=USER).values_list("target", flat=True))
        assert str(district.officer.pk) in told and str(world.city_officer.pk) in told, key
        assert str(other.officer.pk) not in told, key
