"""Group complaints (集体投诉, SPEC §11): many consumers with the same problem with one shop, handled as one
case with a public page. One interface for the API (`api.groups`) and the web (`web.views.groups`).

1. An officer opens a group (`open_group`) from a mass-incident alert (its complaints become members) or from
   complaints picked by hand, all of one shop in the officer's charge.
2. A signed-in consumer joins (`join`) with their own order: a complaint of their own, filed through the
   normal filing path (`intake`, `services.file_complaint`), with the group's product and problem.
3. The shop answers the group once for all (`answer`): a public post, and on every member's complaint the
   shop's step of the lifecycle (`services.perform`, as the answering user), so each member's deadlines are
   met as if answered one by one and each consumer is told as usual. A later joiner gets the standing answer.
4. Each member still accepts, disputes or withdraws alone, with the lifecycle's own actions.
5. The centre posts public statements (`post_statement`) and closes the group to new members (`close`).

Beyond the interface first agreed between the API and the web (additions only; names and signatures kept):
- `join(..., before_filing=None)`: a callable run once every check has passed, just before the complaint is
  stored; the API and the web pass the filing rate limit there (a refused join does not use up the quota).
- `join(..., wanted_outcome=None)`: None takes the first member's wanted outcome (refund if none).
- `answer` returns the post with `post.fan_out` (`FanOut`: the member complaints answered and skipped).
- `public_view` also gives `answered` (members whose complaint received the shop's answer) and `closed_at`.
- `figures` are kept on the group's row (`group_figures`): a list reads them from its rows.
- `NEWEST_FIRST`: the order of the lists of groups (`lib.cursor`), for the API's and the web's pages.
- `suggested_from_alert(alert)`: the product and problem a form may offer when opening from an alert.
- `open_group` refuses a second group from an alert that already has an open one (Conflict), and a picked
  complaint already in a group (FieldError on `complaints`); an alert's complaints already in another group
  stay there.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import Role
from complaintdesk.alerts.models import Alert, AlertKind
from complaintdesk.centre.jurisdiction import officer_bureau
from complaintdesk.centre.models import Bureau
from complaintdesk.complaints import group_figures, intake, lifecycle, services
from complaintdesk.complaints.choices import Channel, EventKind, ResolutionType, Sector, WantedOutcome
from complaintdesk.complaints.lifecycle import Action, ActionForbidden
from complaintdesk.complaints.models import (
    Category,
    Complaint,
    ComplaintGroup,
    GroupPost,
    GroupPostSide,
    GroupState,
)
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib.cursor import Key, Order
from complaintdesk.lib.errors import Conflict, FieldError
from complaintdesk.merchants.models import Merchant

PRODUCT_LIMIT = ComplaintGroup._meta.get_field("product").max_length
PROBLEM_LIMIT = ComplaintGroup._meta.get_field("problem").max_length
MESSAGE_LIMIT = GroupPost._meta.get_field("message").max_length
RESOLUTION_TEXT_LIMIT = GroupPost._meta.get_field("resolution_text").max_length
ORDER_NUMBER_LIMIT = Complaint._meta.get_field("order_number").max_length
DESCRIPTION_LIMIT = Complaint._meta.get_field("description").max_length
# A joiner's category when the group has no member to take it from.
DEFAULT_CATEGORY = "other"


@dataclass
class FanOut:
    """Where a shop's answer to a group went: the member complaints that took it, and those that could not
    (finished, withdrawn, or in a state where the shop has nothing to say)."""

    answered: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ reads


# The lists of groups, newest first, page by keys (`lib.cursor`): the API's and the console's alike.
NEWEST_FIRST = Order("groups", (Key("opened_at", descending=True), Key("id", descending=True)))


def visible_groups(user) -> QuerySet[ComplaintGroup]:
    """Groups a user works with: an officer their bureau's (a district officer) or every one (city level);
    shop staff their shop's; a consumer the groups they are a member of. Anyone reads a group's public page
    (`public_view`); this is for lists and for acting on a group."""
    base = ComplaintGroup.objects.select_related("merchant", "bureau")
    if user is None or not user.is_authenticated:
        return base.none()
    if user.role == Role.REGULATOR:
        bureau = officer_bureau(user)
        return base if bureau is None else base.filter(bureau_id=bureau)
    if user.role in lifecycle.MERCHANT and user.merchant_id:
        return base.filter(merchant_id=user.merchant_id)
    if user.role == Role.CONSUMER:
        return base.filter(pk__in=Complaint.objects.filter(consumer=user).values("group_id"))
    return base.none()


def visible_members(user, group_ids) -> QuerySet[Complaint]:
    """The member complaints of the groups `group_ids` that `user` may see (`visible_complaints`), read from
    the groups' index: each member's visibility is looked up by its id, rather than the user's scope (a
    bureau's or a shop's complaints, by their own indexes) walked in search of a group's members, which a
    database may prefer however few the members are. A city-level officer sees every complaint: the members
    are the groups' index alone, without a look-up of each member's row (30,000 at 10 M complaints)."""
    members = Complaint.objects.filter(group_id__in=group_ids)
    if user.role == Role.REGULATOR and officer_bureau(user) is None:
        return members
    visible = visible_complaints(user).filter(pk=OuterRef("pk"))
    return members.filter(Exists(visible))


def groups_of_shop(merchant) -> QuerySet[ComplaintGroup]:
    """The public groups of a shop (its scorecard lists them), newest first, with `member_count`."""
    merchant_id = merchant.pk if isinstance(merchant, Merchant) else merchant
    return ComplaintGroup.objects.filter(merchant_id=merchant_id)


def with_figures(groups: QuerySet[ComplaintGroup]) -> QuerySet[ComplaintGroup]:
    """`groups` with each one's figures as they are now (`figures` reads them from there): the counters on
    its row (`group_figures`), no join."""
    return groups.annotate(
        figure_members=F("member_count"),
        figure_answered=F("answered_count"),
        figure_accepted=F("accepted_count"),
    )


def figures(group) -> dict:
    """members; answered: those whose complaint received the shop's answer; accepted: those whose consumer
    accepted the shop's proposal, or whose mediation ended in an agreement. Read as they are now: from a
    group read through `with_figures`, else from its row (a group object held across a change has the
    counters it was read with)."""
    if not hasattr(group, "figure_members"):
        group = with_figures(ComplaintGroup.objects.filter(pk=_pk(group))).first()
        if group is None:
            raise Http404
    return {
        "members": group.figure_members,
        "answered": group.figure_answered,
        "accepted": group.figure_accepted,
    }


def public_view(group) -> dict:
    """What the public page shows: the shop, the product, the problem, the figures and the public answers.
    No personal data: no member list, no consumer, no order number, no author of a post. A group read through
    `with_figures` and with its posts prefetched costs no further query."""
    group = _loaded(group)
    return {
        "id": group.pk,
        "shop": {"id": group.merchant_id, "name": group.merchant.name},
        "product": group.product,
        "problem": group.problem,
        "state": group.state,
        "opened_at": group.opened_at,
        "closed_at": group.closed_at,
        **figures(group),
        "timeline": [
            {
                "side": p.side,
                "message": p.message,
                "resolution_type": p.resolution_type,
                "resolution_text": p.resolution_text,
                "posted_at": p.created_at,
            }
            for p in group.posts.all()  # the model's order: as posted
        ],
    }


def latest_shop_answer(group) -> GroupPost | None:
    return (
        GroupPost.objects.filter(group=_pk(group), side=GroupPostSide.SHOP)
        .order_by("-created_at", "-id")
        .first()
    )


def suggested_from_alert(alert: Alert) -> dict:
    """The product and problem to offer when opening a group from a mass-incident alert: the product the
    detector named (a product pattern), and the alert's scrubbed sample text."""
    facts, details = alert.facts or {}, alert.details or {}
    product = facts.get("value", "") if facts.get("pattern") == "product" else ""
    return {"product": product[:PRODUCT_LIMIT], "problem": (details.get("sample") or "")[:PROBLEM_LIMIT]}


