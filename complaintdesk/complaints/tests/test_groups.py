"""Group complaints (集体投诉, SPEC §11) without HTTP: opening (by hand, from a mass-incident alert), joining,
the shop's one answer fanned out to every member with their deadlines met, the standing answer for a later
joiner, each member's own accept or dispute, the centre's statement and closing, and every refusal changing
nothing."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from complaintdesk.accounts.models import Role, User
from complaintdesk.alerts import services as alerts
from complaintdesk.alerts.models import AlertKind
from complaintdesk.centre.models import Bureau, BureauLevel
from complaintdesk.complaints import group_figures, groups, labels, services
from complaintdesk.complaints.choices import EventKind, State
from complaintdesk.complaints.lifecycle import ActionForbidden
from complaintdesk.complaints.models import Complaint, ComplaintEvent, ComplaintGroup, GroupPost
from complaintdesk.complaints.tests import factories
from complaintdesk.deadlines.models import Deadline, Phase
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.notify.models import OutboxMessage

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday morning of working time: the shop's first response is due within hours.
FILED = datetime(2026, 10, 13, 10, 0, tzinfo=SH)
ANSWERED = datetime(2026, 10, 13, 10, 30, tzinfo=SH)
pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(people):
    """Acme's complaints by Alice and Erin (the same broken kettle), Frank and Gina to join later."""
    people.frank = User.objects.create(username="frank", role=Role.CONSUMER, first_name="Frank")
    people.gina = User.objects.create(username="gina", role=Role.CONSUMER, first_name="Gina")
    with time_machine.travel(FILED, tick=False):
        people.first = factories.complaint(people.alice, people.acme, order_number="AC-1001", category="quality",
                                           kind="quality_issue", product="Kettle K1")  # fmt: skip
        people.second = factories.complaint(people.erin, people.acme, order_number="AC-1002", category="quality",
                                            kind="quality_issue", product="Kettle K1")  # fmt: skip
    return people


def opened(desk, **extra) -> ComplaintGroup:
    with time_machine.travel(FILED, tick=False):
        return groups.open_group(
            desk.rita,
            product="Kettle K1",
            problem="The kettle stops heating after a week.",
            complaints=[desk.first.pk, desk.second],
            **extra,
        )


def state() -> tuple:
    """What a refused call must leave as it was."""
    return (
        ComplaintGroup.objects.count(),
        GroupPost.objects.count(),
        sorted(Complaint.objects.values_list("pk", "group_id", "state")),
        ComplaintEvent.objects.count(),
    )


def district(name="Xuhui District Bureau") -> Bureau:
    return Bureau.objects.create(
        name_zh=name, name_en=name, level=BureauLevel.DISTRICT, parent=Bureau.city_centre()
    )


# ------------------------------------------------------------------------------------------------ opening


def test_an_officer_opens_a_group_of_one_shops_complaints(desk):
    group = opened(desk)

    assert (group.merchant, group.state, group.opened_by) == (desk.acme, "open", desk.rita)
    assert group.bureau == Bureau.city_centre()  # Acme has no registered district
    assert set(group.members.values_list("pk", flat=True)) == {desk.first.pk, desk.second.pk}
    for member in (desk.first, desk.second):
        event = member.events.get(action=EventKind.JOIN_GROUP)
        assert (event.actor, event.data["group"]) == (desk.rita, group.pk)
    assert groups.public_view(group) | {"timeline": None} == groups.public_view(group.pk) | {"timeline": None}


def test_a_group_across_two_shops_is_refused_and_nothing_changes(desk):
    other = factories.complaint(desk.erin, desk.bazaar, order_number="BZ-1")
    before = state()

    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, product="Kettle", problem="Broken", complaints=[desk.first.pk, other.pk])

    assert refused.value.field == "complaints"
    assert state() == before


@pytest.mark.parametrize("missing", ["product", "problem"])
def test_a_group_needs_a_product_and_a_problem(desk, missing):
    words = {"product": "Kettle K1", "problem": "Stops heating.", missing: "   "}
    before = state()

    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, complaints=[desk.first.pk], **words)

    assert refused.value.field == missing
    assert state() == before


