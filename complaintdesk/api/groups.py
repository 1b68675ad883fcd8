"""Group complaints (集体投诉, SPEC §7, §11): `/groups`. Anyone reads a group's public page; a signed-in
consumer joins with their own order; officers open, list, post statements and close; the shop's staff answer
once for every member (`complaints.groups` does it all; these handlers validate and answer).

Refusals as everywhere: the wrong role 403 (for every id alike), a group the caller may not act on 404 as an
id that does not exist, a closed group or a second join 409, a bad field 422 naming it."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from complaintdesk.accounts import ratelimit
from complaintdesk.api import presenters
from complaintdesk.api import stats as stats_api
from complaintdesk.api.common import Error, PageIn, PageOut, RowId, ValidationErrorOut, paged_segments
from complaintdesk.api.complaints import ComplaintFiledOut, OrderDate, filing_warnings
from complaintdesk.complaints import groups
from complaintdesk.complaints.choices import ResolutionType, WantedOutcome
from complaintdesk.complaints.models import ComplaintGroup, GroupPostSide, GroupState
from complaintdesk.complaints.queries import visible_complaints
from complaintdesk.lib import cursor as keyset
from complaintdesk.notify import render

router = Router(tags=["group complaints"])


def _text(limit: int, least: int = 0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=least, max_length=limit)]


# ------------------------------------------------------------------------------------------------ schemas


class ShopOut(Schema):
    id: int
    name: str


class GroupPostOut(Schema):
    side: GroupPostSide = Field(
        description="shop: the shop's answer to every member; centre: the 12315 centre's."
    )
    message: str
    resolution_type: str = Field(description="The shop's proposed resolution, or empty.")
    resolution_text: str
    posted_at: datetime


class GroupPublicOut(Schema):
    """A group's public page: no personal data (no member, no order number, no author)."""

    id: int
    shop: ShopOut
    product: str
    problem: str
    state: GroupState = Field(description="open: consumers may join; closed: no new members.")
    opened_at: datetime
    closed_at: datetime | None
    members: int = Field(description="How many complaints are in the group.")
    answered: int = Field(description="Members whose complaint received the shop's answer.")
    accepted: int = Field(
        description="Members who accepted the shop's proposal (or whose mediation ended in an agreement)."
    )
    timeline: list[GroupPostOut] = Field(
        description="The shop's and the centre's public answers, oldest first."
    )
    link: str = Field(description="The group's public web page (absolute URL).")


class GroupOut(GroupPublicOut):
    """A group as those who work with it see it: its public page, the bureau handling it, the alert it was
    opened from, and its member complaints that the caller may see (a consumer: their own)."""

    bureau: int
    alert: int | None
    complaints: list[int] = Field(description="Ids of the member complaints you may see.")


class GroupAnsweredOut(GroupOut):
    answered_complaints: list[int] = Field(description="Member complaints that took the shop's answer now.")
    skipped_complaints: list[int] = Field(
        description="Member complaints that could not take it (finished, withdrawn, waiting for the consumer)."
    )


class GroupLinkOut(Schema):
    """A group as a shop's scorecard lists it."""

    id: int
    product: str
    members: int
    state: GroupState
    link: str


class ScorecardWithGroupsOut(stats_api.ScorecardOut):
    """A shop's public scorecard with its group complaints (`GET /merchants/{id}/scorecard`)."""

    groups: list[GroupLinkOut] = Field(description="The shop's group complaints' public pages, newest first.")


class GroupIn(Schema):
    product: _text(groups.PRODUCT_LIMIT) = Field(description="What the members bought. Required.")
    problem: _text(groups.PROBLEM_LIMIT) = Field(
        description="The problem they share, shown on the public page and pre-filled for those who join. Required."
    )
    complaints: list[RowId] = Field(
        [],
        max_length=1000,
        description="Complaints to group, all of one shop (you may see them; another's is 404). With `alert` "
        "or on their own.",
    )
    alert: RowId | None = Field(
        None, description="A mass-incident alert: its shop, and its complaints not in a group yet."
    )
    merchant: RowId | None = Field(None, description="The shop, when no complaint or alert names it.")


class JoinIn(Schema):
    order_number: _text(groups.ORDER_NUMBER_LIMIT) = Field(
        description="Your own order with the group's shop; each order joins once. Required."
    )
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    order_date: OrderDate | None = None
    description: _text(groups.DESCRIPTION_LIMIT) = Field(
        "", description="In your own words; the group's problem when left empty."
    )
    wanted_outcome: WantedOutcome | None = Field(
        None, description="What you want; the first member's when left out."
    )


class AnswerIn(Schema):
    message: _text(groups.MESSAGE_LIMIT) = Field(description="The shop's answer to every member. Required.")
    resolution_type: ResolutionType | None = Field(
        None, description="A resolution proposed to every member (each accepts or disputes it alone)."
    )
    resolution_text: _text(groups.RESOLUTION_TEXT_LIMIT) = ""


class StatementIn(Schema):
    message: _text(groups.MESSAGE_LIMIT) = Field(description="The centre's public statement. Required.")


class GroupFilters(Schema):
    state: GroupState | None = None
    merchant: RowId | None = None


# ----------------------------------------------------------------------------------------------- answers


def link(group) -> str:
    return render.absolute(reverse("web:group", args=[group.pk]))


def _public(group: ComplaintGroup) -> dict:
    return {**groups.public_view(group), "link": link(group)}