# --------------------------------------------------------------------------------------------- opening


def open_group(
    officer,
    *,
    product: str,
    problem: str,
    complaints=(),
    merchant=None,
    alert=None,
    now: datetime | None = None,
) -> ComplaintGroup:
    """Open a group of one shop's complaints, as an officer.

    1. Check the words (product, problem) and gather the shop: from the alert (a mass-incident alert), the
       picked complaints (ids or objects the officer may see) and `merchant`; they must agree (one shop).
    2. A district officer opens groups only for the shops in its charge: another's alert, complaint or shop
       is not found (404), as an id that does not exist.
    3. Store the group at the shop's bureau (the city centre when none), make the complaints members and
       write an event on each, in one transaction."""
    _require_officer(officer)
    product, problem = _words("product", product, PRODUCT_LIMIT), _words("problem", problem, PROBLEM_LIMIT)
    now = now or timezone.now()
    picked = _picked(officer, complaints)
    shops = {merchant_id for _pk_, merchant_id, _group in picked}
    found_alert = _alert(officer, alert) if alert is not None else None
    if found_alert is not None:
        shops.add(found_alert.merchant_id)
    if merchant is not None:
        shops.add(_shop(officer, merchant).pk)
    if not shops:
        raise FieldError("complaints", _("pick the complaints of the group, or open it from an alert"))
    if len(shops) > 1:
        raise FieldError(
            "complaints",
            _("a group complaint is about one shop; these complaints are about %(n)s shops")
            % {"n": len(shops)},
        )
    shop = Merchant.objects.filter(pk=shops.pop()).first()
    if shop is None or not _in_charge(officer, shop):
        raise Http404
    if not shop.is_active:
        raise FieldError("merchant", _("the shop is no longer active: consumers cannot join its group"))
    already = [pk for pk, _shop, group_id in picked if group_id is not None]
    if already:
        references = (
            Complaint.objects.filter(pk__in=already).order_by("pk").values_list("reference", flat=True)
        )
        raise FieldError(
            "complaints",
            _("already in a group complaint: %(references)s") % {"references": ", ".join(references)},
        )
    with transaction.atomic():
        if found_alert is not None:
            earlier = ComplaintGroup.objects.filter(alert=found_alert, state=GroupState.OPEN).first()
            if earlier is not None:
                raise Conflict(
                    _("group complaint #%(id)s was opened from this alert already and is open")
                    % {"id": earlier.pk}
                )
        group = ComplaintGroup.objects.create(
            merchant=shop,
            bureau=shop.jurisdiction or Bureau.city_centre(),
            product=product,
            problem=problem,
            alert=found_alert,
            opened_by=officer,
            opened_at=now,
        )
        ids = {pk for pk, _shop, _group in picked}
        if found_alert is not None:
            ids |= set(found_alert.complaints.filter(group__isnull=True).values_list("pk", flat=True))
        _enrol(group, sorted(ids), officer, now, strict=bool(picked))
    return group