def test_a_group_needs_complaints_or_an_alert(desk):
    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, product="Kettle", problem="Broken")
    assert refused.value.field == "complaints"


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_only_an_officer_opens_a_group(desk, who):
    before = state()
    with pytest.raises(ActionForbidden):
        groups.open_group(getattr(desk, who), product="Kettle", problem="Broken", complaints=[desk.first.pk])
    assert state() == before


def test_a_complaint_is_in_one_group_only(desk):
    opened(desk)
    before = state()
    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, product="Kettle", problem="Again", complaints=[desk.first.pk])
    assert refused.value.field == "complaints" and desk.first.reference in refused.value.reason
    assert state() == before


def test_an_unknown_complaint_is_not_found(desk):
    with pytest.raises(Http404):
        groups.open_group(desk.rita, product="Kettle", problem="Broken", complaints=[desk.first.pk, 987654])
    assert not ComplaintGroup.objects.exists()


def mass_incident(desk, complaints):
    alert, _ = alerts.raise_alert(
        AlertKind.MASS_INCIDENT, desk.acme, "product:kettle k1:1", "Mass-incident risk at Acme",
        complaints=[c.pk for c in complaints], facts={"pattern": "product", "value": "Kettle K1"},
        details={"pattern": "product", "value": "Kettle K1", "sample": "The kettle stops heating."},
    )  # fmt: skip
    return alert


def test_a_group_opened_from_a_mass_incident_alert_takes_its_shop_and_complaints(desk):
    alert = mass_incident(desk, [desk.first, desk.second])

    suggested = groups.suggested_from_alert(alert)
    group = groups.open_group(desk.rita, alert=alert.pk, **suggested)

    assert suggested == {"product": "Kettle K1", "problem": "The kettle stops heating."}
    assert (group.merchant, group.alert) == (desk.acme, alert)
    assert set(group.members.values_list("pk", flat=True)) == {desk.first.pk, desk.second.pk}
    # One open group per alert: a second is refused, nothing changes.
    before = state()
    with pytest.raises(Conflict):
        groups.open_group(desk.rita, alert=alert, product="Kettle", problem="Again")
    assert state() == before


def test_an_alert_of_another_shop_than_the_picked_complaints_is_refused(desk):
    other = factories.complaint(desk.erin, desk.bazaar, order_number="BZ-1")
    alert = mass_incident(desk, [desk.first])
    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, alert=alert, complaints=[other], product="Kettle", problem="Broken")
    assert refused.value.field == "complaints"
    assert not ComplaintGroup.objects.exists()


def test_a_surge_alert_opens_no_group(desk):
    alert, _ = alerts.raise_alert(
        AlertKind.SURGE, desk.acme, "surge-1", "Surge at Acme", complaints=[desk.first.pk]
    )
    with pytest.raises(FieldError) as refused:
        groups.open_group(desk.rita, alert=alert, product="Kettle", problem="Broken")
    assert refused.value.field == "alert"
    assert not ComplaintGroup.objects.exists()