def _with_visible_members(found: list[ComplaintGroup], viewer) -> list[ComplaintGroup]:
    """Each group's member complaints that `viewer` may see, by id in filing order (`visible_members`), in
    one query for them all (`groups.visible_members`), in the order of the groups' index."""
    rows = groups.visible_members(viewer, [g.pk for g in found]).order_by("group_id", "pk")
    by_group = defaultdict(list)
    for group_id, pk in rows.values_list("group_id", "pk"):
        by_group[group_id].append(pk)
    for group in found:
        group.visible_members = by_group[group.pk]
    return found


def _detail(group, viewer) -> dict:
    if not hasattr(group, "visible_members"):
        _with_visible_members([group], viewer)
    return {
        **_public(group),
        "bureau": group.bureau_id,
        "alert": group.alert_id,
        "complaints": group.visible_members,
    }


def _reloaded(group) -> ComplaintGroup:
    """The group as it is now, with its figures and posts (after a change)."""
    return _readable(ComplaintGroup.objects).get(pk=group.pk)


def _readable(rows):
    return groups.with_figures(rows.select_related("merchant")).prefetch_related("posts")


def scorecard_groups(merchant_id: int) -> list[dict]:
    """A shop's public group pages, for its scorecard (`GET /merchants/{id}/scorecard`)."""
    return [
        {"id": g.pk, "product": g.product, "members": g.member_count, "state": g.state, "link": link(g)}
        for g in groups.groups_of_shop(merchant_id)
    ]


# ---------------------------------------------------------------------------------------------- handlers


@router.get(
    "/{int:group_id}",
    auth=None,
    response={200: GroupPublicOut, 404: Error},
    summary="A group complaint's public page (anyone; no personal data)",
)
def public_group(request, group_id: int):
    return _public(get_object_or_404(_readable(ComplaintGroup.objects), pk=group_id))


@router.post(
    "/{int:group_id}/join",
    response={
        201: ComplaintFiledOut,
        403: Error,
        404: Error,
        409: Error,
        422: ValidationErrorOut,
        429: Error,
    },
    summary="Join a group complaint with your own order (signed-in consumers; rate-limited as filing: 429)",
)
def join_group(request, group_id: int, payload: JoinIn):
    complaint = groups.join(
        group_id,
        request.auth,
        order_number=payload.order_number,
        amount=payload.amount,
        order_date=payload.order_date,
        description=payload.description,
        wanted_outcome=payload.wanted_outcome,
        before_filing=lambda: ratelimit.check_complaint_rate(request, request.auth),
    )
    complaint = get_object_or_404(visible_complaints(request.auth), pk=complaint.pk)
    answer = presenters.complaint(complaint, request.auth)
    return Status(201, {**answer, "warnings": filing_warnings(complaint)})


@router.post(
    "",
    response={201: GroupOut, 403: Error, 404: Error, 409: Error, 422: ValidationErrorOut},
    summary="Open a group complaint from complaints of one shop or a mass-incident alert (officers)",
)
def open_group(request, payload: GroupIn):
    group = groups.open_group(
        request.auth,
        product=payload.product,
        problem=payload.problem,
        complaints=payload.complaints,
        merchant=payload.merchant,
        alert=payload.alert,
    )
    return Status(201, _detail(_reloaded(group), request.auth))


class GroupPageOut(PageOut):
    items: list[GroupOut]


@router.get(
    "",
    response={200: GroupPageOut, 422: ValidationErrorOut},
    summary="The groups you work with: an officer's bureau's (all for the city level), a shop's own, a "
    "consumer's memberships",
    description="Newest first, 50 a page: follow `next` as `cursor` for the page after; `page` numbers reach "
    "the first 10,000 groups. `count` is exact up to 10,000, null beyond.",
)
def list_groups(request, filters: Query[GroupFilters], paging: Query[PageIn]):
    rows = groups.visible_groups(request.auth)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.merchant:
        rows = rows.filter(merchant_id=filters.merchant)
    keys = rows.values("pk", *(key.name for key in groups.NEWEST_FIRST.keys))
    segment = keyset.Segment(keys, groups.NEWEST_FIRST, lambda found: _load(found, request.auth))
    return paged_segments([segment], paging, lambda group: _detail(group, request.auth), counted=rows)


def _load(keys: list[dict], viewer) -> list[ComplaintGroup | None]:
    """The groups of a page's keys, in their order, with their posts and the members `viewer` sees, in
    one query each for the page (None for a group gone since its keys were read)."""
    loaded = {g.pk: g for g in _readable(ComplaintGroup.objects.filter(pk__in=[k["pk"] for k in keys]))}
    _with_visible_members(list(loaded.values()), viewer)
    return [loaded.get(k["pk"]) for k in keys]


@router.post(
    "/{int:group_id}/answer",
    response={200: GroupAnsweredOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="The shop answers the group once: posted on the public page and to every member's complaint",
)
def answer_group(request, group_id: int, payload: AnswerIn):
    post = groups.answer(
        group_id,
        request.auth,
        message=payload.message,
        resolution_type=payload.resolution_type or "",
        resolution_text=payload.resolution_text,
    )
    return {
        **_detail(_reloaded(post.group), request.auth),
        "answered_complaints": post.fan_out.answered,
        "skipped_complaints": post.fan_out.skipped,
    }


@router.post(
    "/{int:group_id}/statement",
    response={200: GroupOut, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="The centre's public statement on the group's page (officers)",
)
def group_statement(request, group_id: int, payload: StatementIn):
    post = groups.post_statement(group_id, request.auth, message=payload.message)
    return _detail(_reloaded(post.group), request.auth)


@router.post(
    "/{int:group_id}/close",
    response={200: GroupOut, 403: Error, 404: Error, 409: Error},
    summary="Close the group to new members (officers); its members' complaints go on",
)
def close_group(request, group_id: int):
    group = groups.close(group_id, request.auth)
    return _detail(_reloaded(group), request.auth)