def _picked(officer, complaints) -> list[tuple[int, int, int | None]]:
    """(id, shop, group) of the picked complaints; an id the officer may not see is not found (404)."""
    ids = set()
    for item in complaints or ():
        try:
            ids.add(item.pk if isinstance(item, Complaint) else int(item))
        except (TypeError, ValueError):
            raise FieldError("complaints", _("complaints are given by their ids")) from None
    if not ids:
        return []
    rows = list(
        visible_complaints(officer)
        .filter(pk__in=ids)
        .values_list("pk", "merchant_id", "group_id")
        .order_by("pk")
    )
    if len(rows) != len(ids):
        raise Http404
    return rows


def _alert(officer, alert) -> Alert:
    """The mass-incident alert, if the officer's bureau has its shop in charge (else 404: before any check
    that would tell it exists)."""
    found = (
        alert
        if isinstance(alert, Alert)
        else Alert.objects.select_related("merchant").filter(pk=alert).first()
    )
    if found is None or not _in_charge(officer, found.merchant):
        raise Http404
    if found.kind != AlertKind.MASS_INCIDENT:
        raise FieldError("alert", _("a group complaint is opened from a mass-incident alert"))
    return found


def _shop(officer, merchant) -> Merchant:
    found = merchant if isinstance(merchant, Merchant) else Merchant.objects.filter(pk=merchant).first()
    if found is None or not _in_charge(officer, found):
        raise Http404
    return found