def test_a_district_officer_opens_groups_for_the_shops_in_its_charge_only(desk):
    mine, theirs = district("Huangpu"), district("Jing'an")
    desk.acme.registered_address, desk.acme.registered_district = "1 Nanjing Road", mine
    desk.acme.save()
    outsider = User.objects.create(username="officer-j", role=Role.REGULATOR, bureau=theirs)
    insider = User.objects.create(username="officer-h", role=Role.REGULATOR, bureau=mine)
    alert = mass_incident(desk, [desk.first])

    for refused_by in ({"complaints": [desk.first.pk]}, {"alert": alert.pk}, {"merchant": desk.acme}):
        with pytest.raises(Http404):
            groups.open_group(outsider, product="Kettle", problem="Broken", **refused_by)
    assert not ComplaintGroup.objects.exists()

    # Another bureau's alert or shop beside its own complaint: not found, before the shops are compared.
    elsewhere, _ = alerts.raise_alert(AlertKind.MASS_INCIDENT, desk.bazaar, "product:x:1", "Mass at Bazaar")
    for theirs_too in ({"alert": elsewhere.pk}, {"merchant": desk.bazaar.pk}):
        with pytest.raises(Http404):
            groups.open_group(
                insider, product="Kettle", problem="Broken", complaints=[desk.first.pk], **theirs_too
            )

    group = groups.open_group(insider, product="Kettle", problem="Broken", complaints=[desk.first.pk])
    assert group.bureau == mine
    assert list(groups.visible_groups(insider)) == [group]
    assert list(groups.visible_groups(outsider)) == []
    assert list(groups.visible_groups(desk.rita)) == [group]  # city level: every bureau's
    with pytest.raises(Http404):
        groups.close(group, outsider)
    with pytest.raises(Http404):
        groups.post_statement(group, outsider, message="We are on it.")


# ------------------------------------------------------------------------------------------------ joining


def test_a_consumer_joins_with_their_own_order(desk):
    group = opened(desk)
    with time_machine.travel(ANSWERED, tick=False):
        joined = groups.join(
            group, desk.frank, order_number="AC-2001", amount=Decimal("199.00"), order_date=FILED.date(),
            wanted_outcome="replacement",
        )  # fmt: skip

    joined.refresh_from_db()
    assert (joined.consumer, joined.merchant, joined.group) == (desk.frank, desk.acme, group)
    assert (joined.product, joined.description) == ("Kettle K1", group.problem)
    assert (joined.category.code, joined.kind, joined.state) == ("quality", "quality_issue", State.SUBMITTED)
    assert (joined.order_number, joined.amount, joined.wanted_outcome) == (
        "AC-2001",
        Decimal("199.00"),
        "replacement",
    )
    assert joined.deadlines.filter(phase=Phase.FIRST_RESPONSE).exists()  # filed as any complaint is
    assert [e.action for e in joined.events.all()] == [EventKind.SUBMIT, EventKind.JOIN_GROUP]
    assert OutboxMessage.objects.filter(event="complaint_filed", payload__complaint=joined.pk).exists()
    assert groups.figures(group)["members"] == 3
    assert list(groups.visible_groups(desk.frank)) == [group]
    assert list(groups.visible_groups(desk.gina)) == []


def test_a_joiner_may_say_it_in_their_own_words(desk):
    group = opened(desk)
    joined = groups.join(group, desk.frank, order_number="AC-2001", description="  Mine sparked too.  ")
    assert joined.description == "Mine sparked too."
    assert joined.wanted_outcome == desk.first.wanted_outcome  # the first member's, when not given


def test_joining_a_closed_group_is_refused(desk):
    group = opened(desk)
    groups.close(group, desk.rita)
    before = state()
    with pytest.raises(Conflict):
        groups.join(group, desk.frank, order_number="AC-2001")
    assert state() == before


def test_joining_twice_is_refused(desk):
    group = opened(desk)
    groups.join(group, desk.frank, order_number="AC-2001")
    before = state()
    with pytest.raises(Conflict):
        groups.join(group, desk.frank, order_number="AC-2002")
    with pytest.raises(Conflict):  # a member from the start joins no more either
        groups.join(group, desk.alice, order_number="AC-2003")
    assert state() == before


def test_an_order_number_already_in_the_group_is_refused(desk):
    group = opened(desk)
    before = state()
    with pytest.raises(FieldError) as refused:
        groups.join(group, desk.frank, order_number=" ac-1001 ")  # Alice's, in other case
    assert refused.value.field == "order_number"
    assert "alice" not in refused.value.reason.lower()
    assert state() == before


@pytest.mark.parametrize(
    ("words", "field"),
    [({"order_number": "  "}, "order_number"), ({"order_number": "X" * 65}, "order_number"),
     ({"order_number": "AC-9", "wanted_outcome": "nothing"}, "wanted_outcome")],
)  # fmt: skip
def test_bad_joins_name_their_field(desk, words, field):
    group = opened(desk)
    before = state()
    with pytest.raises(FieldError) as refused:
        groups.join(group, desk.frank, **words)
    assert refused.value.field == field
    assert state() == before