def _enrol(group: ComplaintGroup, ids: list[int], officer, now, strict: bool) -> None:
    """Make the complaints members under their row locks; a complaint that joined another group meanwhile
    is refused (`strict`, picked by hand) or left in its group (an alert's)."""
    rows = Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    members = [c for c in rows if c.group_id is None]
    if strict and len(members) != len(ids):
        taken = [c.reference for c in rows if c.group_id is not None]
        raise FieldError(
            "complaints", _("already in a group complaint: %(references)s") % {"references": ", ".join(taken)}
        )
    Complaint.objects.filter(pk__in=[c.pk for c in members]).update(group=group)
    for complaint in members:
        complaint.group = group
        _joined(complaint, officer, group, now)
    # Counted from their events: a picked complaint may have been accepted before it joined.
    group_figures.recount(ComplaintGroup.objects.filter(pk=group.pk))


def _joined(complaint, actor, group, now) -> None:
    services.record_event(
        complaint,
        actor,
        EventKind.JOIN_GROUP,
        complaint.state,
        complaint.state,
        data={"group": group.pk, "product": group.product},
        at=now,
    )


# --------------------------------------------------------------------------------------------- joining


def join(
    group,
    consumer,
    *,
    order_number: str,
    amount=None,
    order_date=None,
    description: str = "",
    wanted_outcome: str | None = None,
    now: datetime | None = None,
    before_filing=None,
) -> Complaint:
    """A consumer joins the group with their own order: their own complaint at the group's shop, with the
    group's product, its problem as the description unless they wrote their own, the first member's category
    and kind. It gets the shop's standing answer at once, if the shop answered the group already.

    Checked under the group's row lock, so two joins (or a join and the shop's answer) do not cross: a closed
    group (409), a consumer already a member (409), an order number of another member's (422 at
    `order_number`); the filing's own checks (`intake`) follow. `before_filing()` runs once all passed."""
    if consumer is None or getattr(consumer, "role", None) != Role.CONSUMER:
        raise ActionForbidden(_("only a signed-in consumer joins a group complaint, with their own order"))
    order_number = (order_number or "").strip()
    if not order_number:
        raise FieldError("order_number", _("give the number of your own order with this shop"))
    if len(order_number) > ORDER_NUMBER_LIMIT:
        raise FieldError("order_number", _too_long(ORDER_NUMBER_LIMIT))
    if wanted_outcome and wanted_outcome not in WantedOutcome.values:
        raise FieldError(
            "wanted_outcome",
            _("unknown outcome %(outcome)r; outcomes are: %(outcomes)s")
            % {"outcome": wanted_outcome, "outcomes": ", ".join(WantedOutcome.values)},
        )
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LIMIT:
        raise FieldError("description", _too_long(DESCRIPTION_LIMIT))
    with transaction.atomic():
        group = _locked(ComplaintGroup.objects.select_related("merchant")).filter(pk=_pk(group)).first()
        if group is None:
            raise Http404
        if group.state != GroupState.OPEN:
            raise Conflict(_("this group complaint is closed: it takes no new members"))
        if group.members.filter(consumer=consumer).exists():
            raise Conflict(_("you are a member of this group complaint already"))
        if group.members.filter(order_number__iexact=order_number).exists():
            raise FieldError(
                "order_number",
                _(
                    "order %(order)s is in this group complaint already: each member joins with their own order"
                )
                % {"order": order_number},
            )
        first = group.members.select_related("category").order_by("received_at", "pk").first()
        new_complaint = intake.build_new_complaint(
            consumer,
            merchant=group.merchant_id,
            category=_category_code(first),
            kind=None,
            channel=Channel.WEB,
            sector=Sector.ONLINE_SHOPPING,
            order_number=order_number,
            amount=amount,
            order_date=order_date,
            wanted_outcome=wanted_outcome or (first.wanted_outcome if first else WantedOutcome.REFUND),
            description=description or group.problem,
            product=group.product,
        )
        new_complaint.received_at = now
        if before_filing is not None:
            before_filing()
        complaint = services.file_complaint(consumer, new_complaint)
        Complaint.objects.filter(pk=complaint.pk).update(group=group)
        group_figures.joined(group.pk)
        complaint.group = group
        at = complaint.received_at
        _joined(complaint, consumer, group, at)
        standing = latest_shop_answer(group)
        if standing is not None:
            _deliver(complaint.pk, standing, at)
    return complaint


def _category_code(first: Complaint | None) -> str:
    if first is not None and first.category.is_active:
        return first.category.code
    if Category.objects.filter(code=DEFAULT_CATEGORY, is_active=True).exists():
        return DEFAULT_CATEGORY
    return Category.objects.filter(is_active=True).values_list("code", flat=True).first() or DEFAULT_CATEGORY


# ------------------------------------------------------------------------------------------- answering


def answer(
    group,
    shop_user,
    *,
    message: str,
    resolution_type: str = "",
    resolution_text: str = "",
    now: datetime | None = None,
) -> GroupPost:
    """The shop answers the group once for all its members.

    1. Only the group's shop's staff (another shop's group is not found, 404).
    2. A public post on the group's page.
    3. On each member's complaint, the shop's step as `shop_user`: a proposal with the resolution when one is
       given (else, or where the state takes no proposal, a reply), through `services.perform`, which meets
       the deadlines, writes the event and tells the consumer. A member whose complaint takes neither
       (finished, withdrawn, waiting for the consumer's answer) is skipped; the others get a `group_answer`
       event beside their step. The post's `fan_out` says which were answered and which skipped."""
    if shop_user is None or shop_user.role not in lifecycle.MERCHANT:
        raise ActionForbidden(_("only the shop's staff answer a group complaint"))
    message = _words("message", message, MESSAGE_LIMIT)
    resolution_type = (resolution_type or "").strip()
    if resolution_type and resolution_type not in ResolutionType.values:
        raise FieldError(
            "resolution_type",
            _("unknown resolution %(type)r; resolutions are: %(types)s")
            % {"type": resolution_type, "types": ", ".join(ResolutionType.values)},
        )
    resolution_text = (resolution_text or "").strip()
    if len(resolution_text) > RESOLUTION_TEXT_LIMIT:
        raise FieldError("resolution_text", _too_long(RESOLUTION_TEXT_LIMIT))
    if resolution_text and not resolution_type:
        raise FieldError("resolution_type", _("say which resolution the details are about"))
    now = now or timezone.now()
    with transaction.atomic():
        group = _locked(ComplaintGroup.objects).filter(pk=_pk(group)).first()
        if group is None or group.merchant_id != shop_user.merchant_id:
            raise Http404
        post = GroupPost.objects.create(
            group=group,
            side=GroupPostSide.SHOP,
            author=shop_user,
            message=message,
            resolution_type=resolution_type,
            resolution_text=resolution_text,
            created_at=now,
        )
        fan_out = FanOut()
        for complaint_id in group.members.order_by("pk").values_list("pk", flat=True):
            took = _deliver(complaint_id, post, now)
            (fan_out.answered if took else fan_out.skipped).append(complaint_id)
    post.fan_out = fan_out
    return post