@pytest.mark.parametrize("who", ["bob", "rita"])
def test_only_a_consumer_joins(desk, who):
    group = opened(desk)
    before = state()
    with pytest.raises(ActionForbidden):
        groups.join(group, getattr(desk, who), order_number="AC-2001")
    assert state() == before


def test_an_unknown_group_is_not_found(desk):
    with pytest.raises(Http404):
        groups.join(987654, desk.frank, order_number="AC-2001")
    with pytest.raises(Http404):
        groups.public_view(987654)


def test_the_filing_check_runs_last(desk):
    """The rate limit (`before_filing`) counts only a join that passed every check."""
    group = opened(desk)
    calls = []
    with pytest.raises(FieldError):
        groups.join(group, desk.frank, order_number="AC-1001", before_filing=lambda: calls.append(1))
    groups.join(group, desk.frank, order_number="AC-2001", before_filing=lambda: calls.append(1))
    assert calls == [1]


# -------------------------------------------------------------------------------------------- answering


def test_the_shops_answer_reaches_every_member_in_time(desk):
    group = opened(desk)
    with time_machine.travel(ANSWERED, tick=False):
        post = groups.answer(
            group, desk.bob, message="We replace every K1 kettle.", resolution_type="replacement",
            resolution_text="A new kettle within 3 days.",
        )  # fmt: skip

    assert (post.side, post.author, post.created_at) == ("shop", desk.bob, ANSWERED)
    assert sorted(post.fan_out.answered) == sorted([desk.first.pk, desk.second.pk])
    assert post.fan_out.skipped == []
    for member in (desk.first, desk.second):
        member.refresh_from_db()
        assert (member.state, member.resolution_type) == (State.RESOLUTION_PROPOSED, "replacement")
        assert member.resolution_text == "A new kettle within 3 days."
        step = member.events.get(action="propose_resolution")
        assert (step.actor, step.message, step.created_at) == (desk.bob, post.message, ANSWERED)
        assert member.events.get(action=EventKind.GROUP_ANSWER).data == {
            "group": group.pk, "post": post.pk, "step": "propose_resolution"
        }  # fmt: skip
        for phase in (Phase.FIRST_RESPONSE, Phase.REPLY):  # a quality issue: both, as one by one
            deadline = Deadline.objects.get(complaint=member, phase=phase)
            assert deadline.met_at == ANSWERED and deadline.was_met_in_time
        # The consumer is told as for any proposal of the shop's.
        assert OutboxMessage.objects.filter(
            event="complaint_propose_resolution", payload__complaint=member.pk, target=str(member.consumer_id)
        ).exists()
    view = groups.public_view(group)
    assert (view["members"], view["answered"], view["accepted"]) == (2, 2, 0)
    assert view["timeline"] == [{
        "side": "shop", "message": "We replace every K1 kettle.", "resolution_type": "replacement",
        "resolution_text": "A new kettle within 3 days.", "posted_at": ANSWERED,
    }]  # fmt: skip


def test_an_answer_without_a_resolution_is_a_reply(desk):
    group = opened(desk)
    post = groups.answer(group, desk.carol, message="We are testing the batch and will write again.")
    assert len(post.fan_out.answered) == 2
    for member in (desk.first, desk.second):
        member.refresh_from_db()
        assert member.state == State.RESPONDED
        assert member.events.filter(action="reply", actor=desk.carol).exists()


def test_members_that_cannot_take_the_answer_are_skipped(desk):
    group = opened(desk)
    services.perform(desk.second.pk, desk.erin, "withdraw")
    events_before = ComplaintEvent.objects.filter(complaint=desk.second).count()

    post = groups.answer(group, desk.bob, message="Refund for all.", resolution_type="refund")

    assert (post.fan_out.answered, post.fan_out.skipped) == ([desk.first.pk], [desk.second.pk])
    desk.second.refresh_from_db()
    assert desk.second.state == State.WITHDRAWN
    assert ComplaintEvent.objects.filter(complaint=desk.second).count() == events_before
    assert groups.figures(group) == {"members": 2, "answered": 1, "accepted": 0}