def _deliver(complaint_id: int, post: GroupPost, now) -> str:
    """Take the shop's step of `post` on one member's complaint, as its author; the action taken, or '' when
    the complaint cannot take it (or the author no longer works for the shop). Each try is a savepoint:
    a refused step changes nothing."""
    author = post.author
    if author.role not in lifecycle.MERCHANT or author.merchant_id != post.group.merchant_id:
        return ""
    resolution = (
        {"type": post.resolution_type, "details": post.resolution_text} if post.resolution_type else None
    )
    steps = [(Action.PROPOSE_RESOLUTION, resolution)] if resolution else []
    steps.append((Action.REPLY, None))
    for action, with_resolution in steps:
        try:
            with transaction.atomic():
                complaint = services.perform(
                    complaint_id, author, action, post.message, with_resolution, at=now
                )
                services.record_event(
                    complaint,
                    author,
                    EventKind.GROUP_ANSWER,
                    complaint.state,
                    complaint.state,
                    data={"group": post.group_id, "post": post.pk, "step": action.value},
                    at=now,
                )
            return action.value
        except (Conflict, ActionForbidden):  # the lifecycle refused it (TransitionError) or the centre
            continue
    return ""


# -------------------------------------------------------------------------------------- the centre's part


def post_statement(group, officer, *, message: str, now: datetime | None = None) -> GroupPost:
    """The centre's public statement on the group's page (its own bureau's group for a district officer)."""
    group = _officers_group(group, officer)
    message = _words("message", message, MESSAGE_LIMIT)
    return GroupPost.objects.create(
        group=group,
        side=GroupPostSide.CENTRE,
        author=officer,
        message=message,
        created_at=now or timezone.now(),
    )


def close(group, officer, *, now: datetime | None = None) -> ComplaintGroup:
    """Close the group to new members; its members' complaints go on as before. Closed already: 409."""
    group = _officers_group(group, officer)
    now = now or timezone.now()
    changed = ComplaintGroup.objects.filter(pk=group.pk, state=GroupState.OPEN).update(
        state=GroupState.CLOSED, closed_at=now
    )
    if changed != 1:  # closed meanwhile, or before
        raise Conflict(_("this group complaint is closed already"))
    group.state, group.closed_at = GroupState.CLOSED, now
    return group


# ---------------------------------------------------------------------------------------------- helpers

# Joins and the shop's answers take the group's row lock: two joins with one order number (or by one consumer)
# cannot both pass their checks, and a join either sees the shop's answer or is among the members it reaches.
# Only the concurrency test's sanity check turns it off (test_groups_concurrency.py).
GUARDED = True


def _locked(rows):
    # The group row only (`of`): locking the shop's row too would serialise the shop's filings.
    return rows.select_for_update(of=("self",)) if GUARDED else rows


def _require_officer(user) -> None:
    if user is None or getattr(user, "role", None) != Role.REGULATOR:
        raise ActionForbidden(_("only an officer of the 12315 centre does this for a group complaint"))


def _officers_group(group, officer) -> ComplaintGroup:
    _require_officer(officer)
    found = visible_groups(officer).filter(pk=_pk(group)).first()
    if found is None:
        raise Http404
    return found


def _in_charge(officer, shop: Merchant) -> bool:
    bureau = officer_bureau(officer)
    return bureau is None or shop.jurisdiction_id == bureau


def _words(name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(name, _("this field is required"))
    if len(value) > limit:
        raise FieldError(name, _too_long(limit))
    return value


def _too_long(limit: int) -> str:
    return _("must be at most %(limit)s characters") % {"limit": limit}


def _pk(group) -> int:
    return group.pk if isinstance(group, ComplaintGroup) else int(group)


def _loaded(group) -> ComplaintGroup:
    if isinstance(group, ComplaintGroup):
        return group
    found = (
        ComplaintGroup.objects.select_related("merchant").prefetch_related("posts").filter(pk=group).first()
    )
    if found is None:
        raise Http404
    return found