def test_a_later_joiner_gets_the_standing_answer(desk):
    group = opened(desk)
    with time_machine.travel(ANSWERED, tick=False):
        groups.answer(
            group, desk.bob, message="Refund for all.", resolution_type="refund", resolution_text="Full"
        )
    later = datetime(2026, 10, 14, 9, 0, tzinfo=SH)
    with time_machine.travel(later, tick=False):
        joined = groups.join(group, desk.frank, order_number="AC-3001")

    joined.refresh_from_db()
    assert (joined.state, joined.resolution_type, joined.resolution_text) == (
        State.RESOLUTION_PROPOSED, "refund", "Full",
    )  # fmt: skip
    assert [e.action for e in joined.events.all()] == [
        EventKind.SUBMIT, EventKind.JOIN_GROUP, "propose_resolution", EventKind.GROUP_ANSWER,
    ]  # fmt: skip
    first_response = Deadline.objects.get(complaint=joined, phase=Phase.FIRST_RESPONSE)
    assert first_response.met_at == later and first_response.was_met_in_time
    assert groups.figures(group) == {"members": 3, "answered": 3, "accepted": 0}


def test_each_member_accepts_or_disputes_alone(desk):
    group = opened(desk)
    groups.answer(group, desk.bob, message="Refund for all.", resolution_type="refund")

    services.perform(desk.first.pk, desk.alice, "accept")
    services.perform(desk.second.pk, desk.erin, "dispute", "The refund leaves out shipping.")

    desk.first.refresh_from_db()
    desk.second.refresh_from_db()
    assert (desk.first.state, desk.second.state) == (State.RESOLVED, State.DISPUTED)
    assert groups.figures(group) == {"members": 2, "answered": 2, "accepted": 1}
    # An accepted complaint the centre closes later still counts as accepted.
    services.perform(desk.first.pk, desk.rita, "close", "Done.")
    assert groups.public_view(group)["accepted"] == 1


def test_another_shop_cannot_answer_the_group(desk):
    group = opened(desk)
    before = state()
    with pytest.raises(Http404):
        groups.answer(group, desk.dave, message="Not ours.")
    assert state() == before


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_only_the_shop_answers(desk, who):
    group = opened(desk)
    before = state()
    with pytest.raises(ActionForbidden):
        groups.answer(group, getattr(desk, who), message="Hello.")
    assert state() == before


@pytest.mark.parametrize(
    ("words", "field"),
    [({"message": " "}, "message"), ({"message": "x" * 5001}, "message"),
     ({"message": "Hi", "resolution_type": "gift"}, "resolution_type"),
     ({"message": "Hi", "resolution_text": "A gift"}, "resolution_type")],
)  # fmt: skip
def test_a_bad_answer_names_its_field(desk, words, field):
    group = opened(desk)
    before = state()
    with pytest.raises(FieldError) as refused:
        groups.answer(group, desk.bob, **words)
    assert refused.value.field == field
    assert state() == before


# --------------------------------------------------------------------------------------- the centre's part


def test_the_centre_posts_a_statement_and_closes_the_group(desk):
    group = opened(desk)
    with time_machine.travel(ANSWERED, tick=False):
        statement = groups.post_statement(group, desk.rita, message="The centre is testing the kettles.")
        closed = groups.close(group, desk.rita)

    assert (statement.side, statement.created_at) == ("centre", ANSWERED)
    assert (closed.state, closed.closed_at) == ("closed", ANSWERED)
    view = groups.public_view(group.pk)
    assert (view["state"], [p["side"] for p in view["timeline"]]) == ("closed", ["centre"])
    with pytest.raises(Conflict):
        groups.close(group, desk.rita)
    with pytest.raises(ActionForbidden):
        groups.post_statement(group, desk.bob, message="Hi")
    with pytest.raises(FieldError):
        groups.post_statement(group, desk.rita, message="")


def test_the_public_view_holds_no_personal_data(desk):
    for user in (desk.alice, desk.erin):
        user.first_name, user.phone = f"{user.username.title()}name", "13900001111"
        user.save()
    group = opened(desk)
    groups.join(group, desk.frank, order_number="AC-2001")
    groups.answer(group, desk.bob, message="Refund for all.", resolution_type="refund")

    text = repr(groups.public_view(group))

    for secret in ("alice", "erin", "frank", "bob", "Alicename", "13900001111", "AC-1001", "AC-2001",
                   desk.first.reference):  # fmt: skip
        assert secret.lower() not in text.lower()
    assert set(groups.public_view(group)) == {
        "id", "shop", "product", "problem", "state", "opened_at", "closed_at", "members", "answered",
        "accepted", "timeline",
    }  # fmt: skip


def test_a_shops_groups_for_its_scorecard(desk):
    group = opened(desk)
    assert [(g.pk, g.member_count) for g in groups.groups_of_shop(desk.acme)] == [(group.pk, 2)]
    assert list(groups.groups_of_shop(desk.bazaar.pk)) == []
    assert list(groups.visible_groups(desk.bob)) == [group]
    assert list(groups.visible_groups(desk.dave)) == []


def test_the_group_events_have_names_for_the_timeline():
    for kind in (EventKind.JOIN_GROUP, EventKind.GROUP_ANSWER):
        assert labels.timeline_label(kind) == str(labels.ACTION_LABELS[kind])


# --------------------------------------------------------------------------------- figures on the row
# Kept by the writes that change them (`group_figures`, issue 15): after each such write they equal the
# count from the members' events, which a list of groups no longer reads.


def kept(group) -> tuple[int, int, int]:
    return tuple(
        ComplaintGroup.objects.filter(pk=group.pk)
        .values_list("member_count", "answered_count", "accepted_count")
        .get()
    )


def recounted(group) -> tuple[int, int, int]:
    """The figures counted again from the members' events, the row left as it was."""
    before = kept(group)
    group_figures.recount(ComplaintGroup.objects.filter(pk=group.pk))
    found = kept(group)
    ComplaintGroup.objects.filter(pk=group.pk).update(
        member_count=before[0], answered_count=before[1], accepted_count=before[2]
    )
    return found


def test_the_kept_figures_equal_the_count_from_the_events_after_each_change(desk):
    # Alice accepted the shop's proposal before her complaint was grouped: she counts from the opening.
    services.perform(
        desk.first.pk, desk.bob, "propose_resolution", "A refund.", {"type": "refund", "details": ""}
    )
    services.perform(desk.first.pk, desk.alice, "accept")
    group = opened(desk)
    assert kept(group) == recounted(group) == (2, 0, 1)

    groups.join(group, desk.frank, order_number="AC-3001")
    assert kept(group) == recounted(group) == (3, 0, 1)

    groups.answer(group, desk.bob, message="Refund for all.", resolution_type="refund")
    assert kept(group) == recounted(group) == (3, 2, 1)  # Alice's finished complaint takes no answer
    groups.answer(group, desk.bob, message="Still a refund for all.")  # answered members count once
    assert kept(group) == recounted(group) == (3, 2, 1)

    services.perform(desk.second.pk, desk.erin, "accept")
    assert kept(group) == recounted(group) == (3, 2, 2)
    assert groups.figures(group) == {"members": 3, "answered": 2, "accepted": 2}

    # A complaint outside any group changes no group's figures.
    services.perform(desk.second.pk, desk.rita, "close", "Done.")
    assert kept(group) == (3, 2, 2)


def test_recount_fills_figures_written_around_the_models(desk):
    group = opened(desk)
    ComplaintGroup.objects.filter(pk=group.pk).update(member_count=0, answered_count=0, accepted_count=0)
    assert group_figures.recount() == 1
    assert kept(group) == (2, 0, 0)
